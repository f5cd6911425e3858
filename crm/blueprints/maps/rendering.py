"""Folium maps, embedded in the CRM's pages: the regional map (/carte), a firm's small map and a
basin's outline.

Leaflet and its plugins come from crm/static/vendor/leaflet/ (never a CDN: see VendoredMap and
ClusterLayer); the only external address a map may hold is the tile URL of CRM_MAP_TILES, and
none at all when it is `none` (outlines only). Folium elements are re-read as Jinja templates
when rendered, so no user-supplied text (a firm's name...) ever goes into one: firms, needs,
visits and events travel as JSON data that crm/static/js/map-layers.js draws, building popups
with textContent.
"""

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from urllib.parse import urlsplit

import branca.element
import folium
import jinja2
from flask import current_app, url_for
from folium.plugins import MarkerCluster
from folium.template import Template
from markupsafe import Markup, escape

from crm.blueprints.security import with_nonce
from crm.models import Company, User
from crm.services.platform.wording import alphabetical
from crm.services.territory import map_layers
from crm.services.territory.map_layers import MapFilters

JINJA_MARKERS = ("{{", "{%", "{#")


class Verbatim:
    """A template without Jinja markup: renders its text as Jinja would (line ends as "\n", one
    final line end dropped) without compiling it."""

    def __init__(self, source: str):
        text = source.replace("\r\n", "\n").replace("\r", "\n")
        self.text = text[:-1] if text.endswith("\n") else text

    def render(self, *args, **kwargs) -> str:
        return self.text


@lru_cache(maxsize=64)
def compiled_once(source: str) -> jinja2.Template:
    return jinja2.Template(source)


def compiled(source: str) -> jinja2.Template | Verbatim:
    """The template of a branca element. Folium renders each element's code, then wraps the text
    in a new element whose template is that text (unique to the page: it names the element's
    random id); branca compiled every one of them, about a third of the regional map's time. Text
    without Jinja markup is now kept as is; the few real templates are compiled once."""
    if not any(marker in source for marker in JINJA_MARKERS):
        return Verbatim(source)
    return compiled_once(source)


branca.element.Template = compiled  # type: ignore[misc,assignment]  # Element.__init__'s compiler

VENDOR = "vendor/leaflet/"
PALETTE = ("#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c")  # ColorBrewer Blues, 5 classes
OUTLINE_COLOUR = "#000091"  # DSFR bleu France
POINTS_ZOOM = 11  # from this zoom on, the browser loads firms one by one by bounding box
MIN_ZOOM, MAX_ZOOM = 6, 18  # the region to a street (marker clusters need a maximum zoom)


@dataclass(frozen=True)
class Symbol:
    """How a layer of /carte is drawn, told once for the script and the legend."""

    label: str
    shape: str  # "count" (a disc with a number), "point" (a circle) or "line" (dashed)
    colour: str
    fill: str = ""


SYMBOLS = {
    "communes": Symbol("Entreprises d'une commune (vue d'ensemble)", "count", OUTLINE_COLOUR,
                       "rgba(0, 0, 145, .8)"),
    "firms": Symbol("Entreprise (vue rapprochée)", "point", OUTLINE_COLOUR, "#6a6af4"),
    "needs": Symbol("Besoin de recrutement ouvert", "point", "#6e445a", "#fc5d00"),
    "visits": Symbol(f"Visite prévue dans les {map_layers.VISIT_DAYS} jours", "point", "#161616",
                     "#a558a0"),
    "events": Symbol("Événement à venir", "point", "#161616", "#18753c"),
    "departments": Symbol("Limite de département", "line", "#161616"),
}


def static(filename: str) -> str:
    return url_for("static", filename=VENDOR + filename)


