"""Prospection plans per basin: the fiche action and its objectives with progress against pace,
segments and target lists with derived statuses, the explainable likely-to-hire score (reading,
among other facts, the company projects of `companies.projects`), check-lists for offer spotters
and the pilot basins compared.

May import: models, `platform`, `accounts`, `territory`, `companies`, `routing`, `needs`, `visits`,
`imports`, `training`.
"""
