"""The nightly likely-to-hire scores: every firm's (or these firms') score computed and stored,
committed batch by batch so that a long run keeps its work and memory stays flat."""

from collections.abc import Sequence

from crm.services.plans import scoring
from crm.services.platform import unit_of_work


def refresh_scores(company_ids: Sequence[int] | None = None) -> int:
    """Compute and store the scores; returns how many were stored."""
    stored = 0
    for count in scoring.refresh_scores(company_ids):
        unit_of_work.commit()
        stored += count
    return stored