class VendoredMap(folium.Map):
    """A Folium map reading Leaflet from the vendored files, sized for a page (no full-window
    styles, no zoom-blocking viewport tag) and labelled for assistive technologies."""

    _template = Template("""
        {% macro header(this, kwargs) %}
            <style>#{{ this.get_name() }} { position: relative; width: 100%;
                height: {{ this.height[0] }}{{ this.height[1] }}; }</style>
        {% endmacro %}
        {% macro html(this, kwargs) %}
            <div class="folium-map crm-map" id={{ this.get_name()|tojson }} role="region"
                 aria-label="{{ this.label }}"></div>
        {% endmacro %}
        {% macro script(this, kwargs) %}
            Object.assign(L.Control.Zoom.prototype.options,
                          {zoomInTitle: "Zoomer", zoomOutTitle: "Dézoomer"});
            var {{ this.get_name() }} = L.map({{ this.get_name()|tojson }}, {
                center: {{ this.location|tojson }}, crs: L.CRS.{{ this.crs }},
                ...{{ this.options|tojavascript }}
            });
        {% endmacro %}
    """)

    def __init__(self, label: str, **kwargs):
        super().__init__(tiles=None, min_zoom=MIN_ZOOM, max_zoom=MAX_ZOOM, **kwargs)
        self.options.update(min_zoom=MIN_ZOOM, max_zoom=MAX_ZOOM)
        self.label = escape(label)
        self.default_js = [("leaflet", static("leaflet.js"))]
        self.default_css = [("leaflet_css", static("leaflet.css"))]
        add_tiles(self)


class ClusterLayer(MarkerCluster):
    """Leaflet.markercluster from the vendored files; the browser fills it with data."""

    def __init__(self, name: str, **kwargs):
        super().__init__(name=name, **kwargs)
        self.default_js = [("markerclusterjs", static("leaflet.markercluster.js"))]
        self.default_css = [("markerclustercss", static("MarkerCluster.css")),
                            ("markerclusterdefaultcss", static("MarkerCluster.Default.css"))]


def tile_attribution(url: str) -> str:
    """Plain-text credit for the tile provider (a link would add another external address)."""
    host = urlsplit(url).hostname or url
    if "openstreetmap" in host:
        return "© les contributeurs d'OpenStreetMap"
    if host.endswith("ign.fr") or host.endswith("geopf.fr"):
        return "© IGN – Géoplateforme"
    return f"Fond de carte : {host}"


def add_tiles(m: folium.Map) -> None:
    """The tile layer of CRM_MAP_TILES; none when it is `none` (outlines only)."""
    url = current_app.config.get("CRM_MAP_TILES") or "none"
    if url.strip().lower() != "none":
        folium.TileLayer(tiles=url, attr=tile_attribution(url), name="Fond de carte",
                         control=False, min_zoom=MIN_ZOOM, max_zoom=MAX_ZOOM).add_to(m)


@dataclass(frozen=True)
class Embed:
    """A rendered map in three pieces: for <head>, where the map goes, and the script after it."""

    head: Markup
    body: Markup
    script: Markup

    def __html__(self) -> str:
        """All in one place (stylesheet links are allowed in the body)."""
        return self.head + self.body + with_nonce("<script>") + self.script + Markup("</script>")


@dataclass(frozen=True)
class Rendered:
    """A rendered map before the request's nonce is set on its inline pieces (it may be kept and
    served again)."""

    head: str
    body: str
    script: str

    def embed(self) -> Embed:
        return Embed(with_nonce(self.head), Markup(self.body), Markup(self.script))


def rendered(m: folium.Map) -> Rendered:
    """Render a map once into the pieces a page template places."""
    m.render()
    figure = m.get_root()
    assert isinstance(figure, folium.Figure), "a map's root"
    figure.header._children.pop("meta_http", None)
    return Rendered(figure.header.render(), figure.html.render(), figure.script.render())


def embed(m: folium.Map) -> Embed:
    return rendered(m).embed()


def exterior_rings(geometry: dict) -> Iterator[list]:
    """The outer ring of each polygon of a Polygon or MultiPolygon."""
    polygons = geometry["coordinates"]
    if geometry["type"] == "Polygon":
        polygons = [polygons]
    return (polygon[0] for polygon in polygons)


