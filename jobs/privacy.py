"""The nightly purge of personal data past its retention period."""

from flask import current_app

from crm.services.platform import unit_of_work
from crm.services.privacy import erasure


def purge_personal_data() -> dict[str, int]:
    """Erase what the retention settings no longer allow to keep."""
    config = current_app.config
    done = erasure.purge_expired(config["CRM_RETENTION_MONTHS"], config["CRM_MAIL_RETENTION_DAYS"],
                                 config["CRM_UPLOAD_RETENTION_DAYS"])
    unit_of_work.commit()
    return done
