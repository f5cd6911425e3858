"""The basin choropleth of a regional or departmental dashboard: the basins of the area shaded by
one indicator (`services/indicators/basins.py`), drawn with the maps' Folium pieces
(`crm/blueprints/maps/rendering.py`); each basin leads to its own dashboard (a click on the map,
a link in the table under it)."""

from dataclasses import dataclass
from typing import Any

from flask import url_for

from crm.blueprints.maps import rendering
from crm.services.indicators import basins
from crm.services.indicators.figures import Dashboard
from crm.services.indicators.scope import Level
from crm.services.territory import map_layers


@dataclass(frozen=True)
class DashboardMap:
    figures: basins.BasinMap
    shading: rendering.Choropleth
    embed: rendering.Embed | None  # None when no basin of the area has an outline
    links: dict[str, str]  # basin code -> its dashboard over the same period
    data: dict  # what crm/static/js/indicator-map.js reads


def basin_dashboard_url(board: Dashboard, code: str) -> str:
    values: dict[str, Any] = {"level": Level.BASIN.value, "code": code,
                              "from": board.period.start.isoformat(),
                              "to": board.period.end.isoformat()}
    if board.scope.organisation_id is not None:
        values["organisation"] = str(board.scope.organisation_id)
    return url_for("indicators.dashboard", **values)


def dashboard_map(board: Dashboard, stored: basins.BasinMap | None = None) -> DashboardMap | None:
    """The choropleth of the region's or a département's basins (the figures stored with the
    dashboard, else computed now); None for a basin's dashboard."""
    if board.scope.level == Level.BASIN:
        return None
    found = stored or basins.by_basin(board.scope, board.period)
    codes = [basin.code for basin in found.basins]
    shading = rendering.choropleth(found.definition.key, found.definition.label, found.values, codes)
    links = {code: basin_dashboard_url(board, code) for code in codes}
    outlines = map_layers.basin_outlines(codes) if codes else []
    if not outlines:
        return DashboardMap(found, shading, None, links, {})
    m = rendering.fitted_map(f"Carte des bassins d'emploi : {found.definition.label.lower()}",
                             [geometry for *_, geometry in outlines], "420px",
                             scroll_wheel_zoom=False)
    layer = rendering.basin_layer(outlines, shading, "").add_to(m)
    data = {"map": m.get_name(), "layer": layer.get_name(), "links": links,
            "unit": found.definition.unit}
    return DashboardMap(found, shading, rendering.embed(m), links, data)
