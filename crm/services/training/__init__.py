"""Training before hire (POEI, POEC, FRAP top-up, AFEST mode): the dated eligibility engine that
explains each rule with its source, the dated parameters (hour caps, amounts) and FRAP funding
lines set by administrators, requests and their workflow (transitions as data), the promotion list
and indicators.

May import: models, `platform`, `accounts`, `territory`, `companies`, `routing`, `needs`, `visits`,
`imports`.
"""
