"""The POE/FRAP funnel's steps: what each of the committee dashboard's POE figures counts among the
requests dated in its period, and what the requests list's "étape" filter keeps, written once
(docs/indicators.md, docs/training.md)."""

import sqlalchemy as sa

from crm.models import TrainingRequest, TrainingStatus
from crm.services.training import workflow

APPROVED = (TrainingStatus.APPROVED, TrainingStatus.CONVENTION_SIGNED, *workflow.ENTERED)
FILED = TrainingRequest.status != TrainingStatus.DRAFT
# step → (label, the requests the step counts among those dated in the period)
STEPS: dict[str, tuple[str, sa.ColumnElement[bool]]] = {
    "deposee": ("Déposées (brouillons exclus)", FILED),
    "frap": ("Avec complément FRAP", sa.and_(FILED, TrainingRequest.frap_requested.is_(True))),
    "accordee": ("Accordées (ou plus avancées)", TrainingRequest.status.in_(APPROVED)),
    "entree": ("Entrées en formation", TrainingRequest.status.in_(workflow.ENTERED)),
    "embauche": ("Embauche réalisée", TrainingRequest.status == TrainingStatus.HIRED),
    "issue": ("Issue connue (embauche ou non)", TrainingRequest.status.in_(
        (TrainingStatus.HIRED, TrainingStatus.NOT_HIRED))),
}
