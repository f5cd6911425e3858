"""Reloading the reference data from an admin page."""

from crm.services.platform import background_tasks
from crm.services.territory import reference
from jobs import tracked


@tracked
def reload_reference_data() -> dict:
    """Reload every reference table, reporting progress table by table."""
    written = {}
    for done, (model, rows) in enumerate(reference.LOADERS, start=1):
        written[model.__tablename__] = reference.upsert(model, rows())
        background_tasks.set_progress(done, len(reference.LOADERS))
    return {"written": written, "counts": reference.reference_counts()}
