"""The ROME jobs as people look for them: the job picker's suggestions, reading a job typed as a
code or a label, and the shortage-job flag, all from one copy of the reference kept per process."""

import re
import unicodedata
from dataclasses import dataclass

import sqlalchemy as sa

from crm.extensions import db
from crm.models import RomeCode
from crm.services.platform.refusals import Refused
from crm.services.territory import reference

CODE = re.compile(r"\b([A-N]\d{4})\b", re.IGNORECASE)
CODE_START = re.compile(r"^[a-n]\d{0,4}$")
SUGGESTIONS = 10
SUGGESTIONS_IN_ERRORS = 5
UNKNOWN_CODE = "Ce code ROME n'existe pas dans le référentiel."


@dataclass(frozen=True)
class Job:
    code: str
    label: str
    shortage: bool
    forms: tuple[str, ...]  # see label_forms

    @property
    def text(self) -> str:
        """How the picker writes a chosen job in the field, read back by `resolve`."""
        return f"{self.label} ({self.code})"


class UnknownJob(Refused):
    """Typed text that names no ROME job, or several; the message says which in French."""


def folded(text: str) -> str:
    """Lower case, without accents or punctuation, words separated by one space."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return " ".join(re.findall(r"[a-z0-9]+", plain))


def label_forms(label: str) -> tuple[str, ...]:
    """The folded label, then its gendered forms when each is whole ("Boulanger / Boulangère",
    not "Maçon / Maçonne du paysage")."""
    parts = [folded(part) for part in label.split("/")]
    whole = len(parts) > 1 and len({len(part.split()) for part in parts}) == 1
    return (folded(label), *(parts if whole else []))


def load_jobs() -> dict[str, Job]:
    rows = db.session.execute(sa.select(RomeCode.code, RomeCode.label, RomeCode.shortage)
                              .order_by(RomeCode.label, RomeCode.code))
    return {code: Job(code, label, shortage, label_forms(label)) for code, label, shortage in rows}


def jobs() -> dict[str, Job]:
    """Every ROME job by code, in label order."""
    return reference.cached("rome_jobs", load_jobs)


def is_shortage(code: str | None) -> bool:
    """Whether this ROME code is a shortage job ("métier en tension") in the region."""
    job = jobs().get(code or "")
    return job is not None and job.shortage


def rank(job: Job, query: str) -> int:
    """0 when the label starts with the query, 1 when a word does, 2 otherwise."""
    if job.forms[0].startswith(query):
        return 0
    return 1 if f" {query}" in f" {job.forms[0]}" else 2


def search(query: str, limit: int = SUGGESTIONS) -> list[Job]:
    """Jobs whose code starts with the query or whose label has a word starting with each word
    typed, best first."""
    query = folded(query)
    if not query:
        return []
    if CODE_START.match(query):
        return [job for code, job in jobs().items() if code.lower().startswith(query)][:limit]
    words = [f" {word}" for word in query.split()]
    found = [job for job in jobs().values() if all(word in f" {job.forms[0]}" for word in words)]
    return sorted(found, key=lambda job: rank(job, query))[:limit]


def choices_sentence(found: list[Job]) -> str:
    return " ; ".join(f"{job.label} ({job.code})" for job in found[:SUGGESTIONS_IN_ERRORS])


def near(text: str) -> str:
    """Jobs matching one of the words typed, longest word first, as a sentence (or nothing)."""
    found: dict[str, Job] = {}
    for word in sorted(folded(text).split(), key=len, reverse=True):
        found |= {job.code: job for job in search(word, SUGGESTIONS_IN_ERRORS)}
    return f" Métiers proches : {choices_sentence(list(found.values()))}." if found else ""


def resolve(text: str) -> Job:
    """The one job named by "M1607", "M1607 - Secrétaire", "Secrétaire (M1607)" or a label typed
    whole or unique among the labels, ignoring case and accents; UnknownJob otherwise."""
    if found := CODE.search(text):
        job = jobs().get(found.group(1).upper())
        if job is None:
            raise UnknownJob(UNKNOWN_CODE)
        return job
    target = folded(text)
    exact = [job for job in jobs().values() if target in job.forms]
    candidates = exact or search(text, limit=SUGGESTIONS_IN_ERRORS + 1)
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        raise UnknownJob(f"Aucun métier du référentiel ne correspond à « {text} ».{near(text)} "
                         "Essayez un autre mot, ou décrivez le poste dans l'intitulé.")
    raise UnknownJob(f"Plusieurs métiers correspondent à « {text} » : {choices_sentence(candidates)}. "
                     "Choisissez-en un ou saisissez son code ROME.")
