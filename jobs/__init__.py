"""RQ jobs: short functions that take ids, run in the worker's app context and call services."""

import functools
import logging

from crm.extensions import db
from crm.services import tasks

log = logging.getLogger(__name__)


def tracked(func):
    """Mark the job's BackgroundTask finished with the job's result, or failed with its error."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        task_id = tasks.current_task_id()
        try:
            result = func(*args, **kwargs)
        except Exception as error:
            db.session.rollback()
            log.exception("job %s failed", task_id)
            tasks.fail_task(task_id, f"Erreur pendant le traitement : {error}")
            raise
        tasks.finish_task(task_id, result)
        return result

    return wrapper
