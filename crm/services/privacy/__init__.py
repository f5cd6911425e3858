"""Privacy: what the CRM holds about a person (by e-mail address), its export, its erasure by
pseudonymisation (the records and the ledger keep their shape, the person's details go), and the
purge of personal data past its retention period (docs/privacy.md).

May import: platform, accounts, companies, needs (it reads across the domains that hold people's
details; nothing imports it but blueprints and jobs).
"""
