"""E-mails as text templates: crm/templates/mail/<kind>.txt holds the subject on its first line, a
blank line, then the body. Shared pieces (the signature...) are partials named with a leading
underscore. Rendering needs no request: links come in the context, already built by the caller."""

from datetime import date, datetime
from functools import cache
from pathlib import Path

import jinja2

from crm.services.platform.local_time import local_from_utc
from crm.services.platform.wording import plural
from crm.services.platform.working_days import deadline_label

FOLDER = Path(__file__).resolve().parents[2] / "templates" / "mail"


def local(value: datetime, fmt: str) -> str:
    """A stored naive-UTC time in French local time."""
    return local_from_utc(value).strftime(fmt)


def day(value: date) -> str:
    return value.strftime("%d/%m/%Y")


@cache
def environment() -> jinja2.Environment:
    """Plain text (no escaping), strict about missing values, block tags on their own lines."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(FOLDER), autoescape=False,
                             undefined=jinja2.StrictUndefined, trim_blocks=True,
                             lstrip_blocks=True)
    env.filters.update(plural=plural, deadline=deadline_label, local=local, day=day)
    return env


def render_part(name: str, **context) -> str:
    """One template rendered as it is (a partial, e.g. a subject's fixed beginning)."""
    return environment().get_template(name).render(**context)


def render_mail(kind: str, **context) -> tuple[str, str]:
    """The subject and body of an e-mail of this kind."""
    subject, _, rest = render_part(f"{kind}.txt", **context).partition("\n")
    if not rest.startswith("\n"):
        raise ValueError(f"mail template {kind}: the subject must be followed by a blank line")
    return subject, rest[1:]
