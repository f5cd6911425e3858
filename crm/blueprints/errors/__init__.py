"""French error pages, and JSON errors under /api/."""

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, SecurityError

from crm.blueprints import resilience
from crm.blueprints.resilience import FrenchError
from crm.extensions import db

MESSAGES = {
    400: "La requête est invalide.",
    401: "Authentification requise.",
    403: "Vous n'avez pas accès à cette page.",
    404: "Page introuvable.",
    405: "Méthode non autorisée.",
    409: "Conflit : la ressource a été modifiée entre-temps.",
    413: "Le fichier envoyé est trop volumineux.",
    422: "Les données envoyées sont invalides.",
    429: "Trop de requêtes : réessayez dans quelques instants.",
    500: "Une erreur inattendue s'est produite.",
}


def wants_json() -> bool:
    return request.path.startswith("/api/")


def render_error(status: int, message: str | None = None):
    message = message or MESSAGES.get(status, MESSAGES[500])
    if wants_json():
        return jsonify({"error": message}), status
    return render_template("errors/error.html", status=status, message=message), status


def handle_http_error(error: HTTPException):
    """The French page (or JSON), keeping the error's own headers: `Allow` on a 405,
    `Retry-After`, `WWW-Authenticate`. The description is shown when the application wrote it
    in French (`FrenchError`), never Werkzeug's English one."""
    description = error.description if error.code == 429 or isinstance(error, FrenchError) else None
    if error.code == 429:
        description = MESSAGES[429] if not isinstance(description, str) else description
    body, status = render_error(error.code or 500, description)
    headers = [(name, value) for name, value in error.get_headers() if name.lower() != "content-type"]
    return body, status, headers


def handle_csrf_error(error: CSRFError):
    return render_error(
        400, "Le formulaire a expiré ou n'a pas pu être vérifié. Rechargez la page et réessayez."
    )


def handle_untrusted_host(error: SecurityError):
    """A host outside TRUSTED_HOSTS: no page can link back to it, so a short plain answer."""
    return MESSAGES[400] + " (adresse du service non reconnue)", 400, {
        "Content-Type": "text/plain; charset=utf-8"}


def handle_unexpected(error: Exception):
    """Logged with the request id, which the French page (or JSON) shows for the person to quote."""
    db.session.rollback()
    resilience.log_unexpected(error)
    return render_error(500, f"{MESSAGES[500]} Référence de l'incident : {resilience.request_id()}.")


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(SecurityError, handle_untrusted_host)
    app.register_error_handler(HTTPException, handle_http_error)
    if not app.testing:
        app.register_error_handler(Exception, handle_unexpected)
