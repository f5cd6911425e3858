"""Hiring needs: filing (public form, partner flag, visit), their schema, queries, workflow and
transitions, notifications, tracking, reminders, the pipeline board and offer-spotter statistics.

May import: models, `platform`, `accounts`, `routing`, `companies`, `territory`.
"""
