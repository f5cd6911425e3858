"""The fiche action form, the plan list's filters and the rollout stage of a basin."""

from datetime import date

from wtforms import (
    DateField,
    FieldList,
    FormField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from crm.blueprints.forms import FilterForm, FrenchForm, VersionedForm, options
from crm.models import Basin, Indicator, Organisation, PlanStatus, ProspectionPlan, RolloutStage
from crm.services.plans.fiche import (
    NAF_SECTIONS,
    PRIORITY_SEGMENTS,
    ActorRole,
    Milestone,
    PlanInput,
)

BLANK_ACTORS, BLANK_MILESTONES = 3, 3


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ActorRow(FrenchForm):
    class Meta:
        csrf = False

    organisation = SelectField("Organisation", choices=[], validate_choice=False)
    role = StringField("Rôle dans le plan", validators=[Optional(), Length(max=500)])


class MilestoneRow(FrenchForm):
    class Meta:
        csrf = False

    day = DateField("Date", validators=[Optional()])
    step = StringField("Étape", validators=[Optional(), Length(max=200)])


class PlanForm(VersionedForm):
    title = StringField("Titre du plan", validators=[DataRequired("Donnez un titre au plan."),
                                                     Length(max=160)])
    basin_code = SelectField("Bassin d'emploi", choices=[])
    period_start = DateField("Début de la période", validators=[DataRequired("Indiquez le début.")])
    period_end = DateField("Fin de la période", validators=[DataRequired("Indiquez la fin.")])
    status = SelectField("État", choices=options((s.value, s.label) for s in PlanStatus))
    priority_segments = MultiCheckboxField(
        "Segments prioritaires", choices=list(PRIORITY_SEGMENTS.items()),
        description="Les publics d'entreprises que le protocole désigne comme prioritaires.")
    priority_sectors = MultiCheckboxField("Secteurs prioritaires (sections NAF)",
                                          choices=[(code, f"{code} – {label}")
                                                   for code, label in NAF_SECTIONS.items()])
    methods = TextAreaField("Méthodes et innovations", validators=[Optional(), Length(max=5000)])
    resources = TextAreaField("Moyens", validators=[Optional(), Length(max=5000)])
    actors = FieldList(FormField(ActorRow), min_entries=BLANK_ACTORS)
    milestones = FieldList(FormField(MilestoneRow), min_entries=BLANK_MILESTONES)

    def __init__(self, basins: list[Basin], organisations: list[Organisation], *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.basin_code.choices = [(b.code, f"{b.name} ({b.code})") for b in basins]
        self.organisation_choices = [("", "— Choisir —")] + [(str(o.id), o.name) for o in organisations]
        for row in self.actors:
            row.form.organisation.choices = self.organisation_choices

    def objective_fields(self) -> list:
        return [self[f"target_{indicator.value}"] for indicator in Indicator]

    def fill_from(self, plan: ProspectionPlan) -> None:
        """Show the saved plan (a GET of the edit page)."""
        self.title.data, self.basin_code.data = plan.name, plan.basin_code
        self.status.data = plan.status.value
        self.period_start.data, self.period_end.data = plan.period_start, plan.period_end
        self.priority_segments.data = plan.priority_segments
        self.priority_sectors.data = plan.priority_sectors
        self.methods.data, self.resources.data = plan.methods, plan.resources
        self.version.data = str(plan.version)
        for objective in plan.objectives:
            self[f"target_{objective.indicator.value}"].data = objective.target
        rows = [{"organisation": str(a.organisation_id), "role": a.role or ""} for a in plan.actors]
        days = [{"day": date.fromisoformat(m["date"]), "step": m["label"]} for m in plan.milestones]
        for field, values, blank in ((self.actors, rows, BLANK_ACTORS),
                                     (self.milestones, days, BLANK_MILESTONES)):
            while len(field):
                field.pop_entry()
            for value in values + [{}] * blank:
                field.append_entry(value)
        for row in self.actors:
            row.form.organisation.choices = self.organisation_choices

    def plan_input(self) -> PlanInput:
        return PlanInput(
            title=self.title.data or "", basin_code=self.basin_code.data or "",
            period_start=self.period_start.data, period_end=self.period_end.data,
            status=PlanStatus(self.status.data),
            objectives={indicator: self[f"target_{indicator.value}"].data for indicator in Indicator
                        if self[f"target_{indicator.value}"].data is not None},
            priority_segments=list(self.priority_segments.data or []),
            priority_sectors=list(self.priority_sectors.data or []),
            methods=self.methods.data or "", resources=self.resources.data or "",
            actors=[ActorRole(int(row.organisation.data), row.role.data or "")
                    for row in self.actors if (row.organisation.data or "").isdigit()],
            milestones=[Milestone(row.day.data, row.step.data or "") for row in self.milestones
                        if row.day.data or (row.step.data or "").strip()],
        )


for _indicator in Indicator:
    setattr(PlanForm, f"target_{_indicator.value}", IntegerField(
        _indicator.label, validators=[Optional(), NumberRange(min=1, message="Un nombre positif.")]))


class PlanFilterForm(FilterForm):
    basin = SelectField("Bassin", choices=[], validate_choice=False)
    status = SelectField("État", choices=options([("", "Tous")], ((s.value, s.label) for s in PlanStatus)),
                         validate_choice=False)


class RolloutForm(FrenchForm):
    stage = SelectField("Étape de déploiement", choices=[(s.value, s.label) for s in RolloutStage])
