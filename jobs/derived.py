"""Tables computed from others so that pages read them at once: the map's counts per commune and
basin, and the likely duplicate pairs. Recomputed on schedule (jobs/worker.py) and after imports
(`refresh_after_import`, which the import jobs enqueue)."""

from crm import broker
from crm.services.companies import duplicates
from crm.services.platform import unit_of_work
from crm.services.territory import map_layers


def refresh_area_counts() -> int:
    """Recompute the map's counts; returns how many communes and basins they hold."""
    rows = map_layers.refresh_area_counts()
    unit_of_work.commit()
    return rows


def refresh_duplicate_pairs() -> int:
    """Find the likely duplicate pairs again; returns how many."""
    pairs = duplicates.refresh_pairs()
    unit_of_work.commit()
    return pairs


def refresh_after_import() -> None:
    """After an import changed many firms: both tables, each in its own job."""
    broker.enqueue("default", refresh_area_counts)
    broker.enqueue("default", refresh_duplicate_pairs)
