"""Accounts: organisations, users, passwords and API tokens, and `access`, the one place that
decides who may see and change what.

May import: models, `platform`.
"""
