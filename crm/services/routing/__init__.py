"""Routing: the engine that picks the organisation and the adviser of a need, and the rules
administrators edit (`docs/domain.md` §3).

May import: models, `platform`, `territory`.
"""
