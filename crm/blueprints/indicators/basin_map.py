"""The basin choropleth of a regional or departmental dashboard: the basins of the area shaded by
one indicator (`services/indicators/basins.py`), drawn with the maps' Folium pieces
(`crm/blueprints/maps/rendering.py`); each basin leads to its own dashboard (a click on the map,
a link in the table under it)."""

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from flask import current_app, url_for

from crm.blueprints.maps import rendering
from crm.services.indicators import basins
from crm.services.indicators.basins import SHADED
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


@dataclass(frozen=True)
class Drawing:
    rendered: rendering.Rendered | None  # None when no basin of the area has an outline
    map_name: str
    layer_name: str


@lru_cache(maxsize=32)
def drawing(values: tuple[tuple[str, float | None], ...], label: str, tiles: str) -> Drawing:
    """The choropleth of these basins' values, rendered once and kept: Folium takes longer to
    write the basins' outlines than the figures take to read. The outlines are reference data,
    the same until the reference data is loaded again (then restart the application)."""
    codes = [code for code, _ in values]
    shading = rendering.choropleth(SHADED, label, shaded(values), codes)
    outlines = map_layers.basin_outlines(codes) if codes else []
    if not outlines:
        return Drawing(None, "", "")
    m = rendering.fitted_map(f"Carte des bassins d'emploi : {label.lower()}",
                             [geometry for *_, geometry in outlines], "420px",
                             scroll_wheel_zoom=False)
    layer = rendering.basin_layer(outlines, shading, "").add_to(m)
    return Drawing(rendering.rendered(m), m.get_name(), layer.get_name())


def shaded(values: tuple[tuple[str, float | None], ...]) -> dict[str, float]:
    return {code: value for code, value in values if value is not None}


def dashboard_map(board: Dashboard, stored: basins.BasinMap | None = None) -> DashboardMap | None:
    """The choropleth of the region's or a département's basins (the figures stored with the
    dashboard, else computed now with the dashboard's measures); None for the other levels."""
    if board.scope.level not in basins.MAPPED:
        return None
    found = stored or basins.by_basin(board.scope, board.period, board.measures)
    values = tuple((basin.code, basin.value) for basin in found.basins)
    label = found.definition.label
    shading = rendering.choropleth(SHADED, label, shaded(values), [code for code, _ in values])
    links = {code: basin_dashboard_url(board, code) for code, _ in values}
    drawn = drawing(values, label, str(current_app.config.get("CRM_MAP_TILES") or "none"))
    if drawn.rendered is None:
        return DashboardMap(found, shading, None, links, {})
    data = {"map": drawn.map_name, "layer": drawn.layer_name, "links": links,
            "unit": found.definition.unit}
    return DashboardMap(found, shading, drawn.rendered.embed(), links, data)
