"""RQ jobs: short functions that take ids, run in the worker's app context and call services."""

import functools
import logging

from crm.extensions import db
from crm.services.platform import background_tasks

log = logging.getLogger(__name__)


def tracked(func):
    """Mark the job's BackgroundTask finished with the job's result, or failed with its error."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        task_id = background_tasks.current_task_id()
        try:
            result = func(*args, **kwargs)
        except Exception as error:
            db.session.rollback()
            log.exception("job %s failed", task_id)
            background_tasks.fail_task(task_id, f"Erreur pendant le traitement : {error}")
            raise
        background_tasks.finish_task(task_id, result)
        return result

    return wrapper
