"""Views of the partner API v1: needs, companies, basins, communes and the OpenAPI document."""

from flask import current_app, jsonify, request, url_for

from crm.blueprints.api import bp, openapi
from crm.blueprints.api import serializers as show
from crm.blueprints.api.auth import api_user
from crm.blueprints.api.errors import ApiError, invalid
from crm.blueprints.api.openapi import MAX_PARAMETER
from crm.extensions import db
from crm.models import NeedStatus
from crm.services.accounts import access
from crm.services.companies import pressure, search
from crm.services.needs import filing as needs
from crm.services.needs import partner_api
from crm.services.needs import partner_api as api_needs
from crm.services.needs.schema import parse_need
from crm.services.platform import links, unit_of_work
from crm.services.platform.raw_input import UNSTORABLE, unstorable_fields, unstorable_parameters
from crm.services.territory import territories
from crm.services.visits import partner_contacts as api_interactions

MAX_PER_PAGE = 100
MAX_PAGE = 100_000
NOT_JSON = "Le corps de la requête doit être un objet JSON valide."
UNKNOWN_NEED = "Aucune demande visible avec cette référence."
UNKNOWN_COMPANY = "Aucun établissement connu avec ce SIRET."
BAD_PARAMETERS = "Paramètres de requête invalides."


@bp.before_request
def check_parameters() -> None:
    """Query and path parameters holding text no database stores, or too long, answer 422.

    Registered after `auth.authenticate`, so that a request without a valid token gets its 401 first.
    """
    if request.endpoint == "api.openapi":
        return
    fields = {name: [UNSTORABLE] for name in unstorable_parameters(
        [*request.args.items(multi=True), *(request.view_args or {}).items()])}
    for name, value in request.args.items(multi=True):
        if name not in fields and len(value) > MAX_PARAMETER:
            fields[name] = [f"Ce paramètre ne doit pas dépasser {MAX_PARAMETER} caractères."]
    if fields:
        raise invalid(fields, BAD_PARAMETERS)


def whole_number(name: str, default: int, maximum: int) -> int:
    """A query parameter from 1 to `maximum`; 422 when it is anything else."""
    raw = request.args.get(name, "").strip()
    if not raw:
        return default
    digits = raw.lstrip("0") or "0"  # read as a number only when short enough to be in range
    in_range = (raw.isascii() and raw.isdigit() and len(digits) <= len(str(maximum))
                and 1 <= int(digits) <= maximum)
    if not in_range:
        bound = f"{maximum:,}".replace(",", "\u202f")
        raise invalid({name: [f"Indiquez un nombre entier entre 1 et {bound}."]}, BAD_PARAMETERS)
    return int(raw)


def paging() -> tuple[int, int]:
    """The ?page= and ?per_page= of a list (per_page defaults to PAGE_SIZE, at most 100)."""
    size = current_app.config["PAGE_SIZE"]
    return whole_number("page", 1, MAX_PAGE), whole_number("per_page", size, MAX_PER_PAGE)


def paginate(query):
    page, per_page = paging()
    return db.paginate(query, page=page, per_page=per_page, error_out=False, count=True)


def json_object() -> dict:
    """The request body as a JSON object; 400 when it is anything else, 422 when some of its text
    cannot be stored (NUL character, lone surrogate)."""
    try:
        payload = request.get_json(force=True, silent=True)
    except RecursionError:  # nested deeper than the JSON parser goes
        payload = None
    if not isinstance(payload, dict):
        raise ApiError(400, NOT_JSON)
    if fields := unstorable_fields(payload):
        raise invalid({name: [UNSTORABLE] for name in fields})
    return payload


def status_filter() -> str | None:
    status = request.args.get("status") or None
    choices = [member.value for member in NeedStatus]
    if status is not None and status not in choices:
        allowed = ", ".join(choices)
        raise invalid({"status": [f"Statut inconnu. Valeurs possibles : {allowed}."]},
                      BAD_PARAMETERS)
    return status


@bp.post("/needs")
def create_need():
    """File a hiring need for the token's organisation; 200 when it joined an open one."""
    user = api_user()
    data = parse_need(json_object())
    source, organisation = api_needs.filing_source(user)
    filed = needs.file_need(data, source=source, actor=user, source_organisation=organisation)
    unit_of_work.commit()
    need = filed.need
    visible = access.can_view_need(user, need)
    if filed.attached and not visible:
        return jsonify(show.attached_elsewhere()), 200
    body = show.filed_need(need, needs.tracking_url(need), filed.attached)
    headers = {"Location": url_for(".need", reference=need.reference)} if visible else {}
    return jsonify(body), 200 if filed.attached else 201, headers


@bp.get("/needs")
def need_list():
    """The needs the token's user may see, newest first, filtered by status and basin."""
    query = partner_api.needs_for(api_user(), status_filter(), request.args.get("basin"))
    result = paginate(query)
    return show.page(result, [show.need_summary(need) for need in result.items])


@bp.get("/needs/<reference>")
def need(reference: str):
    """One need with its status history; 404 when unknown or not visible to the user."""
    user = api_user()
    found = partner_api.visible_need(user, reference)
    if found is None:
        raise ApiError(404, UNKNOWN_NEED)
    return show.need_detail(found, access.sees_company_details(user))


@bp.get("/companies")
def company_list():
    """Companies by name, SIRET or SIREN (q), exact SIRET and basin, with their open needs."""
    page, per_page = paging()
    args = request.args
    result = search.search_companies(args.get("q"), args.get("siret"), args.get("basin"),
                                             page, per_page)
    details = access.sees_company_details(api_user())
    return show.page(result, [show.company(hit, details) for hit in result.items])


@bp.get("/companies/<siret>")
def company(siret: str):
    """One establishment by SIRET; 404 when the CRM does not know it."""
    result = search.search_companies(siret=siret, per_page=1)
    if not result.items:
        raise ApiError(404, UNKNOWN_COMPANY)
    user = api_user()
    hit = result.items[0]
    details = access.sees_company_details(user)
    seen = pressure.pressure_of(hit.company, user.organisation_id)
    return show.company(hit, details) | {"contact_pressure": seen.as_api(details)}


@bp.post("/interactions")
def create_interaction():
    """Add a contact with a firm to the shared ledger, for the token's organisation."""
    user = api_user()
    data = api_interactions.parse_interaction(json_object())
    interaction = api_interactions.add_to_ledger(data, user)
    unit_of_work.commit()
    seen = pressure.pressure_of(data.company, user.organisation_id)
    return jsonify(show.interaction(interaction) | {
        "contact_pressure": seen.as_api(access.sees_company_details(user))}), 201


@bp.get("/basins")
def basin_list():
    """The employment basins of the region with the départements of their communes."""
    result = paginate(territories.basins_query())
    departments = territories.departments_of(result.items)
    return show.page(result, [show.basin(b, departments[b.code]) for b in result.items])


@bp.get("/communes")
def commune_list():
    """Communes of the region by postal code and by name or INSEE code."""
    postal_code = request.args.get("postal_code", "").replace(" ", "")
    if postal_code and not (postal_code.isdigit() and len(postal_code) == 5):
        raise invalid({"postal_code": ["Le code postal doit comporter 5 chiffres."]},
                      BAD_PARAMETERS)
    result = paginate(territories.communes_query(postal_code, request.args.get("q")))
    return show.page(result, [show.commune(item) for item in result.items])


@bp.get("/openapi.json", endpoint="openapi")
def openapi_document():
    """The OpenAPI 3.1 description of this API (no token needed)."""
    return openapi.document(links.public_url(bp.url_prefix))
