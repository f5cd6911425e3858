"""Security headers, set in one after-request hook (docs/security.md).

- Content-Security-Policy: scripts and style elements from the site itself, or inline ones carrying
  the request's nonce (`csp_nonce()` in templates; the Folium maps' inline pieces get it through
  `with_nonce`); style attributes allowed (`style-src-attr`), never inline event handlers;
  images from the site, `data:` and the map tiles' host (CRM_MAP_TILES); no plugin, no framing
  by another site (`frame-ancestors 'self'`), forms posted to the site only.
- X-Frame-Options SAMEORIGIN, X-Content-Type-Options nosniff, Referrer-Policy same-origin (unless
  the page set a stricter one: the tracking pages send none),
  a Permissions-Policy denying the sensors; Strict-Transport-Security only on HTTPS requests.
- Cache-Control: no-store on every answer to a signed-in person or an API token (no staff page
  stays in a shared cache or the back-button history of a shared computer).
"""

import re
import secrets
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, g, request, session
from markupsafe import Markup

HSTS = "max-age=31536000"
OPEN_TAG = re.compile(r"<(script|style)\b(?![^>]*\bnonce=)", re.IGNORECASE)


def csp_nonce() -> str:
    """This request's nonce, for the few inline scripts and style elements."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(18)
    return g.csp_nonce


def with_nonce(html: str) -> Markup:
    """Markup the application generated (never user text) with the nonce on its inline scripts
    and style elements."""
    return Markup(OPEN_TAG.sub(lambda match: f'<{match.group(1)} nonce="{csp_nonce()}"', str(html)))


def tile_source() -> str | None:
    """The origin of the map tiles (CRM_MAP_TILES), `{s}` subdomains as a wildcard; None without."""
    url = (current_app.config.get("CRM_MAP_TILES") or "none").strip()
    if url.lower() == "none":
        return None
    parts = urlsplit(url.replace("{s}.", "sub-domain-placeholder."))
    if not parts.scheme or not parts.netloc:
        return None
    host = parts.netloc.replace("sub-domain-placeholder.", "*.")
    return f"{parts.scheme}://{host}"


def content_security_policy(nonce: str) -> str:
    images = " ".join(filter(None, ["'self'", "data:", tile_source()]))
    return "; ".join([
        "default-src 'self'",
        f"script-src 'self' 'nonce-{nonce}'",
        f"style-src 'self' 'nonce-{nonce}'",
        f"style-src-elem 'self' 'nonce-{nonce}'",
        "style-src-attr 'unsafe-inline'",
        f"img-src {images}",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'self'",
        "frame-src 'self'",
    ])


def signed_in() -> bool:
    """Whether the answer goes to a signed-in person or an API token's owner (without loading
    the user when the request did not)."""
    if g.get("api_user") is not None:
        return True
    user = g.get("_login_user")
    if user is not None:
        return bool(user.is_authenticated)
    return "_user_id" in session


def set_security_headers(response: Response) -> Response:
    headers = response.headers
    headers["Content-Security-Policy"] = content_security_policy(csp_nonce())
    headers["X-Frame-Options"] = "SAMEORIGIN"
    headers["X-Content-Type-Options"] = "nosniff"
    headers.setdefault("Referrer-Policy", "same-origin")  # the secret pages set no-referrer
    headers["Permissions-Policy"] = "geolocation=(), camera=(), microphone=(), payment=(), usb=()"
    if request.is_secure:
        headers["Strict-Transport-Security"] = HSTS
    if request.endpoint != "static" and signed_in():
        headers["Cache-Control"] = "no-store"
        headers.pop("Expires", None)
        headers.pop("ETag", None)
    return response


def new_nonce() -> None:
    """A fresh nonce for each request (even when requests share an app context, as in tests)."""
    g.pop("csp_nonce", None)


def init_app(app: Flask) -> None:
    app.add_template_global(csp_nonce)
    app.before_request(new_nonce)
    app.after_request(set_security_headers)
