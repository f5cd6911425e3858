"""The OpenAPI 3.1 document of the API: every path, parameter, body and status."""

from crm.blueprints.api.schemas import (
    SCHEMAS,
    TOGETHER_SCHEMAS,
    closed,
    nullable,
    page_of,
    ref,
    text,
)
from crm.models import NeedStatus, PlanStatus, TargetStatus
from crm.services.plans.targets import MAX_SIRETS

MAX_PARAMETER = 200  # characters of a text query parameter

ERRORS = {
    "400": ("BadRequest", "Corps de requête qui n'est pas un objet JSON"),
    "401": ("Unauthorized", "Jeton absent, invalide ou révoqué, ou compte désactivé"),
    "403": ("Forbidden", "Action réservée à d'autres rôles (ex. écrire un plan ; listes cibles : pas "
                         "pour les partenaires)"),
    "404": ("NotFound", "Inconnu, ou invisible pour l'utilisateur du jeton"),
    "409": ("Conflict", "Écriture concurrente : réessayer"),
    "422": ("Invalid", "Données ou paramètres invalides (dont un caractère nul) : messages par "
                       "champ ; rien n'est enregistré"),
    "429": ("TooManyRequests", "Limite de requêtes du jeton atteinte"),
}
ERROR_HEADERS = {
    "401": {"WWW-Authenticate": {"schema": text(), "description": "Bearer realm=\"api\""}},
    "429": {"Retry-After": {"schema": {"type": "integer"}, "description": "Secondes à attendre"}},
}


def json_content(schema: dict) -> dict:
    return {"application/json": {"schema": schema}}


def error_response(status: str) -> dict:
    body = ref("ValidationError") if status == "422" else ref("Error")
    response = {"description": ERRORS[status][1], "content": json_content(body)}
    return response | ({"headers": ERROR_HEADERS[status]} if status in ERROR_HEADERS else {})


def answer(schema: str, description: str, headers: dict | None = None) -> dict:
    response = {"description": description, "content": json_content(ref(schema))}
    return response | ({"headers": headers} if headers else {})


def operation(operation_id: str, summary: str, responses: dict, errors: tuple[str, ...],
              parameters: tuple[str, ...] = (), **extra) -> dict:
    """An operation with its success answers, its error answers and a JSON default."""
    failures = {status: {"$ref": f"#/components/responses/{ERRORS[status][0]}"}
                for status in ("401", "429", *errors)}
    return {
        "operationId": operation_id, "summary": summary,
        "parameters": [{"$ref": f"#/components/parameters/{name}"} for name in parameters],
        "responses": responses | failures | {
            "default": {"$ref": "#/components/responses/Unexpected"}},
    } | extra


def query(name: str, description: str, schema: dict | None = None) -> dict:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": schema or text(MAX_PARAMETER)}


def in_path(name: str, description: str) -> dict:
    return {"name": name, "in": "path", "required": True, "description": description,
            "schema": text()}


PARAMETERS = {
    "page": query("page", "Numéro de page, à partir de 1",
                  {"type": "integer", "minimum": 1, "maximum": 100_000}),
    "per_page": query("per_page", "Éléments par page (25 par défaut, 100 au plus)",
                      {"type": "integer", "minimum": 1, "maximum": 100}),
    "status": query("status", "Statut de la demande",
                    {"type": "string", "enum": [member.value for member in NeedStatus]}),
    "basin": query("basin", "Code du bassin d'emploi (zone d'emploi INSEE 2020)"),
    "q": query("q", "Début ou partie du nom (sans tenir compte des accents ni de la casse), "
                    "ou chiffres du SIRET / SIREN"),
    "siret": query("siret", "SIRET exact"),
    "postal_code": query("postal_code", "Code postal (5 chiffres)"),
    "commune_q": query("q", "Partie du nom de la commune, ou début du code INSEE"),
    "reference": in_path("reference", "Référence de la demande, ex. BFC-2026-000123"),
    "siret_path": in_path("siret", "SIRET de l'établissement (14 chiffres)"),
    "plan_status": query("status", "État du plan",
                         {"type": "string", "enum": [member.value for member in PlanStatus]}),
    "co_handler_id": {"name": "co_handler_id", "in": "path", "required": True,
                      "description": "Identifiant de la co-traitance",
                      "schema": {"type": "integer", "minimum": 1}},
    "candidate_id": {"name": "candidate_id", "in": "path", "required": True,
                     "description": "Identifiant du candidat proposé",
                     "schema": {"type": "integer", "minimum": 1}},
    "plan_id": {"name": "plan_id", "in": "path", "required": True, "description": "Identifiant du plan",
                "schema": {"type": "integer", "minimum": 1}},
}

