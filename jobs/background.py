"""Upkeep of the background tasks people follow."""

from crm.services.platform import background_tasks


def sweep_abandoned_tasks() -> int:
    """Mark failed the tasks a killed worker left queued or running."""
    return background_tasks.reclaim_abandoned()
