"""Recruitment events (job datings, forums, information sessions, company visits, theme weeks,
open days): organising them, co-organised or not ("double bannière"), inviting firms that confirm
through a signed link with their positions and open needs, candidate registration with a capacity
and a waiting list (concurrency-safe), check-in and outcomes per firm feeding the needs and the
firm's timeline; reminders, purge of candidates' personal data and indicators.

May import: models, `platform`, `accounts`, `territory`, `companies`, `routing`, `needs`, `visits`,
`imports`, `plans`.
"""