LOCATION = {"Location": {"schema": text(), "description": "Adresse de la demande dans l'API"}}

PATHS = {
    "/needs": {
        "post": operation(
            "createNeed", "Déposer ou signaler un besoin de recrutement",
            {"201": answer("FiledNeed", "Demande enregistrée et orientée", LOCATION),
             "200": answer("FiledNeed", "Rattachée à une demande ouverte de moins de 7 jours "
                                        "pour le même poste (attached_to_existing)")},
            ("400", "409", "422"),
            requestBody={"required": True, "content": json_content(ref("NeedInput"))}),
        "get": operation("listNeeds", "Demandes visibles par l'utilisateur du jeton",
                         {"200": answer("NeedList", "Une page de demandes, les plus récentes "
                                                    "d'abord")},
                         ("422",), ("page", "per_page", "status", "basin")),
    },
    "/needs/{reference}": {"get": operation(
        "getNeed", "Une demande avec l'historique de ses statuts",
        {"200": answer("Need", "La demande")}, ("404", "422"), ("reference",))},
    "/needs/{reference}/co-handlers": {"post": operation(
        "addCoHandler", "Inviter une structure à co-traiter (structure pilote), ou co-traiter avec "
                        "la sienne (autre structure qui voit la demande)",
        {"201": answer("CoHandler", "Structure co-traitante ajoutée")},
        ("400", "403", "404", "409", "422"), ("reference",),
        requestBody={"required": True, "content": json_content(ref("CoHandlerInput"))})},
    "/needs/{reference}/co-handlers/{co_handler_id}": {"patch": operation(
        "updateCoHandler", "Changer le statut de sa structure co-traitante",
        {"200": answer("CoHandler", "Statut enregistré")},
        ("400", "403", "404", "409", "422"), ("reference", "co_handler_id"),
        requestBody={"required": True, "content": json_content(ref("CoHandlerUpdate"))})},
    "/needs/{reference}/candidates": {"post": operation(
        "putForwardCandidate", "Enregistrer un candidat proposé (initiales ou référence, date du "
                               "consentement ; jamais pour les partenaires)",
        {"201": answer("Candidate", "Candidat enregistré")},
        ("400", "403", "404", "409", "422"), ("reference",),
        requestBody={"required": True, "content": json_content(ref("CandidateInput"))})},
    "/needs/{reference}/candidates/{candidate_id}": {"patch": operation(
        "moveCandidate", "Faire passer un candidat à l'étape suivante",
        {"200": answer("Candidate", "Étape enregistrée")},
        ("400", "403", "404", "409", "422"), ("reference", "candidate_id"),
        requestBody={"required": True, "content": json_content(ref("CandidateUpdate"))})},
    "/companies": {"get": operation(
        "listCompanies", "Rechercher des établissements",
        {"200": answer("CompanyList", "Une page d'établissements")}, ("422",),
        ("q", "siret", "basin", "page", "per_page"))},
    "/companies/{siret}": {"get": operation(
        "getCompany", "Un établissement par son SIRET",
        {"200": answer("CompanyDetail", "L'établissement et sa pression de contact")}, ("404", "422"),
        ("siret_path",))},
    "/interactions": {"post": operation(
        "createInteraction", "Ajouter un contact avec un établissement au journal partagé",
        {"201": answer("Interaction", "Contact enregistré pour l'organisation du jeton")},
        ("400", "422"), requestBody={"required": True, "content": json_content(ref("InteractionInput"))})},
    "/basins": {"get": operation(
        "listBasins", "Bassins d'emploi de la région et leurs départements",
        {"200": answer("BasinList", "Une page de bassins")}, ("422",), ("page", "per_page"))},
    "/communes": {"get": operation(
        "listCommunes", "Communes de la région par code postal ou par nom",
        {"200": answer("CommuneList", "Une page de communes")}, ("422",),
        ("postal_code", "commune_q", "page", "per_page"))},
    "/plans": {
        "post": operation(
            "createPlan", "Écrire la fiche action d'un bassin (responsables et administrateurs)",
            {"201": answer("Plan", "Plan enregistré", {"Location": {
                "schema": text(), "description": "Adresse du plan dans l'API"}})},
            ("400", "403", "422"), requestBody={"required": True, "content": json_content(ref("PlanInput"))}),
        "get": operation("listPlans", "Plans lisibles par l'utilisateur du jeton (les partenaires : "
                                      "plans en cours de leurs bassins)",
                         {"200": answer("PlanList", "Une page de plans, les plus récents d'abord")},
                         ("422",), ("basin", "plan_status", "page", "per_page")),
    },
    "/plans/{plan_id}": {"get": operation(
        "getPlan", "Un plan avec ses objectifs : cible, réalisé et attendu à ce jour",
        {"200": answer("Plan", "Le plan")}, ("404", "422"), ("plan_id",))},
    "/plans/{plan_id}/targets": {
        "post": operation(
            "addPlanTargets", "Ajouter des établissements à la liste cible d'un plan (responsables "
                              "du bassin, administrateurs)",
            {"200": answer("PlanTargetsAdded", "SIRET ajoutés, déjà présents, inconnus")},
            ("400", "403", "404", "422"), ("plan_id",),
            requestBody={"required": True, "content": json_content(ref("PlanTargetsInput"))}),
        "get": operation(
            "listPlanTargets", "La liste cible d'un plan et le statut de chaque cible (pas pour "
                               "les partenaires)",
            {"200": answer("PlanTargetList", "Une page de cibles, par priorité puis nom")},
            ("403", "404", "422"), ("plan_id", "page", "per_page")),
    },
    "/openapi.json": {"get": {
        "operationId": "getOpenApi", "summary": "Ce document (sans jeton)", "security": [],
        "responses": {"200": {"description": "Document OpenAPI 3.1",
                              "content": json_content({"type": "object"})}}}},
}

