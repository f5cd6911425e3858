"""Imports: partner lists and spreadsheets (parsed once, in a job) and the SIRENE stock.

May import: models, `platform`, `accounts`, `companies`, `territory`.
"""
