"""The one way a view shows a refusal of the services:

    with refusals(form, stale=message) as refused:
        service.change(...)
    if refused:
        return render_again(..., status=refused.status)

On `Refused` (or a concurrent save caught by the version column, shown as `StaleEdit(stale)`) the
session is rolled back, so nothing the change started is kept; the message goes next to its field
when the form has that field, else it is flashed (or only kept in `refused.message` with
`flashed=False`, for pages that show it themselves). Messages about several fields go next to
them, and their summary is the message."""

from collections.abc import Iterator
from contextlib import contextmanager

from flask import flash
from flask_wtf import FlaskForm
from sqlalchemy.orm.exc import StaleDataError

from crm.extensions import db
from crm.services.platform.concurrency import StaleEdit
from crm.services.platform.refusals import Refused


class Refusal:
    """How a `refusals` block ended: false when nothing was refused."""

    def __init__(self):
        self.error: Refused | None = None
        self.message: str | None = None  # what no field of the form shows

    def __bool__(self) -> bool:
        return self.error is not None

    @property
    def status(self) -> int:
        return self.error.status if self.error is not None else 200


def on_field(form: FlaskForm | None, error: Refused) -> bool:
    """Put the refusal's messages next to their fields; whether that says it all."""
    if form is None or not error.fields:
        return False
    if error.field:
        if error.field not in form:
            return False
        form[error.field].errors = [*form[error.field].errors, error.message]
        return True
    if hasattr(form, "show_errors"):  # forms whose field names differ from the service's
        form.show_errors(error.fields)
        return False
    for name, messages in error.fields.items():
        if name in form:
            form[name].errors = [*form[name].errors, *messages]
    return False


@contextmanager
def refusals(form: FlaskForm | None = None, *, stale: str | None = None,
             flashed: bool = True) -> Iterator[Refusal]:
    """Run a change; on a refusal roll it back and show why (see the module's docstring)."""
    refusal = Refusal()
    try:
        yield refusal
    except StaleDataError:
        db.session.rollback()
        refusal.error = StaleEdit(stale) if stale else StaleEdit()
    except Refused as error:
        db.session.rollback()
        refusal.error = error
    else:
        return
    if not on_field(form, refusal.error):
        refusal.message = refusal.error.message
        if flashed:
            flash(refusal.message, "error")
