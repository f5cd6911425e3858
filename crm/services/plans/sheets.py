"""A plan's fiche action and objectives as a spreadsheet, through the one export writer."""

from collections.abc import Iterator
from typing import IO

from crm.models import ProspectionPlan
from crm.services.plans import objectives
from crm.services.plans.fiche import NAF_SECTIONS, PRIORITY_SEGMENTS
from crm.services.platform import spreadsheet_files

XLSX_TYPE = spreadsheet_files.XLSX_TYPE


def fiche_rows(plan: ProspectionPlan) -> Iterator[list]:
    yield ["Plan", plan.name]
    yield ["Bassin", f"{plan.basin.name} ({plan.basin_code})"]
    yield ["Étape de déploiement du bassin", plan.basin.rollout_stage.label]
    yield ["Période", f"du {plan.period_start:%d/%m/%Y} au {plan.period_end:%d/%m/%Y}"]
    yield ["État", plan.status.label]
    yield ["Segments prioritaires", "; ".join(PRIORITY_SEGMENTS[key] for key in plan.priority_segments
                                              if key in PRIORITY_SEGMENTS)]
    yield ["Secteurs prioritaires", "; ".join(f"{code} – {NAF_SECTIONS[code]}"
                                              for code in plan.priority_sectors if code in NAF_SECTIONS)]
    yield ["Méthodes et innovations", plan.methods or ""]
    yield ["Moyens", plan.resources or ""]
    for actor in plan.actors:
        yield ["Acteur", actor.organisation.name, actor.role or ""]
    for milestone in plan.milestones:
        yield ["Étape du calendrier", milestone["date"], milestone["label"]]


def objective_rows(plan: ProspectionPlan) -> Iterator[list]:
    yield ["Objectif", "Cible", "Réalisé", "Attendu à ce jour", "Écart"]
    for row in objectives.progress(plan):
        yield [row.indicator.label, row.target, "" if row.achieved is None else row.achieved,
               row.expected_to_date, "" if row.gap is None else row.gap]


def plan_workbook(plan: ProspectionPlan) -> IO[bytes]:
    rows = [*fiche_rows(plan), [], *objective_rows(plan)]
    return spreadsheet_files.xlsx_file(rows, title="Fiche action")
