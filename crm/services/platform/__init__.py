"""Platform: what every domain uses — outbox and mail, audit trail, background tasks, local time
and working days, identifiers (SIRET), optimistic concurrency, public links, French wording, health,
legal settings, raw-input cleaning, backups and the restore check.

May import: models only (never another services package).
"""