def bounds(geometries: list[dict]) -> list[list[float]]:
    """[[south, west], [north, east]] around the geometries."""
    boxes = []
    for geometry in geometries:
        for ring in exterior_rings(geometry):
            lons, lats = list(zip(*ring, strict=True))[:2]
            boxes.append((min(lats), min(lons), max(lats), max(lons)))
    south, west, north, east = zip(*boxes, strict=True)
    return [[min(south), min(west)], [max(north), max(east)]]


def fitted_map(label: str, geometries: list[dict], height: str, **kwargs) -> VendoredMap:
    """A map framed on the geometries."""
    frame = bounds(geometries)
    centre = [(frame[0][0] + frame[1][0]) / 2, (frame[0][1] + frame[1][1]) / 2]
    m = VendoredMap(label, location=centre, height=height, **kwargs)
    m.fit_bounds(frame)
    return m


def feature_collection(outlines: list[tuple[str, str, dict]], values: dict | None = None) -> dict:
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": geometry,
         "properties": {"code": code, "name": name, "value": (values or {}).get(code, 0)}}
        for code, name, geometry in outlines]}


def class_bounds(values: list[float], count: int = len(PALETTE)) -> list[float]:
    """Upper bounds of up to `count` classes holding about as many basins each."""
    ordered = sorted(values) or [0]
    size = len(ordered)
    return sorted({ordered[max(0, math.ceil(size * (rank + 1) / count) - 1)] for rank in range(count)})


def class_colours(upper: list[float]) -> list[str]:
    """As many colours as classes, spread over the palette from light to dark."""
    if len(upper) == 1:
        return [PALETTE[2]]
    last = len(PALETTE) - 1
    return [PALETTE[round(rank * last / (len(upper) - 1))] for rank in range(len(upper))]


@dataclass(frozen=True)
class LegendClass:
    colour: str
    low: float | None  # exclusive; None for the first class
    high: float


@dataclass
class Choropleth:
    indicator: str
    label: str
    values: dict[str, float]
    classes: list[LegendClass] = field(default_factory=list)

    def colour(self, value: float) -> str:
        return next((c.colour for c in self.classes if value <= c.high), self.classes[-1].colour)


def choropleth(indicator: str, label: str, values: dict[str, float], codes: list[str]) -> Choropleth:
    """Classes of the indicator over the basins (a basin without value counts 0)."""
    upper = class_bounds([values.get(code, 0) for code in codes])
    lows = [None, *upper[:-1]]
    classes = [LegendClass(colour, low, high)
               for colour, low, high in zip(class_colours(upper), lows, upper, strict=True)]
    return Choropleth(indicator, label, values, classes)


def basin_layer(outlines: list[tuple[str, str, dict]], shading: Choropleth,
                selected: str) -> folium.GeoJson:
    def style(feature: dict) -> dict:
        chosen = feature["properties"]["code"] == selected
        return {"fillColor": shading.colour(feature["properties"]["value"]), "fillOpacity": 0.5,
                "color": OUTLINE_COLOUR, "weight": 3 if chosen else 1}

    return folium.GeoJson(feature_collection(outlines, shading.values), style_function=style,
                          name=f"Bassins : {shading.label.lower()}")


def department_layer() -> folium.GeoJson:
    return folium.GeoJson(
        feature_collection(map_layers.department_outlines()), name="Départements",
        style_function=lambda _: {"fill": False, "color": SYMBOLS["departments"].colour, "weight": 2,
                                  "dashArray": "6 4"},
        interactive=False)


@dataclass(frozen=True)
class MapRequest:
    """What /carte shows: the firms' filters, the basins' indicator and its period."""

    filters: MapFilters
    indicator: str = "establishments"
    period_days: int = 90


@dataclass
class RegionMap:
    embed: Embed
    data: dict
    shading: Choropleth
    basins: list[tuple[str, str]]
    counted_at: datetime | None  # when the stored counts shown were computed; None: counted now
    symbols: dict[str, Symbol] = field(default_factory=lambda: SYMBOLS)


