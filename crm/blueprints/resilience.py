"""What keeps odd input and unexpected errors from becoming silent 500s (docs/security.md).

- Every request gets an id: the `X-Request-ID` the proxy sent (letters, digits, `-`, `_`, `.`, at
  most 64), else a new one; it is echoed in the answer's `X-Request-ID`, written with every
  unexpected exception in the log, and shown on the French 500 page so that a person can quote it.
- One guard refuses, with a French 400, any page request whose path, query string or form holds a
  NUL character or a lone surrogate (no database stores them; the API answers 422 on its own, and
  the employers' and partners' need forms 422 under the field at fault).
- Ids in paths are numbers a database column holds: past 2^31 - 1 (PostgreSQL's INTEGER) the
  route does not match, hence 404; so are page numbers past it (`?page=`).
"""

import logging
import re
import uuid

from flask import Flask, abort, g, request
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter, ValidationError

from crm.services.platform.raw_input import unstorable, unstorable_parameters

LARGEST_ID = 2 ** 31 - 1  # PostgreSQL INTEGER; SQLite's is larger
REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
PAGE_PARAMETERS = ("page", "per_page")
# Forms that check their own fields through the filing schema, showing the French message under
# the field at fault (422): the guard leaves their fields to them (not their query string).
FORMS_CHECKING_THEMSELVES = frozenset({"public.request_form", "needs.flag_new"})
log = logging.getLogger("crm.errors")


class FrenchError:
    """Marks an HTTP error whose description is a French message to show as it is."""


class UnstorableInput(FrenchError, BadRequest):
    description = ("La requête contient un caractère non autorisé (caractère nul ou invalide) : "
                   "retirez-le, puis recommencez.")


class IdConverter(IntegerConverter):
    """`<int:...>` in routes: a whole number from 0 to LARGEST_ID, else the route does not match."""

    def __init__(self, map, *args, **kwargs) -> None:  # noqa: A002 (werkzeug's name)
        kwargs.setdefault("max", LARGEST_ID)
        super().__init__(map, *args, **kwargs)

    def to_python(self, value: str) -> int:
        if len(value) > len(str(LARGEST_ID)):  # never turn thousands of digits into a number
            raise ValidationError()
        return super().to_python(value)


def request_id() -> str:
    """This request's id (set before anything else runs)."""
    return g.get("request_id") or "-"


def set_request_id() -> None:
    sent = request.headers.get("X-Request-ID", "")
    g.request_id = sent if REQUEST_ID.fullmatch(sent) else uuid.uuid4().hex


def echo_request_id(response):
    response.headers["X-Request-ID"] = request_id()
    return response


def form_items() -> list[tuple[str, object]]:
    if request.method not in ("POST", "PUT", "PATCH") or request.is_json \
            or request.endpoint in FORMS_CHECKING_THEMSELVES:
        return []
    items: list[tuple[str, object]] = list(request.form.items(multi=True))
    items += [(name, upload.filename or "") for name, upload in request.files.items(multi=True)]
    return items


def refuse_unstorable_input() -> None:
    """400 for a page request carrying text no database stores; 404 for a page number past the
    largest id (no list is that long)."""
    if request.path.startswith("/api/") or request.endpoint == "static":
        return
    if unstorable(request.path) or unstorable_parameters(
            [*request.args.items(multi=True), *(request.view_args or {}).items(), *form_items()]):
        raise UnstorableInput()
    for name in PAGE_PARAMETERS:
        value = request.args.get(name, "")
        if value.isascii() and value.isdigit() and (len(value) > 10 or int(value) > LARGEST_ID):
            abort(404)


def log_unexpected(error: Exception) -> None:
    """Write the exception with its request id, method and path (never the body: personal data)."""
    log.error("Unexpected error, request %s: %s %s", request_id(), request.method, request.path,
              exc_info=error)


def register_converters(app: Flask) -> None:
    """Before any route is added."""
    app.url_map.converters["int"] = IdConverter


def init_app(app: Flask) -> None:
    app.before_request_funcs.setdefault(None, []).insert(0, set_request_id)
    app.before_request(refuse_unstorable_input)
    app.after_request(echo_request_id)
    app.add_template_global(request_id)
