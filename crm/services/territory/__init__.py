"""Territory: BFC reference data (communes, zones d'emploi, NAF, ROME, shortage jobs), basins and
their statistics, map data and layers.

May import: models, `platform`.
"""
