"""Every route of the application, as each kind of person reaches it: anonymous, an offer spotter
partner, an adviser of the organisation that owns the records in the URL, an adviser of another
organisation, that organisation's manager and an administrator.

A route without a declared expectation fails the test: a new route cannot be added without saying who
may reach it. GET requests are sent for every role; POST requests (empty forms, CSRF is off in the
tests) only for the roles that must be refused, since an accepted one would change the records."""

from datetime import timedelta

import pytest
from flask import url_for

from crm import models as m
from crm.extensions import db
from crm.services.accounts import access, users
from crm.services.companies import exports
from crm.services.events import firms, registrations, surveys
from crm.services.imports import partner_files, partners, spreadsheets
from crm.services.indicators import reports
from crm.services.plans import checklists
from tests import factories as f

ROLES = ("anonymous", "partner", "adviser", "other_adviser", "manager", "admin")

OK = "ok"  # 2xx
LOGIN = "login"  # a redirection to the sign-in page, or 401 for the API
REDIRECT = "redirect"  # any other redirection
FORBIDDEN = "forbidden"  # 403
NOT_FOUND = "not_found"  # 404
INVALID = "invalid"  # 400 or 422: let in, but the request lacks its input
ALLOWED = "allowed"  # POST accepted for this role: not sent, it would change the seeded records


def row(*outcomes: str) -> dict[str, str]:
    """One outcome per role, in the order of ROLES."""
    assert len(outcomes) == len(ROLES)
    return dict(zip(ROLES, outcomes, strict=True))


PUBLIC = row(OK, OK, OK, OK, OK, OK)
SIGNED_IN = row(LOGIN, OK, OK, OK, OK, OK)
STAFF = row(LOGIN, FORBIDDEN, OK, OK, OK, OK)
PILOT = row(LOGIN, FORBIDDEN, OK, FORBIDDEN, OK, OK)  # the owning organisation's adviser and manager, admins
SUPERVISORS = row(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, OK)
ADMINS = row(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK)
POST_PUBLIC = row(ALLOWED, ALLOWED, ALLOWED, ALLOWED, ALLOWED, ALLOWED)
POST_SIGNED_IN = row(LOGIN, ALLOWED, ALLOWED, ALLOWED, ALLOWED, ALLOWED)
POST_STAFF = row(LOGIN, FORBIDDEN, ALLOWED, ALLOWED, ALLOWED, ALLOWED)
POST_PILOT = row(LOGIN, FORBIDDEN, ALLOWED, FORBIDDEN, ALLOWED, ALLOWED)
POST_SUPERVISORS = row(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, ALLOWED, ALLOWED)
POST_ADMINS = row(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, ALLOWED)

