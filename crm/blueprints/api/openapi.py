"""The OpenAPI 3.1 document of the API: every path, parameter, body and status."""

from crm.blueprints.api.schemas import (
    DAY,
    SCHEMAS,
    TIME,
    TOGETHER_SCHEMAS,
    closed,
    nullable,
    page_of,
    ref,
    text,
)
from crm.models import (
    ApiScope,
    EventKind,
    EventStatus,
    NeedStatus,
    ParticipationStatus,
    PlanStatus,
    PromisedContract,
    TargetStatus,
    TrainingKind,
    TrainingMode,
    TrainingStatus,
)
from crm.services.plans.targets import MAX_SIRETS

MAX_PARAMETER = 200  # characters of a text query parameter

ERRORS = {
    "400": ("BadRequest", "Corps de requête qui n'est pas un objet JSON"),
    "401": ("Unauthorized", "Jeton absent, invalide ou révoqué, ou compte désactivé"),
    "403": ("Forbidden", "Action réservée à d'autres rôles (ex. écrire un plan ; listes cibles : pas "
                         "pour les partenaires), ou jeton sans la portée de l'opération"),
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
                for status in ("401", "403", "429", *errors)}
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
    "indicator_level": query("level", "Niveau : region, departement, basin ou rsa (territoire "
                                      "pilote RSA)",
                             {"type": "string", "enum": ["region", "departement", "basin", "rsa"]}),
    "indicator_code": query("code", "27 pour la région, numéro du département, code ZE2020 du "
                                    "bassin, identifiant du territoire pilote RSA"),
    "indicator_from": query("from", "Premier jour de la période (AAAA-MM-JJ, heure de Paris)",
                            {"type": "string", "maxLength": 10}),
    "indicator_to": query("to", "Dernier jour de la période, inclus (AAAA-MM-JJ)",
                          {"type": "string", "maxLength": 10}),
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
    "request_id": {"name": "request_id", "in": "path", "required": True,
                   "description": "Identifiant de la demande de formation",
                   "schema": {"type": "integer", "minimum": 1}},
    "event_id": {"name": "event_id", "in": "path", "required": True,
                 "description": "Identifiant de l'événement", "schema": {"type": "integer", "minimum": 1}},
    "registration_id": {"name": "registration_id", "in": "path", "required": True,
                        "description": "Identifiant de l'inscription",
                        "schema": {"type": "integer", "minimum": 1}},
    "from": query("from", "Événements qui finissent à partir de cette date et heure (ISO 8601)"),
    "to": query("to", "Événements qui commencent au plus tard à cette date et heure (ISO 8601)"),
}

LOCATION = {"Location": {"schema": text(), "description": "Adresse de la demande dans l'API"}}

