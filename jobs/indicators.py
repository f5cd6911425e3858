"""The nightly committee dashboards: every territory's figures for the last twelve months computed
and stored (`services/indicators/aggregates.py`), so that the pages and the API answer at once."""

from crm.services.indicators import aggregates


def refresh_indicators() -> int:
    """Compute and store the dashboards of today's period; returns how many."""
    return aggregates.refresh()