# (endpoint, method) → outcome per role. Records in the URL belong to the pilot organisation and its
# adviser; a route without its query string may answer INVALID to those let in.
EXPECTED: dict[tuple[str, str], dict[str, str]] = {
    ("admin.message", "GET"): ADMINS,
    ("admin.rsa_pilot_territories", "GET"): ADMINS,
    ("admin.rsa_pilot_territories", "POST"): POST_ADMINS,
    ("admin.end_rsa_pilot", "POST"): POST_ADMINS,
    ("admin.message_retry", "POST"): POST_ADMINS,
    ("admin.messages", "GET"): ADMINS,
    ("admin.organisation_activation", "POST"): POST_ADMINS,
    ("admin.organisation_edit", "GET"): ADMINS,
    ("admin.organisation_edit", "POST"): POST_ADMINS,
    ("admin.organisation_new", "GET"): ADMINS,
    ("admin.organisation_new", "POST"): POST_ADMINS,
    ("admin.organisations", "GET"): ADMINS,
    ("admin.pressure_settings", "GET"): ADMINS,
    ("admin.pressure_settings", "POST"): POST_ADMINS,
    ("admin.event_settings", "GET"): ADMINS,
    ("admin.event_settings", "POST"): POST_ADMINS,
    ("admin.satisfaction_settings", "GET"): ADMINS,
    ("admin.satisfaction_settings", "POST"): POST_ADMINS,
    ("admin.privacy", "GET"): ADMINS,
    ("admin.privacy_erasure", "POST"): POST_ADMINS,
    ("admin.privacy_export", "POST"): POST_ADMINS,
    ("admin.reference_data", "GET"): ADMINS,
    ("admin.reference_reload", "POST"): POST_ADMINS,
    ("admin.sirene_import", "GET"): ADMINS,
    ("admin.sirene_import", "POST"): POST_ADMINS,
    ("admin.user_activation", "POST"): POST_ADMINS,
    ("admin.user_edit", "GET"): ADMINS,
    ("admin.user_edit", "POST"): POST_ADMINS,
    ("admin.security_log", "GET"): ADMINS,
    ("admin.user_invite", "POST"): POST_ADMINS,
    ("admin.user_new", "GET"): ADMINS,
    ("admin.user_new", "POST"): POST_ADMINS,
    ("admin.user_token_new", "POST"): POST_ADMINS,
    ("admin.user_token_revoke", "POST"): POST_ADMINS,
    ("admin.user_tokens", "GET"): ADMINS,
    ("admin.users", "GET"): ADMINS,
    ("agenda.edit_task", "GET"): PILOT,
    ("agenda.edit_task", "POST"): POST_PILOT,
    ("agenda.hire_outcome", "POST"): POST_PILOT,
    ("agenda.my_day", "GET"): STAFF,
    ("agenda.new_task", "GET"): STAFF,
    ("agenda.new_task", "POST"): POST_STAFF,
    ("agenda.task_done", "POST"): POST_PILOT,
    ("agenda.task_reopen", "POST"): POST_PILOT,
    ("agenda.tasks", "GET"): STAFF,
    ("api.basin_list", "GET"): SIGNED_IN,
    ("api.commune_list", "GET"): SIGNED_IN,
    ("api.company", "GET"): SIGNED_IN,
    ("api.company_list", "GET"): SIGNED_IN,
    ("api.create_interaction", "POST"): POST_SIGNED_IN,
    ("api.create_plan", "POST"): POST_SUPERVISORS,
    ("api.plan", "GET"): SIGNED_IN,
    ("api.plan_list", "GET"): SIGNED_IN,
    ("api.create_need", "POST"): POST_SIGNED_IN,
    ("api.need", "GET"): row(LOGIN, OK, OK, NOT_FOUND, OK, OK),
    ("api.need_list", "GET"): SIGNED_IN,
    # a partner's token with the "indicators" scope reads them; advisers never do
    ("api.indicators", "GET"): row(LOGIN, INVALID, FORBIDDEN, FORBIDDEN, INVALID, INVALID),
    ("api.plan_target_list", "GET"): STAFF,
    ("api.add_plan_targets", "POST"): row(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, ALLOWED, ALLOWED),
    ("api.openapi", "GET"): PUBLIC,
    ("api.training_eligibility", "POST"): POST_SIGNED_IN,
    ("api.create_training_request", "POST"): POST_STAFF,
    ("api.training_request", "GET"): row(LOGIN, NOT_FOUND, OK, OK, OK, OK),
    ("api.training_transition", "POST"): row(LOGIN, NOT_FOUND, ALLOWED, ALLOWED, ALLOWED, ALLOWED),
    ("api.create_event", "POST"): POST_STAFF,
    ("api.event", "GET"): SIGNED_IN,  # a published event: partners read it too
    ("api.event_list", "GET"): SIGNED_IN,
    ("api.register", "POST"): POST_SIGNED_IN,
    ("api.add_co_handler", "POST"): row(LOGIN, FORBIDDEN, ALLOWED, NOT_FOUND, ALLOWED, ALLOWED),
    ("api.update_co_handler", "PATCH"): row(LOGIN, FORBIDDEN, FORBIDDEN, NOT_FOUND, FORBIDDEN,
                                            ALLOWED),  # the co-handler's staff, admins
    ("api.put_forward", "POST"): row(LOGIN, FORBIDDEN, ALLOWED, NOT_FOUND, ALLOWED, ALLOWED),
    ("api.move_candidate", "PATCH"): row(LOGIN, FORBIDDEN, ALLOWED, NOT_FOUND, ALLOWED, ALLOWED),
    ("auth.login", "GET"): row(OK, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
    ("auth.login", "POST"): row(ALLOWED, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
    ("auth.logout", "POST"): POST_SIGNED_IN,
    ("auth.forgot_password", "GET"): PUBLIC,
    ("auth.forgot_password", "POST"): POST_PUBLIC,
    # an unknown token: the French "link unusable" page
    ("auth.accept_invitation", "GET"): row(*[NOT_FOUND] * 6),
    ("auth.accept_invitation", "POST"): POST_PUBLIC,
    ("auth.reset_password", "GET"): row(*[NOT_FOUND] * 6),
    ("auth.reset_password", "POST"): POST_PUBLIC,
    ("checklists.answers", "GET"): SUPERVISORS,
    ("checklists.directory", "GET"): SUPERVISORS,
    ("checklists.new", "GET"): SUPERVISORS,
    ("checklists.new", "POST"): POST_SUPERVISORS,
    ("checklists.nothing_for_now", "POST"): row(LOGIN, ALLOWED, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    ("checklists.public_list", "GET"): PUBLIC,  # the signed link of the e-mail: no sign-in
    ("checklists.public_nothing_for_now", "POST"): POST_PUBLIC,
    ("checklists.sent", "GET"): SUPERVISORS,
    ("checklists.to_check", "GET"): row(LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    ("companies.add_tag", "POST"): POST_STAFF,
    ("companies.apply_view", "GET"): row(LOGIN, NOT_FOUND, REDIRECT, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    ("companies.companies", "GET"): SIGNED_IN,
    ("companies.company", "GET"): SIGNED_IN,
    ("companies.delete_contact", "GET"): STAFF,
    ("companies.delete_contact", "POST"): POST_STAFF,
    ("companies.delete_project", "GET"): STAFF,
    ("companies.delete_project", "POST"): POST_STAFF,
    ("companies.delete_view", "POST"): row(LOGIN, NOT_FOUND, ALLOWED, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    ("companies.dismiss_duplicate", "POST"): POST_STAFF,
    ("companies.duplicates", "GET"): STAFF,
    ("companies.duplicates_of", "GET"): STAFF,
    ("companies.edit", "GET"): STAFF,
    ("companies.edit", "POST"): POST_STAFF,
    ("companies.edit_contact", "GET"): STAFF,
    ("companies.edit_contact", "POST"): POST_STAFF,
    ("companies.edit_project", "GET"): STAFF,
    ("companies.edit_project", "POST"): POST_STAFF,
    ("companies.export", "POST"): POST_SIGNED_IN,
    ("companies.export_download", "GET"): row(LOGIN, NOT_FOUND, OK, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    ("companies.import_confirm", "POST"): row(LOGIN, FORBIDDEN, ALLOWED, FORBIDDEN, FORBIDDEN, ALLOWED),
    ("companies.import_history", "GET"): SIGNED_IN,
    ("companies.import_mapping", "GET"): row(LOGIN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN, OK),
    ("companies.import_preview", "GET"): row(LOGIN, FORBIDDEN, INVALID, FORBIDDEN, FORBIDDEN, INVALID),
    ("companies.import_rejects", "GET"): row(LOGIN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN, OK),
    ("companies.import_upload", "GET"): SIGNED_IN,
    ("companies.import_upload", "POST"): POST_SIGNED_IN,
    ("companies.merge", "GET"): row(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, NOT_FOUND, NOT_FOUND),
    ("companies.merge", "POST"): row(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, NOT_FOUND, NOT_FOUND),
    ("companies.new_contact", "GET"): STAFF,
    ("companies.new_contact", "POST"): POST_STAFF,
    ("companies.new_project", "GET"): STAFF,
    ("companies.new_project", "POST"): POST_STAFF,
    ("companies.referent", "GET"): STAFF,
    ("companies.referent", "POST"): POST_STAFF,
    ("companies.remove_tag", "POST"): POST_STAFF,
    ("companies.rename_view", "POST"): row(LOGIN, NOT_FOUND, ALLOWED, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    ("companies.save_view", "POST"): POST_SIGNED_IN,
    ("health.healthz", "GET"): PUBLIC,
    ("health.readyz", "GET"): row(*("503",) * 6),  # no worker nor cron runs during the tests
    # an adviser opens on their own figures (tests/test_indicator_breakdowns.py)
    ("indicators.dashboard", "GET"): STAFF,
    ("indicators.export", "GET"): STAFF,
    ("indicators.glossary", "GET"): STAFF,
    ("indicators.committees_page", "GET"): SUPERVISORS,
    ("indicators.new_committee", "GET"): SUPERVISORS,
    ("indicators.new_committee", "POST"): POST_SUPERVISORS,
    ("indicators.edit_committee", "GET"): SUPERVISORS,  # the manager follows the committee's basin
    ("indicators.edit_committee", "POST"): POST_SUPERVISORS,
    ("indicators.reports_list", "GET"): SUPERVISORS,
    ("indicators.request_report", "POST"): POST_SUPERVISORS,
    ("indicators.download_report", "GET"): SUPERVISORS,
    ("indicators.member_report", "GET"): PUBLIC,  # a member's signed link: no sign-in
    ("main.home", "GET"): SIGNED_IN,
    ("main.index", "GET"): row(LOGIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
    ("main.task", "GET"): row(LOGIN, NOT_FOUND, OK, NOT_FOUND, NOT_FOUND, OK),
    ("main.task_json", "GET"): row(LOGIN, NOT_FOUND, OK, NOT_FOUND, NOT_FOUND, OK),
    ("maps.basin", "GET"): STAFF,
    ("maps.basins", "GET"): STAFF,
    ("maps.companies_data", "GET"): row(LOGIN, FORBIDDEN, INVALID, INVALID, INVALID, INVALID),
    ("maps.map_page", "GET"): STAFF,
    ("needs.accept_transfer", "POST"): POST_PILOT,
    ("needs.aftercare_results", "GET"): SUPERVISORS,
    ("needs.add_co_handler", "POST"): POST_PILOT,
    ("needs.remove_co_handler", "POST"): POST_PILOT,
    ("needs.ask_co_handling", "POST"): row(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    ("needs.update_co_handling", "POST"): POST_ADMINS,  # the co-handler's own staff, admins
    ("needs.put_forward", "POST"): POST_PILOT,  # and the co-handlers' staff
    ("needs.move_candidate", "POST"): POST_PILOT,  # the proposing organisation's staff, admins
    ("needs.close", "POST"): POST_PILOT,
    ("needs.contact", "POST"): POST_PILOT,
    ("needs.flag", "GET"): row(LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    ("needs.flag_new", "GET"): row(LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    ("needs.flag_new", "POST"): row(LOGIN, ALLOWED, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    ("needs.flags", "GET"): row(LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    ("needs.late", "GET"): SUPERVISORS,
    ("needs.message", "POST"): POST_PILOT,
    ("needs.need", "GET"): PILOT,
    ("needs.needs", "GET"): STAFF,
    ("needs.pipeline", "GET"): STAFF,
    ("needs.pipeline_move", "POST"): POST_PILOT,
    ("needs.pipeline_reassign", "POST"): POST_SUPERVISORS,
    ("needs.propose_transfer", "POST"): row(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    ("needs.queue", "GET"): SUPERVISORS,
    ("needs.refuse_transfer", "POST"): POST_PILOT,
    ("needs.take_in_charge", "POST"): POST_PILOT,
    ("needs.transfer", "POST"): POST_PILOT,
    ("events.calendar", "GET"): PUBLIC,
    ("events.cancel_page", "GET"): PUBLIC,  # the candidate's signed cancel link
    ("events.cancel_page", "POST"): POST_PUBLIC,
    ("events.cancel_registration", "POST"): POST_STAFF,
    ("events.change_status", "POST"): POST_STAFF,
    ("events.check_in", "POST"): POST_STAFF,
    ("events.check_in_list", "GET"): STAFF,
    ("events.edit_event", "GET"): PILOT,  # the organisers' staff, the author, admins
    ("events.edit_event", "POST"): POST_PILOT,
    ("events.firm_answer", "GET"): PUBLIC,  # the firm's signed link: no account
    ("events.firm_answer", "POST"): POST_PUBLIC,
    ("events.firm_need", "POST"): POST_PUBLIC,  # a need filed through the firm's signed link
    ("events.indicators", "GET"): STAFF,
    ("events.indicators_csv", "GET"): STAFF,
    ("events.invite_firm", "POST"): POST_STAFF,
    ("events.invite_plan_targets", "POST"): POST_STAFF,
    ("events.new_event", "GET"): STAFF,
    ("events.new_event", "POST"): POST_STAFF,
    ("events.outcomes", "GET"): PILOT,
    ("events.outcomes", "POST"): POST_PILOT,
    ("events.public_event_page", "GET"): PUBLIC,
    ("events.public_event_page", "POST"): POST_PUBLIC,
    ("events.public_list", "GET"): PUBLIC,
    ("events.register_candidate", "POST"): POST_STAFF,
    ("events.staff_event", "GET"): STAFF,
    ("events.staff_list", "GET"): STAFF,
    ("events.survey_page", "GET"): PUBLIC,  # the participant's signed survey link: no account
    ("events.survey_page", "POST"): POST_PUBLIC,
    ("plans.compared", "GET"): STAFF,
    ("plans.edit_plan", "GET"): SUPERVISORS,  # the manager follows the plan's basin
    ("plans.edit_plan", "POST"): POST_SUPERVISORS,
    ("plans.export_plan", "GET"): SIGNED_IN,  # partners read active plans' fiche action
    ("plans.new_plan", "GET"): SUPERVISORS,
    ("plans.new_plan", "POST"): POST_SUPERVISORS,
    ("plans.plan", "GET"): SIGNED_IN,
    ("plans.plans", "GET"): SIGNED_IN,
    ("plans.print_plan", "GET"): SIGNED_IN,
    ("plans.set_rollout", "POST"): POST_ADMINS,
    ("public.accessibility", "GET"): PUBLIC,
    ("public.communes_of_postal_code", "GET"): PUBLIC,
    ("public.completed", "GET"): row(REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
    ("public.confirmation", "GET"): PUBLIC,
    ("public.job_search", "GET"): PUBLIC,
    ("public.legal_notice", "GET"): PUBLIC,
    ("public.personal_data", "GET"): PUBLIC,
    ("public.request_form", "GET"): PUBLIC,
    ("public.request_form", "POST"): POST_PUBLIC,
    ("public.send_message", "POST"): POST_PUBLIC,
    ("public.survey_answer", "POST"): POST_PUBLIC,
    ("public.tracking_page", "GET"): PUBLIC,
    ("public.withdraw", "GET"): PUBLIC,
    ("public.withdraw", "POST"): POST_PUBLIC,
    ("routing.rule_activation", "POST"): POST_ADMINS,
    ("routing.rule_edit", "GET"): ADMINS,
    ("routing.rule_edit", "POST"): POST_ADMINS,
    ("routing.rule_move", "POST"): POST_ADMINS,
    ("routing.rule_new", "GET"): ADMINS,
    ("routing.rule_new", "POST"): POST_ADMINS,
    ("routing.rules", "GET"): ADMINS,
    ("routing.simulator", "GET"): ADMINS,
    ("routing.spotters", "GET"): SUPERVISORS,
    ("routing.spotters_csv", "GET"): SUPERVISORS,
    ("targets.add_segment", "POST"): POST_SUPERVISORS,
    ("targets.assign", "POST"): POST_SUPERVISORS,
    ("targets.balance", "POST"): POST_SUPERVISORS,
    ("targets.my_targets", "GET"): STAFF,
    ("targets.outcome", "POST"): POST_PILOT,  # the target's assignee, the basin's manager, admins
    ("targets.plan_targets", "GET"): STAFF,
    ("targets.remove", "POST"): POST_SUPERVISORS,
    ("targets.save_segment", "POST"): POST_SUPERVISORS,
    ("targets.saved_segments", "GET"): SUPERVISORS,
    ("targets.segment", "GET"): SUPERVISORS,
    ("targets.segment_count", "GET"): SUPERVISORS,
    ("training.add_frap_line", "POST"): POST_ADMINS,
    ("training.add_parameter", "POST"): POST_ADMINS,
    ("training.convention", "GET"): STAFF,
    ("training.convention_pdf", "GET"): STAFF,
    ("training.edit_request", "GET"): row(LOGIN, FORBIDDEN, OK, FORBIDDEN, OK, OK),
    ("training.edit_request", "POST"): row(LOGIN, FORBIDDEN, ALLOWED, FORBIDDEN, ALLOWED, ALLOWED),
    ("training.employer_wish", "POST"): POST_PUBLIC,  # the tracking page's token: no sign-in
    ("training.move", "POST"): POST_STAFF,  # the workflow then says who may make each step
    ("training.new_request", "GET"): row(LOGIN, FORBIDDEN, INVALID, INVALID, INVALID, INVALID),
    ("training.new_request", "POST"): row(LOGIN, FORBIDDEN, INVALID, INVALID, INVALID, INVALID),
    ("training.promotion_page", "GET"): STAFF,
    ("training.request_list", "GET"): STAFF,
    ("training.request_page", "GET"): STAFF,
    ("training.settings", "GET"): ADMINS,
    ("visits.edit_visit", "GET"): PILOT,
    ("visits.edit_visit", "POST"): POST_PILOT,
    ("visits.log_interaction", "GET"): STAFF,
    ("visits.log_interaction", "POST"): POST_STAFF,
    ("visits.new_visit", "GET"): STAFF,
    ("visits.new_visit", "POST"): POST_STAFF,
    ("visits.report", "GET"): STAFF,
    ("visits.visit", "GET"): STAFF,
    ("visits.visits", "GET"): STAFF,
    ("visits.week", "GET"): STAFF,
}


class Seed:
    """The people of each role and one record of each kind the routes take in their URL, owned by
    the pilot organisation (France Travail Dijon) and its adviser."""

    def __init__(self, agency: m.Organisation, adviser: m.User, mission_locale: m.Organisation):
        chamber = f.OrganisationFactory(name="CCI Côte-d'Or", kind=m.OrganisationKind.CCI,
                                        is_spotter=True)
        other_adviser = f.UserFactory(organisation=mission_locale, name="Léa Moreau")
        self.users = {
            "partner": f.UserFactory(organisation=chamber, role=m.Role.PARTNER, name="Chloé Partenaire"),
            "adviser": adviser,
            "other_adviser": other_adviser,
            "manager": f.UserFactory(organisation=agency, role=m.Role.MANAGER, name="Inès Manager",
                                     basins=[db.session.get(m.Basin, "2711")]),
            "admin": f.UserFactory(organisation=mission_locale, role=m.Role.ADMIN, name="Alice Admin"),
        }
        company = f.CompanyFactory(name="Boulangerie Martin")
        twin = f.CompanyFactory(siren=company.siren, siret=company.siren + "00099", name="Boulangerie Martin")
        need = f.HiringNeedFactory(
            company=company, organisation=agency, adviser=adviser, status=m.NeedStatus.ASSIGNED,
            source=m.NeedSource.SPOTTER, source_organisation=chamber, flagged_by=self.users["partner"],
            first_contact_due_at=m.utcnow() + timedelta(days=2))
        proposal = m.NeedTransferProposal(need_id=need.id, organisation_id=mission_locale.id,
                                          from_organisation_id=agency.id, proposed_by_id=other_adviser.id,
                                          reason="La candidate relève de la Mission locale.")
        co_handler = m.NeedCoHandler(need_id=need.id, organisation_id=f.OrganisationFactory(
            name="Cap emploi 21", kind=m.OrganisationKind.CAP_EMPLOI).id)
        candidate = m.NeedCandidate(need_id=need.id, organisation_id=agency.id, reference="J.D.",
                                    consent_on=m.utcnow().date())
        db.session.add_all([co_handler, candidate])
        db.session.flush()
        plan = f.ProspectionPlanFactory(basin_code="2711", status=m.PlanStatus.ACTIVE)
        checklist = f.SpotterChecklistFactory(organisation=chamber, created_by=adviser)
        item = f.ChecklistItemFactory(checklist_id=checklist.id, company=company)
        visit = f.VisitFactory(company=company, created_by=adviser)
        f.VisitParticipantFactory(visit_id=visit.id, user=adviser)
        view = m.SavedView(user_id=adviser.id, organisation_id=agency.id, page="companies",
                           name="Mes boulangeries", filters={"q": "boulangerie"})
        sent = self.upload(partners.UPLOAD_KIND, "liste.csv", b"siret;nom\n73282932000074;Martin\n", adviser)
        db.session.flush()
        read = spreadsheets.read_sheet("liste.csv", sent.content)
        partner_list = partner_files.store_parsed(sent, read).upload
        rejects = self.upload(partners.UPLOAD_KIND, "rejets.csv", b"ligne;motif\n2;SIRET\n", adviser)
        export = self.upload(exports.KIND, "entreprises.csv", b"siret;nom\n", adviser)
        target = f.PlanTargetFactory(plan_id=plan.id, company=company, assignee=adviser)
        event = f.EventFactory(status=m.EventStatus.PUBLISHED, organisers=[agency],
                               created_by_id=adviser.id, starts_at=m.utcnow() - timedelta(hours=1))
        registration = f.EventRegistrationFactory(event_id=event.id, queue_number=1)
        participation = f.EventCompanyFactory(event_id=event.id, company=company,
                                              status=m.ParticipationStatus.CONFIRMED)
        survey = m.EventSurvey(event_id=event.id, respondent=m.SurveyRespondent.CANDIDATE,
                               registration_id=registration.id)
        committee = m.Committee(level=m.CommitteeLevel.BASIN, code="2711", name="Comité de Dijon",
                                members=["membre@exemple.fr"])
        report = m.CommitteeReport(committee=committee, period_start=m.utcnow().date() - timedelta(days=30),
                                   period_end=m.utcnow().date())
        db.session.add_all([proposal, view, survey, committee, report])
        db.session.flush()
        reports.store(report, "<p>Rapport</p>", None)
        db.session.commit()
        import_task = f.BackgroundTaskFactory(kind=partners.TASK_KIND, user_id=adviser.id,
                                              status=m.BackgroundTaskStatus.FINISHED,
                                              result={"rejects_upload_id": rejects.id})
        export_task = f.BackgroundTaskFactory(
            kind=exports.KIND, user_id=adviser.id, status=m.BackgroundTaskStatus.FINISHED,
            result={"Fichier": export.filename, "Entreprises exportées": 1, "upload_id": export.id})
        self.arguments = {
            "message_id": f.OutboxMessageFactory().id, "organisation_id": agency.id,
            "action": "desactiver", "user_id": adviser.id, "token_id": f.ApiTokenFactory(user=adviser).id,
            "task_id": f.FollowUpFactory(assignee=adviser, company=company, created_by_id=adviser.id).id,
            "view_id": view.id, "company_id": company.id, "contact_id": f.ContactFactory(company=company).id,
            "other_id": twin.id, "upload_id": partner_list.id, "siret": company.siret,
            "reference": need.reference, "proposal_id": proposal.id, "token": need.tracking_token,
            "code": "2711", "rule_id": db.session.scalar(db.select(m.RoutingRule.id).limit(1)),
            "direction": "descendre", "visit_id": visit.id, "checklist_id": checklist.id,
            "item_id": item.id, "plan_id": plan.id, "target_id": target.id,
            "link": checklists.link_token(checklist, self.users["partner"].email),
            "project_id": f.CompanyProjectFactory(company=company).id,
            "request_id": f.TrainingRequestFactory(company=company, organisation_id=agency.id,
                                                   created_by_id=adviser.id).id,
            "event_id": event.id, "registration_id": registration.id, "row_id": participation.id,
            "cancel_link": registrations.cancel_token(registration),
            "firm_link": firms.firm_token(participation),
            "survey_link": surveys.survey_token(survey),
            "co_handler_id": co_handler.id, "candidate_id": candidate.id,
            "territory_id": db.session.scalar(db.select(m.RsaPilotTerritory.id).limit(1)),
            "fmt": "csv", "committee_id": committee.id, "report_id": report.id, "kind": "html",
        }
        # Background tasks, rather than follow-up tasks, for these routes' `task_id`
        self.overrides = {"companies.export_download": {"task_id": export_task.id},
                          "companies.import_rejects": {"task_id": import_task.id},
                          "main.task": {"task_id": export_task.id},
                          "main.task_json": {"task_id": export_task.id},
                          "indicators.member_report": {
                              "token": reports.signed_link(report, "membre@exemple.fr").rsplit("/", 1)[1]}}

    @staticmethod
    def upload(kind: str, filename: str, content: bytes, user: m.User) -> m.Upload:
        upload = m.Upload(kind=kind, filename=filename, content=content, size=len(content),
                          user_id=user.id, organisation_id=user.organisation_id)
        db.session.add(upload)
        return upload

    def url(self, rule) -> str:
        values = self.arguments | self.overrides.get(rule.endpoint, {})
        return url_for(rule.endpoint, **{name: values[name] for name in rule.arguments})


def outcome(response) -> str:
    if response.status_code == 401 or (response.status_code in (301, 302, 303)
                                        and "/connexion" in response.location):
        return LOGIN
    if response.status_code in (301, 302, 303):
        return REDIRECT
    return {403: FORBIDDEN, 404: NOT_FOUND, 400: INVALID, 422: INVALID}.get(
        response.status_code, OK if response.status_code < 300 else str(response.status_code))


def routes(app) -> list:
    return sorted((rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"),
                  key=lambda rule: rule.endpoint)


def requests(app) -> list[tuple[str, str]]:
    """Each (endpoint, method) to check: GET when the route answers it, POST or PATCH when it
    takes it."""
    return [(rule.endpoint, method) for rule in routes(app) for method in ("GET", "POST", "PATCH")
            if method in rule.methods]


def test_every_route_declares_who_may_reach_it(app):
    missing = [f"{endpoint} {method}" for endpoint, method in requests(app)
               if (endpoint, method) not in EXPECTED]
    unknown = [f"{endpoint} {method}" for endpoint, method in EXPECTED
               if (endpoint, method) not in requests(app)]
    assert not missing, ("Routes without an access expectation per role in tests/test_route_access.py "
                         "(EXPECTED): " + ", ".join(missing))
    assert not unknown, "Expectations for routes that no longer exist: " + ", ".join(unknown)


@pytest.mark.parametrize("role", ROLES)
def test_each_route_answers_each_role_as_declared(app, client, auth, agency, adviser, mission_locale,
                                                  role):
    seed = Seed(agency, adviser, mission_locale)
    user = seed.users.get(role)
    headers = {}
    if user is not None:
        auth.login(user)
        scopes = [scope for scope in m.ApiScope  # every scope the account may hold
                  if scope != m.ApiScope.INDICATORS or access.reads_indicators_with_token(user)]
        headers = {"Authorization": f"Bearer {users.issue_api_token(user, scopes=scopes)}"}
        db.session.commit()
    with app.test_request_context():
        urls = {rule.endpoint: seed.url(rule) for rule in routes(app)}
    wrong = []
    for endpoint, method in requests(app):
        expected = EXPECTED.get((endpoint, method), {}).get(role)
        if expected is None or expected == ALLOWED:
            continue
        send = {"GET": client.get, "POST": client.post, "PATCH": client.patch}[method]
        got = outcome(send(urls[endpoint], headers=headers if endpoint.startswith("api.") else {}))
        if got != expected:
            wrong.append(f"{method} {urls[endpoint]} ({endpoint}): expected {expected}, got {got}")
    assert not wrong, f"As {role}:\n" + "\n".join(wrong)
