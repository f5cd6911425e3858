"""Indicators for the Comités France Travail: a scope (region, département, basin, optionally an
organisation), a period compared with the previous one and the same period a year before, and one
function per indicator with its definition written once (`definitions.py`, `figures.py`,
`docs/indicators.md`); the committees with their members (`committees.py`) and the committee
report generated from those figures (`reports.py`).

May import: models, and every other room (it reads them all: it sits above them).
"""