SIRETS = {"type": "array", "items": text(14)}
PLAN_TARGET_SCHEMAS = {
    "PlanTargetsInput": closed({"sirets": {
        "type": "array", "minItems": 1, "maxItems": MAX_SIRETS,
        "items": text(20, description="14 chiffres (espaces admis)")}}),
    "PlanTargetsAdded": closed({"added": SIRETS, "already": SIRETS, "unknown": SIRETS}),
    "PlanTarget": closed({
        "siret": text(14), "name": text(),
        "status": {"type": "string", "enum": [member.value for member in TargetStatus],
                   "description": "Statut déduit du journal des contacts, des visites et des "
                                  "besoins depuis l'ajout, ou issue saisie par le conseiller"},
        "assignee": nullable(text(description="Conseiller chargé de la cible"))}),
    "PlanTargetList": page_of("PlanTarget"),
}

RESPONSES = {name: error_response(status) for status, (name, _) in ERRORS.items()} | {
    "Unexpected": {"description": "Autre erreur (405, 500…), toujours en JSON",
                   "content": json_content(ref("Error"))},
}

DESCRIPTION = """API partenaires du CRM du réseau pour l'emploi de Bourgogne-Franche-Comté.

Chaque requête (sauf ce document) porte `Authorization: Bearer <jeton>` ; le jeton agit avec les
droits de son utilisateur. Les erreurs sont en JSON : `{"error": "...", "fields": {...}}`
(`fields` seulement pour 422). Les listes répondent `{"items", "total", "page", "per_page"}`."""


def document(server_url: str) -> dict:
    """The whole OpenAPI document, served from `server_url`."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "CRM emploi BFC : API partenaires", "version": "1.0.0",
                 "description": DESCRIPTION},
        "servers": [{"url": server_url}],
        "security": [{"bearer": []}],
        "paths": PATHS,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                           "description": "Jeton d'API (crm api-token EMAIL)"}},
            "parameters": PARAMETERS,
            "responses": RESPONSES,
            "schemas": SCHEMAS | PLAN_TARGET_SCHEMAS | TOGETHER_SCHEMAS,
        },
    }