PATHS = {
    "/needs": {
        "post": operation(
            "createNeed", "Déposer ou signaler un besoin de recrutement",
            {"201": answer("FiledNeed", "Demande enregistrée et orientée", LOCATION),
             "200": answer("AttachedNeed", "Rattachée à une demande ouverte de moins de 7 jours "
                                           "pour le même poste (attached_to_existing) ; sans rien "
                                           "de cette demande quand l'utilisateur ne peut pas la "
                                           "voir")},
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
        ("400", "404", "409", "422"), ("reference",),
        requestBody={"required": True, "content": json_content(ref("CoHandlerInput"))})},
    "/needs/{reference}/co-handlers/{co_handler_id}": {"patch": operation(
        "updateCoHandler", "Changer le statut de sa structure co-traitante",
        {"200": answer("CoHandler", "Statut enregistré")},
        ("400", "404", "409", "422"), ("reference", "co_handler_id"),
        requestBody={"required": True, "content": json_content(ref("CoHandlerUpdate"))})},
    "/needs/{reference}/candidates": {"post": operation(
        "putForwardCandidate", "Enregistrer un candidat proposé (initiales ou référence, date du "
                               "consentement ; jamais pour les partenaires)",
        {"201": answer("Candidate", "Candidat enregistré")},
        ("400", "404", "409", "422"), ("reference",),
        requestBody={"required": True, "content": json_content(ref("CandidateInput"))})},
    "/needs/{reference}/candidates/{candidate_id}": {"patch": operation(
        "moveCandidate", "Faire passer un candidat à l'étape suivante",
        {"200": answer("Candidate", "Étape enregistrée")},
        ("400", "404", "409", "422"), ("reference", "candidate_id"),
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
    "/indicators": {"get": operation(
        "getIndicators", "Indicateurs des comités d'un territoire sur une période, avec la période "
                         "précédente (jeton de portée indicators d'un responsable, d'un "
                         "administrateur ou d'un partenaire ; agrégats seulement)",
        {"200": answer("Indicators", "Les indicateurs")}, ("422",),
        ("indicator_level", "indicator_code", "indicator_from", "indicator_to"),
        security=[{"bearer": [ApiScope.INDICATORS.value]}])},
    "/plans": {
        "post": operation(
            "createPlan", "Écrire la fiche action d'un bassin (responsables et administrateurs)",
            {"201": answer("Plan", "Plan enregistré", {"Location": {
                "schema": text(), "description": "Adresse du plan dans l'API"}})},
            ("400", "422"), requestBody={"required": True, "content": json_content(ref("PlanInput"))}),
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
            ("400", "404", "422"), ("plan_id",),
            requestBody={"required": True, "content": json_content(ref("PlanTargetsInput"))}),
        "get": operation(
            "listPlanTargets", "La liste cible d'un plan et le statut de chaque cible (pas pour "
                               "les partenaires)",
            {"200": answer("PlanTargetList", "Une page de cibles, par priorité puis nom")},
            ("404", "422"), ("plan_id", "page", "per_page")),
    },
    "/training/eligibility": {"post": operation(
        "checkTrainingEligibility", "Vérifier l'éligibilité d'un cas de POE (rien n'est enregistré) : "
                                    "chaque règle, sa raison et sa source",
        {"200": answer("TrainingEligibility", "Verdict et contrôles")}, ("400", "422"),
        requestBody={"required": True, "content": json_content(ref("TrainingCase"))})},
    "/training/requests": {"post": operation(
        "createTrainingRequest", "Déposer une demande de POE (brouillon) pour un établissement "
                                 "(personnel seulement)",
        {"201": answer("TrainingRequest", "Demande enregistrée, avec ses contrôles", {"Location": {
            "schema": text(), "description": "Adresse de la demande dans l'API"}})},
        ("400", "409", "422"),
        requestBody={"required": True, "content": json_content(ref("TrainingRequestInput"))})},
    "/training/requests/{request_id}": {"get": operation(
        "getTrainingRequest", "Une demande de POE avec ses contrôles, son historique et les "
                              "étapes possibles",
        {"200": answer("TrainingRequest", "La demande")}, ("404", "422"), ("request_id",))},
    "/training/requests/{request_id}/transitions": {"post": operation(
        "moveTrainingRequest", "Faire avancer une demande de POE dans son circuit",
        {"200": answer("TrainingRequest", "La demande après l'étape"),
         "409": {"description": "Étape refusée par le circuit (statut actuel, ordre des dates, "
                                "conditions non remplies) ou écriture concurrente",
                 "content": json_content(ref("Error"))}},
        ("400", "404", "422"), ("request_id",),
        requestBody={"required": True, "content": json_content(ref("TrainingTransitionInput"))})},
    "/events": {
        "post": operation(
            "createEvent", "Organiser un événement de recrutement (personnel du réseau)",
            {"201": answer("Event", "Événement enregistré (en préparation)", {"Location": {
                "schema": text(), "description": "Adresse de l'événement dans l'API"}})},
            ("400", "422"),
            requestBody={"required": True, "content": json_content(ref("EventInput"))}),
        "get": operation("listEvents", "Événements (les partenaires : ceux qui sont publiés), les "
                                       "plus proches d'abord",
                         {"200": answer("EventList", "Une page d'événements")}, ("422",),
                         ("basin", "from", "to", "page", "per_page")),
    },
    "/events/{event_id}": {"get": operation(
        "getEvent", "Un événement, ses inscriptions et ses entreprises",
        {"200": answer("Event", "L'événement")}, ("404", "422"), ("event_id",))},
    "/events/{event_id}/registrations": {"post": operation(
        "registerCandidate", "Inscrire un candidat accompagné (liste d'attente quand c'est complet)",
        {"201": answer("Registration", "Inscription confirmée ou en liste d'attente")},
        ("400", "404", "409", "422"), ("event_id",),
        requestBody={"required": True, "content": json_content(ref("RegistrationInput"))})},
    "/events/{event_id}/registrations/{registration_id}": {"delete": operation(
        "cancelRegistration", "Désinscrire un candidat : la place va au premier en attente",
        {"200": answer("CancelledRegistration", "Inscription annulée")}, ("404", "409", "422"),
        ("event_id", "registration_id"))},
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

YES_NO = nullable({"type": "boolean", "description": "null ou absent : inconnu"})


def count(low: int, high: int, description: str) -> dict:
    return nullable({"type": "integer", "minimum": low, "maximum": high, "description": description})


def choice(enum, description: str) -> dict:
    return nullable({"type": "string", "enum": [member.value for member in enum],
                     "description": description})


TRAINING_CASE_FIELDS = {
    "kind": choice(TrainingKind, "POEI (par défaut) ou POEC"),
    "contract_type": choice(PromisedContract, "Contrat promis à l'issue de la formation"),
    "contract_months": count(1, 120, "Durée du contrat en mois"),
    "missions_months_within_9": count(0, 9, "Missions d'intérim : mois cumulés dans les 9 mois "
                                            "suivant la formation"),
    "training_hours": count(0, 10_000, "Heures en organisme"),
    "tutoring_hours": count(0, 10_000, "Heures en tutorat"),
    "mode": choice(TrainingMode, "Mode de formation"),
    "priority_public": YES_NO, "offer_filed": YES_NO, "contributions_up_to_date": YES_NO,
    "economic_layoff_12_months": YES_NO, "refused_hire_after_poe": YES_NO, "qualiopi": YES_NO,
    "tutor_experience_years": nullable({"type": "number", "minimum": 0, "maximum": 60}),
    "tutor_current_trainees": count(0, 100, "Stagiaires POEI déjà suivis par le tuteur"),
    "private_individual_employer": YES_NO,
    "convention_signed_on": nullable(DAY), "training_starts_on": nullable(DAY),
    "frap_requested": nullable({"type": "boolean"}),
}
CHECK = closed({"rule": text(), "result": {"type": "string", "enum": ["pass", "fail", "unknown"]},
                "reason": text(description="En français"), "source": text()})
ELIGIBILITY = closed({
    "verdict": {"type": "string", "enum": ["eligible", "not_eligible", "to_complete"]},
    "rule_set": closed({"name": text(), "valid_from": nullable(DAY), "valid_to": nullable(DAY)}),
    "checks": {"type": "array", "items": CHECK}})
TRAINING_SCHEMAS = {
    "TrainingCase": closed(TRAINING_CASE_FIELDS | {
        "on_date": nullable(DAY | {"description": "Date de la demande (aujourd'hui par défaut)"})},
        required=[]),
    "TrainingEligibility": ELIGIBILITY,
    "TrainingRequestInput": closed(TRAINING_CASE_FIELDS | {
        "siret": text(20, description="SIRET d'un établissement connu"),
        "need_reference": nullable(text(30)), "training_body": nullable(text(200)),
        "qualiopi_number": nullable(text(40)), "opco_cofunding": YES_NO,
        "opco_name": nullable(text(120)),
        "frap_line_id": nullable({"type": "integer", "minimum": 1, "maximum": 2**31 - 1}),
        "candidate": nullable(text(120, description="Initiales ou libellé minimal ; remplacé par un "
                                                    "numéro à la clôture")),
        "training_ends_on": nullable(DAY)}, required=["siret"]),
    "TrainingTransitionInput": closed({
        "to": {"type": "string", "enum": [member.value for member in TrainingStatus]},
        "reason": nullable(text(2000, description="Obligatoire pour un refus ou une non-embauche")),
        "date": nullable(DAY | {"description": "Obligatoire pour la convention, l'entrée, la fin, "
                                               "l'embauche"})}, required=["to"]),
    "TrainingRequest": closed({
        "id": {"type": "integer"}, "kind": {"type": "string", "enum": [m.value for m in TrainingKind]},
        "mode": choice(TrainingMode, "Mode de formation"),
        "status": {"type": "string", "enum": [member.value for member in TrainingStatus]},
        "status_label": text(), "status_reason": nullable(text()),
        "company": closed({"siret": text(14), "name": text()}), "requested_on": DAY,
        "contract_type": choice(PromisedContract, "Contrat promis"),
        "contract_months": nullable({"type": "integer"}),
        "missions_months_within_9": nullable({"type": "integer"}),
        "training_hours": nullable({"type": "integer"}), "tutoring_hours": nullable({"type": "integer"}),
        "training_body": nullable(text()), "qualiopi": nullable({"type": "boolean"}),
        "qualiopi_number": nullable(text()), "tutor_experience_years": nullable({"type": "number"}),
        "tutor_current_trainees": nullable({"type": "integer"}),
        "opco_cofunding": nullable({"type": "boolean"}), "frap_requested": {"type": "boolean"},
        "candidate": nullable(text()), "convention_signed_on": nullable(DAY),
        "training_starts_on": nullable(DAY), "training_ends_on": nullable(DAY),
        "outcome_on": nullable(DAY), "eligibility": ELIGIBILITY,
        "history": {"type": "array", "items": closed({
            "from": nullable(text()), "to": text(), "at": TIME, "reason": nullable(text()),
            "date": nullable(DAY)})},
        "next": {"type": "array", "items": closed({
            "to": text(), "label": text(), "records": {"type": "string",
                                                       "enum": ["nothing", "reason", "date"]}})},
    }),
}

COUNT = {"type": "integer", "minimum": 0}
EVENT_FIELDS = {
    "id": {"type": "integer"}, "kind": {"type": "string", "enum": [m.value for m in EventKind]},
    "title": text(), "status": {"type": "string", "enum": [m.value for m in EventStatus]},
    "starts_at": TIME, "ends_at": TIME, "commune_code": nullable(text(5)),
    "basin_code": nullable(text(4)), "venue": nullable(text()), "online_url": nullable(text()),
    "capacity": nullable({"type": "integer", "minimum": 1}),
    "registration_closes_at": nullable(TIME),
    "organisers": {"type": "array", "items": closed({"id": {"type": "integer"}, "name": text()})},
    "double_banner": {"type": "boolean", "description": "Co-organisé par au moins deux structures"},
    "seats_left": nullable(COUNT | {"description": "Places restantes (null : sans limite)"}),
    "registrations": closed({"confirmed": COUNT, "waiting": COUNT, "cancelled": COUNT,
                             "present": COUNT}),
}
EVENT_DETAIL_FIELDS = {
    "description": nullable(text()), "sectors": {"type": "array", "items": text()},
    "rome_codes": {"type": "array", "items": text()},
    "companies": {"type": "array", "items": closed({
        "siret": text(14), "name": text(),
        "status": {"type": "string", "enum": [m.value for m in ParticipationStatus]},
        "positions": COUNT, "jobs": nullable(text()),
        "needs": {"type": "array", "items": text(description="Référence d'une demande liée")}})},
}
EVENT_SCHEMAS = {
    "EventInput": closed({
        "kind": {"type": "string", "enum": [m.value for m in EventKind]}, "title": text(200),
        "starts_at": TIME | {"description": "ISO 8601 ; sans fuseau : heure de Paris"},
        "ends_at": TIME, "commune_code": nullable(text(5, description="Code INSEE de la commune")),
        "venue": nullable(text(255)), "online_url": nullable(text(500)),
        "capacity": nullable({"type": "integer", "minimum": 1}),
        "organiser_ids": {"type": "array", "minItems": 1, "maxItems": 20,
                          "items": {"type": "integer", "minimum": 1}},
        "registration_closes_at": nullable(TIME), "description": nullable(text(5000)),
        "sectors": {"type": "array", "maxItems": 21, "items": text(1, description="Section NAF")},
        "rome_codes": {"type": "array", "maxItems": 50, "items": text(5)},
    }, required=["kind", "title", "starts_at", "ends_at", "organiser_ids"]),
    "EventSummary": closed(EVENT_FIELDS),
    "Event": closed(EVENT_FIELDS | EVENT_DETAIL_FIELDS),
    "EventList": page_of("EventSummary"),
    "RegistrationInput": closed({
        "name": text(120), "email": text(254, format="email"),
        "phone": nullable(text(20, description="Numéro français")),
        "consent": {"type": "boolean", "description": "Accord du candidat (obligatoire)"},
        "heard_from": nullable(text(60)),
    }, required=["name", "email", "consent"]),
    "Registration": closed({
        "id": {"type": "integer"}, "status": {"type": "string", "enum": ["confirmed", "waiting"]},
        "position": nullable({"type": "integer", "minimum": 1,
                              "description": "Rang sur la liste d'attente"})}),
    "CancelledRegistration": closed({
        "id": {"type": "integer"}, "status": {"type": "string", "enum": ["cancelled"]},
        "promoted": nullable({"type": "integer", "description": "Inscription passée de la liste "
                                                                "d'attente à confirmée"})}),
}

RESPONSES = {name: error_response(status) for status, (name, _) in ERRORS.items()} | {
    "Unexpected": {"description": "Autre erreur (405, 500…), toujours en JSON",
                   "content": json_content(ref("Error"))},
}

DESCRIPTION = """API partenaires du CRM du réseau pour l'emploi de Bourgogne-Franche-Comté.

Chaque requête (sauf ce document) porte `Authorization: Bearer <jeton>` ; le jeton agit avec les
droits de son utilisateur, dans ses portées : `needs` (besoins et suivi) pour toutes les opérations
sauf `/indicators`, qui demande `indicators` ; sans la portée, la réponse est 403. Les erreurs
sont en JSON : `{"error": "...", "fields": {...}}` (`fields` seulement pour 422). Les listes
répondent `{"items", "total", "page", "per_page"}`."""


def document(server_url: str) -> dict:
    """The whole OpenAPI document, served from `server_url`."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "CRM emploi BFC : API partenaires", "version": "1.0.0",
                 "description": DESCRIPTION},
        "servers": [{"url": server_url}],
        "security": [{"bearer": [ApiScope.NEEDS.value]}],
        "paths": PATHS,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                           "description": "Jeton d'API (crm api-token EMAIL)"}},
            "parameters": PARAMETERS,
            "responses": RESPONSES,
            "schemas": SCHEMAS | PLAN_TARGET_SCHEMAS | TRAINING_SCHEMAS | EVENT_SCHEMAS | TOGETHER_SCHEMAS,
        },
    }
