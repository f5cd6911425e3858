"""The regional map (/carte) with its data endpoint, the list of basins and one page per basin."""

from flask import abort, current_app, jsonify, render_template, request, url_for

from crm.blueprints.guards import actor, staff_only
from crm.blueprints.maps import bp, rendering
from crm.blueprints.maps.forms import MapFilterForm
from crm.services.territory import basin_stats, map_layers, rsa_pilots
from crm.services.territory.map_layers import BoundingBox


def data_urls(form: MapFilterForm) -> dict[str, str]:
    """Addresses the map's script needs: firms by bounding box, and the pages popups link to."""
    urls = {"points": url_for("maps.companies_data", **form.query_args()),
            "company": url_for("companies.company", company_id=0),
            "need": url_for("needs.need", reference="REFERENCE")}
    if "public.event" in current_app.view_functions:
        urls["event"] = url_for("public.event", event_id=0)
    return urls


@bp.get("/carte")
@staff_only
def map_page():
    """Basins shaded by an indicator, départements, firms, open needs, visits and events."""
    form = MapFilterForm(request.args)
    valid = form.validate()
    region = rendering.region_map(actor(), form.map_request() if valid else rendering.MapRequest(
        map_layers.MapFilters()))
    return render_template("maps/map.html", form=form, region=region,
                           data=region.data | {"urls": data_urls(form)},
                           list_args=form.query_args() if valid else {})


@bp.get("/carte/entreprises.json")
@staff_only
def companies_data():
    """Firms in a bounding box, filtered, at most 5,000: [lat, lon, id, name] each."""
    form = MapFilterForm(request.args)
    try:
        box = BoundingBox.parse(request.args.get("bbox", ""))
    except ValueError as error:
        return jsonify(message=str(error)), 400
    if not form.validate():
        return jsonify(message="Filtre inconnu : rechargez la carte.", errors=form.errors), 400
    points, truncated = map_layers.companies_in_box(form.filters(), box)
    return jsonify(points=points, count=len(points), truncated=truncated,
                   cap=map_layers.BBOX_CAP)


@bp.get("/bassins")
@staff_only
def basins():
    """The 21 basins with their key counts."""
    return render_template("maps/basins.html", summaries=basin_stats.basin_summaries(),
                           rsa_basins=rsa_pilots.pilot_basin_codes())


@bp.get("/bassins/<code>")
@staff_only
def basin(code: str):
    """A basin's outline, key counts and links to its firms and needs."""
    detail = basin_stats.basin_detail(code)
    if detail is None:
        abort(404)
    return render_template("maps/basin.html", detail=detail,
                           rsa_pilot=code in rsa_pilots.pilot_basin_codes(),
                           outline=rendering.basin_map(detail.basin.code, detail.basin.name))
