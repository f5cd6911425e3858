"""The SIRENE import started from the admin page, on the "imports" queue."""

from crm.services.imports import sirene
from crm.services.platform import background_tasks
from jobs import derived, tracked


@tracked
def import_sirene(folder_id: str, names: dict[str, str]) -> dict:
    """Import the uploaded files, reporting the bytes read; the files are removed afterwards."""
    folder = sirene.upload_folder(folder_id)
    paths = {role: folder / name for role, name in names.items()}
    try:
        summary = sirene.import_files(paths["establishments"], paths.get("unites"), paths.get("geoloc"),
                                      report=background_tasks.set_progress)
    finally:
        sirene.discard_upload(folder_id)
    sirene.record_run(background_tasks.current_task_id(), summary)
    derived.refresh_after_import()
    return summary
