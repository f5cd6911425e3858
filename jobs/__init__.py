"""RQ jobs: short functions that take ids, run in the worker's app context and call services.
A job is its unit of work: the services it calls do not commit, the job (here `tracked`) does."""

import functools
import logging

from crm.extensions import db
from crm.services.platform import background_tasks, unit_of_work
from crm.services.platform.refusals import Refused

log = logging.getLogger(__name__)


def tracked(func):
    """Commit the job's work and mark its BackgroundTask finished with the job's result, or roll
    it back and mark the task failed with its error (a `Refused` one with its French message as
    it is: it says what the person should do)."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        task_id = background_tasks.current_task_id()
        background_tasks.begin_task(task_id)
        try:
            result = func(*args, **kwargs)
            unit_of_work.commit()
        except Exception as error:
            db.session.rollback()
            if isinstance(error, Refused):
                log.info("job %s refused: %s", task_id, error.message)
                background_tasks.fail_task(task_id, error.message)
            else:
                log.exception("job %s failed", task_id)
                background_tasks.fail_task(task_id, f"Erreur pendant le traitement : {error}")
            raise
        background_tasks.finish_task(task_id, result)
        return result

    return wrapper
