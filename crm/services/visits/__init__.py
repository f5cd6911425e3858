"""Visits and contacts: recording a visit (alone or as a task force), finding visits, follow-ups,
the weekly digest, the catalogue of employer services, quick contacts and partner contacts through
the API, and each role's landing figures.

May import: models, `platform`, `accounts`, `companies`, `needs`, `territory`.
"""
