"""The public address that absolute links (pages, API answers, e-mails) start with."""

from flask import current_app, g

REQUEST_BASE_URL = "crm_request_base_url"


def public_base_url() -> str:
    """The address of the current request (recorded by the web layer), else CRM_BASE_URL."""
    return g.get(REQUEST_BASE_URL) or current_app.config["CRM_BASE_URL"]


def public_url(path: str) -> str:
    """An absolute link to a path of the application ("/recrutement" -> "http://host/recrutement")."""
    return public_base_url() + path