def layer_data(user: User, request: MapRequest) -> dict:
    """The points the browser draws, with their caps."""
    needs, needs_cut = map_layers.open_need_points(user, request.filters)
    visits, visits_cut = map_layers.upcoming_visit_points(request.filters)
    events, events_cut = map_layers.upcoming_event_points(request.filters.basin)
    return {
        "communes": map_layers.commune_counts(request.filters),
        "needs": needs, "visits": [[*row[:2], row[2].isoformat(), *row[3:]] for row in visits],
        "events": [[*row[:2], row[2].isoformat(), *row[3:]] for row in events],
        "truncated": {"needs": needs_cut, "visits": visits_cut, "events": events_cut},
        "layerCap": map_layers.LAYER_CAP,
        "symbols": {key: {"colour": symbol.colour, "fill": symbol.fill}
                    for key, symbol in SYMBOLS.items()},
    }


def region_map(user: User, request: MapRequest) -> RegionMap:
    """The regional map: basins shaded by the indicator, départements, and the layers the
    browser fills (firms clustered, open needs, upcoming visits and events)."""
    outlines = map_layers.basin_outlines()
    label = map_layers.INDICATORS[request.indicator]
    shading = choropleth(request.indicator, label, map_layers.basin_indicator(
        request.indicator, request.filters, request.period_days), [code for code, _, _ in outlines])
    framed = [g for code, _, g in outlines if code == request.filters.basin] or [g for *_, g in outlines]
    m = fitted_map("Carte des bassins d'emploi, des entreprises et des besoins", framed, "70vh")
    basins = basin_layer(outlines, shading, request.filters.basin).add_to(m)
    department_layer().add_to(m)
    layers = {"basins": basins, "firms": ClusterLayer("Entreprises").add_to(m)}
    for key, name in (("needs", "Besoins ouverts"), ("visits", "Visites à venir"),
                      ("events", "Événements à venir")):
        layers[key] = folium.FeatureGroup(name=name).add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    data = {"map": m.get_name(), "layers": {key: layer.get_name() for key, layer in layers.items()},
            "pointsZoom": POINTS_ZOOM, **layer_data(user, request)}
    basin_rows = sorted(((code, name) for code, name, _ in outlines), key=lambda row: alphabetical(row[1]))
    stored = request.filters == map_layers.MapFilters() and request.indicator != "contacted"
    return RegionMap(embed(m), data, shading, basin_rows,
                     map_layers.counts_refreshed_at() if stored else None)


def outline_map(label: str, outlines: list[tuple[str, str, dict]], height: str) -> VendoredMap:
    """A small map framed on a basin's outline, without scroll zoom."""
    m = fitted_map(label, [geometry for *_, geometry in outlines], height, scroll_wheel_zoom=False)
    folium.GeoJson(feature_collection(outlines), interactive=False, style_function=lambda _: {
        "color": OUTLINE_COLOUR, "weight": 2, "fillColor": PALETTE[1], "fillOpacity": 0.3}).add_to(m)
    return m


def basin_map(code: str, name: str) -> Embed | None:
    """The outline of a basin; None when it has none."""
    outlines = map_layers.basin_outlines([code])
    return embed(outline_map(f"Contour du bassin de {name}", outlines, "320px")) if outlines else None


def company_map(company: Company) -> Markup | None:
    """A small map of the firm's point on its basin's outline; None without coordinates."""
    if company.latitude is None or company.longitude is None:
        return None
    point = [company.latitude, company.longitude]
    outlines = map_layers.basin_outlines([company.basin_code]) if company.basin_code else []
    if outlines:
        m = outline_map("Localisation de l'établissement dans son bassin d'emploi", outlines, "260px")
    else:
        m = VendoredMap("Localisation de l'établissement", location=point, zoom_start=12,
                        height="260px", scroll_wheel_zoom=False)
    folium.CircleMarker(point, radius=7, color="#161616", weight=2, fill=True,
                        fill_color="#e1000f", fill_opacity=1, interactive=False).add_to(m)
    return Markup(embed(m).__html__())
