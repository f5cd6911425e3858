"""Companies: records (lookup by SIRET, creation, search text), the list and its search, the 360°
profile, history, timeline, projects, followers, contact pressure, duplicates and merge, saved views,
exports.

May import: models, `platform`, `accounts`, `territory`.
"""
