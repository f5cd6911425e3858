"""Event pages: organising with French validation and the double bannière, status changes, firms
invited from needs that answer through their signed link, candidates on the public pages (with the
waiting list, the cancel link and the calendar file), check-in, outcomes feeding the needs and the
firm's timeline, the J-2 reminder, the purge and the lists' query counts."""

from datetime import datetime, timedelta

import pytest
from icalendar import Calendar

from crm import models as m
from crm.extensions import db
from crm.services.companies import timeline
from crm.services.events import firms, registrations, upkeep
from tests import factories as f
from tests.helpers import assert_constant_queries, count, text_of

FORM = {"kind": "job_dating", "title": "Job dating BTP", "starts_at": "2026-06-24T09:00",
        "ends_at": "2026-06-24T12:00", "venue": "Agence France Travail Dijon Est",
        "commune_code": "21231", "capacity": "2", "rome_codes": "F1703"}


def mails(kind: str) -> list[m.OutboxMessage]:
    return list(db.session.scalars(db.select(m.OutboxMessage).where(m.OutboxMessage.kind == kind)
                                   .order_by(m.OutboxMessage.id)))


def test_an_adviser_organises_a_double_banner_event(client, signed_in, agency, mission_locale):
    response = client.post("/gestion/evenements/nouveau",
                           data=FORM | {"organiser_ids": [agency.id, mission_locale.id]})
    assert response.status_code == 302
    event = db.session.scalar(db.select(m.Event))
    assert event.double_banner and event.basin_code == "2711"
    assert event.starts_at == datetime(2026, 6, 24, 7, 0)  # Paris summer time, stored in UTC
    page = client.get(f"/gestion/evenements/{event.id}").get_data(as_text=True)
    assert "Double bannière" in page and "France Travail Dijon et Mission locale Dijon" in page


@pytest.mark.parametrize(("changes", "message"), [
    ({"organiser_ids": []}, "Choisissez au moins une structure organisatrice."),
    ({"ends_at": "2026-06-24T08:00"}, "La fin doit être après le début."),
    ({"starts_at": "2026-06-01T08:00", "ends_at": "2026-06-01T09:00"}, "La date de début doit être à venir."),
    ({"venue": "", "commune_code": ""}, "Indiquez le lieu et la commune, ou un lien"),
    ({"rome_codes": "Z9999"}, "Codes ROME inconnus : Z9999."),
    ({"capacity": "0"}, "Au moins 1 place."),
])
def test_a_wrong_event_is_refused_in_french_and_nothing_is_saved(client, signed_in, agency, changes,
                                                                   message):
    data = FORM | {"organiser_ids": [agency.id]} | changes
    response = client.post("/gestion/evenements/nouveau", data=data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert count(m.Event) == 0


def published(agency, **values) -> m.Event:
    values = {"status": m.EventStatus.PUBLISHED, "organisers": [agency], "capacity": 1} | values
    event = f.EventFactory(**values)
    db.session.commit()
    return event


def test_publishing_then_cancelling_tells_the_candidates(client, signed_in, agency):
    event = f.EventFactory(organisers=[agency], created_by_id=signed_in.id)
    db.session.commit()
    client.post(f"/gestion/evenements/{event.id}/etat", data={"status": "published"})
    assert db.session.get(m.Event, event.id).status == m.EventStatus.PUBLISHED
    f.EventRegistrationFactory(event_id=event.id, email="a@exemple.fr", queue_number=1)
    db.session.commit()
    client.post(f"/gestion/evenements/{event.id}/etat", data={"status": "cancelled",
                                                              "reason": "Intempéries"})
    assert db.session.get(m.Event, event.id).status == m.EventStatus.CANCELLED
    assert [mail.recipient for mail in mails("event_cancelled")] == ["a@exemple.fr"]
    response = client.post(f"/gestion/evenements/{event.id}/etat", data={"status": "published"})
    assert response.status_code == 302
    assert db.session.get(m.Event, event.id).status == m.EventStatus.CANCELLED


def test_another_organisation_cannot_change_the_event(client, auth, agency, mission_locale):
    event = published(agency)
    auth.login(f.UserFactory(organisation=mission_locale))
    client.post(f"/gestion/evenements/{event.id}/etat", data={"status": "cancelled"})
    assert db.session.get(m.Event, event.id).status == m.EventStatus.PUBLISHED


def register(client, event, email: str, **changes):
    return client.post(f"/evenements/{event.id}", data={
        "name": "Camille Durand", "email": email, "consent": "y"} | changes)


def test_a_candidate_registers_then_waits_then_is_promoted_by_a_cancel_link(client, agency):
    event = published(agency)
    first = register(client, event, "camille@exemple.fr")
    assert first.status_code == 200 and "Votre inscription est confirmée" in first.get_data(as_text=True)
    second = register(client, event, "lou@exemple.fr", name="Lou Martin")
    assert "Vous êtes sur la liste d'attente" in second.get_data(as_text=True)
    assert db.session.get(m.Event, event.id).status == m.EventStatus.FULL
    confirmation = mails("event_registered")[0]
    assert confirmation.recipient == "camille@exemple.fr"
    link = next(line for line in confirmation.body.splitlines() if "/evenements/desinscription/" in line)
    path = link[link.index("/evenements/desinscription/"):]
    assert "Vous désinscrire ?" in client.get(path).get_data(as_text=True)
    assert "Vous êtes désinscrit(e)" in client.post(path).get_data(as_text=True)
    lou = db.session.scalar(db.select(m.EventRegistration)
                            .where(m.EventRegistration.email == "lou@exemple.fr"))
    assert lou.status == m.RegistrationStatus.CONFIRMED
    assert [mail.recipient for mail in mails("event_promoted")] == ["lou@exemple.fr"]
    assert client.get(path[:-3] + "abc").status_code == 404


def test_registration_needs_consent_and_says_so_in_french(client, agency):
    event = published(agency)
    response = register(client, event, "pas-une-adresse", consent="")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Votre accord est nécessaire" in page and "adresse e-mail valide" in page
    assert count(m.EventRegistration) == 0


def test_a_draft_or_unknown_event_is_not_public(client, agency):
    draft = f.EventFactory(organisers=[agency])
    db.session.commit()
    assert client.get(f"/evenements/{draft.id}").status_code == 404
    assert client.get(f"/evenements/{2**40}").status_code == 404


def test_the_public_list_filters_by_basin_sector_and_date(client, agency):
    published(agency, title="BTP Dijon", sectors=["F"])
    published(agency, title="Santé Besançon", basin_code="2706", commune_code="25056", sectors=["Q"])
    published(agency, title="Plus tard", starts_at=m.utcnow() + timedelta(days=60), sectors=["F"])
    page = client.get("/evenements?basin=2711&sector=F").get_data(as_text=True)
    assert "BTP Dijon" in page and "Plus tard" in page and "Santé Besançon" not in page
    page = client.get("/evenements?from_day=2026-07-15").get_data(as_text=True)
    assert "Plus tard" in page and "BTP Dijon" not in page
    assert client.get("/evenements?from_day=demain").status_code == 200


def test_the_calendar_file_is_valid_icalendar(client, agency, mission_locale):
    event = published(agency, organisers=[agency, mission_locale])
    response = client.get(f"/evenements/{event.id}/calendrier.ics")
    assert response.mimetype == "text/calendar"
    entry = Calendar.from_ical(response.data).walk("VEVENT")[0]
    assert str(entry["SUMMARY"]) == event.title
    assert entry.decoded("DTSTART").replace(tzinfo=None) == event.starts_at.replace(microsecond=0)
    assert "France Travail Dijon et Mission locale Dijon" in str(entry["DESCRIPTION"])


def test_a_firm_invited_from_its_need_confirms_by_link_and_outcomes_feed_the_need(
        client, signed_in, agency, project_clock):
    company = f.CompanyFactory(name="Maçonnerie Dupont")
    f.ContactFactory(company=company, email="rh@dupont.fr")
    need = f.HiringNeedFactory(company=company, organisation=agency, positions=3,
                               status=m.NeedStatus.ASSIGNED, basin_code="2711")
    event = published(agency, capacity=10, created_by_id=signed_in.id)
    page = client.get(f"/gestion/evenements/{event.id}").get_data(as_text=True)
    assert need.reference in page  # proposed from the basin's open needs
    client.post(f"/gestion/evenements/{event.id}/entreprises", data={"need_id": need.id})
    row = db.session.scalar(db.select(m.EventCompany))
    assert row.status == m.ParticipationStatus.INVITED and row.needs == [need]
    invitation = mails("event_invitation")[0]
    assert invitation.recipient == "rh@dupont.fr"
    link = next(line for line in invitation.body.splitlines() if "/evenements/entreprise/" in line)
    path = link[link.index("/evenements/entreprise/"):]
    assert firms.row_for_token(path.rsplit("/", 1)[1]) == row
    assert "Maçonnerie Dupont" in client.get(path).get_data(as_text=True)
    refused = client.post(path, data={"coming": "oui", "positions": ""})
    assert refused.status_code == 422
    client.post(path, data={"coming": "oui", "positions": "2", "jobs": "Maçon", "need_ids": [need.id]})
    db.session.expire_all()
    row = db.session.get(m.EventCompany, row.id)
    assert (row.status, row.positions, row.jobs) == (m.ParticipationStatus.CONFIRMED, 2, "Maçon")
    assert "Maçonnerie Dupont : 2 postes" in client.get(f"/evenements/{event.id}").get_data(as_text=True)

    # On the day: check-in, then outcomes
    candidate = registrations.register(event.id, registrations.Candidate("Camille", "c@exemple.fr",
                                                                         consent=True))
    db.session.commit()
    project_clock.travel_to(event.starts_at + timedelta(hours=1))
    assert "Camille" in client.get(f"/gestion/evenements/{event.id}/pointage").get_data(as_text=True)
    client.post(f"/gestion/evenements/{event.id}/pointage/{candidate.id}", data={"present": "1"})
    assert db.session.get(m.EventRegistration, candidate.id).checked_in_at is not None
    url = f"/gestion/evenements/{event.id}/entreprises/{row.id}/resultats"
    wrong = client.post(url, data={"interviews": "2", "shortlisted": "1", "hires": "3", "poe_entries": "0"})
    assert wrong.status_code == 422 and "embauches que d&#39;entretiens" in wrong.get_data(as_text=True)
    client.post(url, data={"interviews": "5", "shortlisted": "3", "hires": "2", "poe_entries": "1"})
    db.session.expire_all()
    assert db.session.get(m.HiringNeed, need.id).hires == 2
    client.post(url, data={"interviews": "5", "shortlisted": "3", "hires": "1", "poe_entries": "1"})
    db.session.expire_all()
    assert db.session.get(m.HiringNeed, need.id).hires == 1
    entries = [e for e in timeline.timeline_of(company.id).entries if e.kind == "event"]
    assert entries[0].detail == ("Présence confirmée, 2 postes, 5 entretiens, 3 candidats retenus, "
                                 "1 embauche, 1 POE")
    figures = upkeep.indicators([event.id])
    assert (figures.firms, figures.positions, figures.present, figures.hires, figures.poe_entries) == (
        1, 2, 1, 1, 1)


def test_a_tampered_firm_link_is_refused(client):
    assert client.get("/evenements/entreprise/abc.def").status_code == 404


def test_reminders_go_two_days_before_once(agency, project_clock):
    event = published(agency, capacity=5, starts_at=datetime(2026, 6, 12, 7, 0))
    f.EventRegistrationFactory(event_id=event.id, email="a@exemple.fr", queue_number=1)
    f.EventRegistrationFactory(event_id=event.id, email="b@exemple.fr", queue_number=2,
                               status=m.RegistrationStatus.CANCELLED)
    db.session.commit()
    assert upkeep.send_reminders() == 1
    assert upkeep.send_reminders() == 0
    db.session.commit()
    assert [mail.recipient for mail in mails("event_reminder")] == ["a@exemple.fr"]


def test_personal_data_is_purged_six_months_after_keeping_counts(agency, project_clock):
    old = published(agency, starts_at=datetime(2025, 11, 1, 8), ends_at=datetime(2025, 11, 1, 11))
    recent = published(agency, starts_at=datetime(2026, 5, 1, 8), ends_at=datetime(2026, 5, 1, 11))
    for event in (old, recent):
        f.EventRegistrationFactory(event_id=event.id, email="x@exemple.fr", phone="0612345678",
                                   queue_number=1, checked_in_at=event.starts_at)
    db.session.commit()
    assert upkeep.purge_personal_data() == 1
    db.session.commit()
    purged = db.session.scalar(db.select(m.EventRegistration).where(m.EventRegistration.event_id == old.id))
    assert (purged.name, purged.email, purged.phone) == (upkeep.PURGED_NAME, "", None)
    assert registrations.counts(old.id).present == 1
    kept = db.session.scalar(db.select(m.EventRegistration).where(m.EventRegistration.event_id == recent.id))
    assert kept.email == "x@exemple.fr"
    assert upkeep.purge_personal_data() == 0


def test_the_lists_run_a_constant_number_of_queries(client, signed_in, agency, mission_locale):
    def add(n: int):
        for _ in range(n):
            event = f.EventFactory(status=m.EventStatus.PUBLISHED, organisers=[agency, mission_locale])
            f.EventRegistrationFactory(event_id=event.id, queue_number=1)
        db.session.commit()

    assert_constant_queries(client, "/gestion/evenements", add)
    db.session.execute(db.delete(m.EventRegistration))
    assert_constant_queries(client, "/evenements", add)


def test_the_plans_event_companies_objective_counts_the_firms_that_came(agency):
    from datetime import date

    from crm.services.plans import objectives

    plan = f.ProspectionPlanFactory(basin_code="2711", period_start=date(2026, 1, 1),
                                    period_end=date(2026, 12, 31))
    f.PlanObjectiveFactory(plan_id=plan.id, indicator=m.Indicator.EVENT_COMPANIES, target=10)
    event = published(agency)
    cancelled = published(agency, status=m.EventStatus.CANCELLED)
    firm = f.CompanyFactory(basin_code="2711")
    f.EventCompanyFactory(event_id=event.id, company=firm, status=m.ParticipationStatus.CONFIRMED)
    f.EventCompanyFactory(event_id=event.id, company=f.CompanyFactory(basin_code="2711"),
                          status=m.ParticipationStatus.INVITED)
    f.EventCompanyFactory(event_id=cancelled.id, company=f.CompanyFactory(basin_code="2711"),
                          status=m.ParticipationStatus.CONFIRMED)
    db.session.commit()
    db.session.refresh(plan)
    row = next(row for row in objectives.progress(plan) if row.indicator == m.Indicator.EVENT_COMPANIES)
    assert row.achieved == 1


def test_raising_the_capacity_promotes_the_waiting_candidates(client, signed_in, agency):
    event = published(agency, capacity=1, created_by_id=signed_in.id)
    for number in range(3):
        registrations.register(event.id, registrations.Candidate(f"C{number}", f"c{number}@exemple.fr",
                                                                 consent=True))
    db.session.commit()
    client.post(f"/gestion/evenements/{event.id}/modifier", data=FORM | {
        "organiser_ids": [agency.id], "capacity": "2", "title": event.title})
    db.session.expire_all()
    assert registrations.counts(event.id) == registrations.Counts(confirmed=2, waiting=1)
    assert [mail.recipient for mail in mails("event_promoted")] == ["c1@exemple.fr"]
    assert db.session.get(m.Event, event.id).status == m.EventStatus.FULL


def test_the_staff_list_filters_by_period_and_shows_the_indicators(client, signed_in, agency,
                                                                  mission_locale):
    june = published(agency, title="Juin", capacity=4, organisers=[agency, mission_locale])
    published(agency, title="Septembre", starts_at=datetime(2026, 9, 10, 7),
              ends_at=datetime(2026, 9, 10, 10))
    f.EventRegistrationFactory(event_id=june.id, queue_number=1)
    db.session.commit()
    page = client.get("/gestion/evenements?from_day=2026-06-01&to_day=2026-06-30").get_data(as_text=True)
    assert "Juin" in page and "Septembre" not in page
    assert "1 événement, dont 1 à double bannière (100 %)" in page
    assert "Remplissage des places : 25 %" in page
    wrong = text_of(client, "/gestion/evenements?from_day=hier", 422)
    assert "N'est pas une date valide." in wrong  # said in French, every event kept
    assert "Juin" in wrong and "Septembre" in wrong


def test_the_target_firms_of_a_plan_are_invited_at_once(client, signed_in, agency):
    plan = f.ProspectionPlanFactory(basin_code="2711", status=m.PlanStatus.ACTIVE)
    for name in ("Alpha", "Bravo"):
        firm = f.CompanyFactory(name=name)
        f.ContactFactory(company=firm, email=f"rh@{name.lower()}.fr")
        f.PlanTargetFactory(plan_id=plan.id, company=firm)
    event = published(agency, created_by_id=signed_in.id)
    client.post(f"/gestion/evenements/{event.id}/entreprises-du-plan", data={"plan_id": plan.id})
    assert count(m.EventCompany) == 2
    assert sorted(mail.recipient for mail in mails("event_invitation")) == ["rh@alpha.fr", "rh@bravo.fr"]
    other = f.ProspectionPlanFactory(basin_code="2706", status=m.PlanStatus.ACTIVE)
    client.post(f"/gestion/evenements/{event.id}/entreprises-du-plan", data={"plan_id": other.id})
    assert count(m.EventCompany) == 2


def test_a_time_at_the_edge_of_the_calendar_is_refused_not_a_crash(client, signed_in, agency):
    response = client.post("/gestion/evenements/nouveau", data=FORM | {
        "organiser_ids": [agency.id], "starts_at": "0001-01-01T00:00"})
    assert response.status_code == 422
    assert count(m.Event) == 0


def test_a_firm_files_a_new_need_from_its_link_routed_and_linked_to_the_event(client, agency):
    company = f.CompanyFactory(name="Maçonnerie Dupont")
    event = published(agency, capacity=10)
    row = f.EventCompanyFactory(event_id=event.id, company=company,
                                status=m.ParticipationStatus.INVITED, contact_email="rh@dupont.fr")
    db.session.commit()
    path = f"/evenements/entreprise/{firms.firm_token(row)}"
    page = client.get(path).get_data(as_text=True)
    assert "Remplir la demande de recrutement" in page and 'name="besoin-rome_code"' in page

    refused = client.post(path + "/demande", data={"besoin-positions": "0"})
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert "Indiquez le métier recherché" in text and "Vous devez accepter le traitement" in text
    assert count(m.HiringNeed) == 0

    filed = client.post(path + "/demande", data={
        "besoin-rome_code": "F1703", "besoin-positions": "2", "besoin-contract_type": "cdi",
        "besoin-contact_name": "Julie Dupont", "besoin-contact_email": "julie@dupont.fr",
        "besoin-consent": "y"})
    assert filed.status_code == 302 and filed.location.endswith("#demandes")
    need = db.session.scalar(db.select(m.HiringNeed))
    assert (need.company_id, need.positions, need.source) == (company.id, 2, m.NeedSource.EVENT)
    assert need.organisation_id is not None  # routed like any need
    db.session.expire_all()
    assert db.session.get(m.EventCompany, row.id).needs == [need]
    assert [mail.recipient for mail in mails("need_ack")] == ["julie@dupont.fr"]
    page = client.get(path).get_data(as_text=True)
    assert f"Votre demande {need.reference} est enregistrée et liée à l&#39;événement" in page
    assert f"{need.reference} – " in page  # offered among the open needs of its answer


def test_a_cancelled_event_takes_no_need(client, agency):
    event = published(agency, status=m.EventStatus.CANCELLED)
    row = f.EventCompanyFactory(event_id=event.id, status=m.ParticipationStatus.INVITED)
    db.session.commit()
    response = client.post(f"/evenements/entreprise/{firms.firm_token(row)}/demande", data={
        "besoin-rome_code": "F1703", "besoin-positions": "1", "besoin-contract_type": "cdi",
        "besoin-contact_name": "Julie Dupont", "besoin-contact_email": "julie@dupont.fr",
        "besoin-consent": "y"})
    assert response.status_code == 422 and "Cet événement est annulé" in response.get_data(as_text=True)
    assert count(m.HiringNeed) == 0


def indicator_events(agency, mission_locale) -> tuple[m.Event, m.Event]:
    """A double-bannière event in Dijon in June, another in Besançon in September."""
    june = published(agency, title="Juin Dijon", capacity=4, organisers=[agency, mission_locale])
    september = published(agency, title="=Septembre Besançon", capacity=2, basin_code="2706",
                          commune_code="25056", starts_at=datetime(2026, 9, 10, 7),
                          ends_at=datetime(2026, 9, 10, 10))
    published(agency, title="Annulé", status=m.EventStatus.CANCELLED)
    f.EventRegistrationFactory(event_id=june.id, queue_number=1, checked_in_at=june.starts_at)
    f.EventRegistrationFactory(event_id=june.id, queue_number=2)
    f.EventRegistrationFactory(event_id=september.id, queue_number=1)
    f.EventCompanyFactory(event_id=june.id, status=m.ParticipationStatus.CONFIRMED, positions=3,
                          interviews=5, hires=2)
    f.EventCompanyFactory(event_id=september.id, status=m.ParticipationStatus.CONFIRMED,
                          positions=1)
    db.session.commit()
    return june, september


def test_the_indicators_page_per_basin_and_event_with_filters(client, signed_in, agency,
                                                             mission_locale):
    june, september = indicator_events(agency, mission_locale)
    page = client.get("/gestion/evenements").get_data(as_text=True)
    assert "/gestion/evenements/indicateurs" in page
    page = client.get("/gestion/evenements/indicateurs").get_data(as_text=True)
    assert "Juin Dijon" in page and "=Septembre Besançon" in page and "Annulé" not in page
    tables = upkeep.indicator_tables()
    assert (tables.total.events, tables.total.double_banner_share, tables.total.firms,
            tables.total.positions, tables.total.registered, tables.total.present,
            tables.total.hires, tables.total.fill_rate) == (2, 50, 2, 4, 3, 1, 2, 50)
    assert [(row.code, row.figures.registered) for row in tables.basins] == [("2706", 1), ("2711", 2)]
    assert [row.label for row in tables.events] == ["Juin Dijon", "=Septembre Besançon"]

    filtered = client.get("/gestion/evenements/indicateurs?basin=2711&from_day=2026-06-01"
                          "&to_day=2026-06-30").get_data(as_text=True)
    assert "Juin Dijon" in filtered and "Septembre" not in filtered
    assert "tableau=bassins&amp;basin=2711" in filtered or "basin=2711&amp;tableau=bassins" in filtered
    empty = client.get("/gestion/evenements/indicateurs?from_day=2030-01-01")
    assert "Aucun événement ne correspond" in empty.get_data(as_text=True)
    assert client.get("/gestion/evenements/indicateurs?from_day=hier").status_code == 200


def test_each_indicator_table_downloads_as_safe_csv(client, signed_in, agency, mission_locale):
    indicator_events(agency, mission_locale)
    total = client.get("/gestion/evenements/indicateurs.csv")
    assert total.content_type == "text/csv; charset=utf-8"
    assert 'filename="indicateurs-evenements-ensemble.csv"' in total.headers["Content-Disposition"]
    lines = total.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines[0].startswith("Événements;Dont double bannière;Part double bannière (%)")
    assert lines[1] == "2;1;50;6;50;2;4;3;1;5;0;2;0"
    basins = client.get("/gestion/evenements/indicateurs.csv?tableau=bassins&basin=2711")
    assert basins.get_data(as_text=True).splitlines()[1].startswith("2711;")
    events = client.get("/gestion/evenements/indicateurs.csv?tableau=evenements").get_data(as_text=True)
    assert ";'=Septembre Besançon;10/09/2026;France Travail Dijon;" in events  # no formula
    assert client.get("/gestion/evenements/indicateurs.csv?tableau=autre").status_code == 404


def test_the_indicators_page_runs_a_constant_number_of_queries(client, signed_in, agency,
                                                               mission_locale):
    def add(n: int):
        for number in range(n):
            event = f.EventFactory(status=m.EventStatus.PUBLISHED, organisers=[agency, mission_locale],
                                   basin_code=("2711", "2706")[number % 2])
            f.EventRegistrationFactory(event_id=event.id, queue_number=1)
            f.EventCompanyFactory(event_id=event.id, status=m.ParticipationStatus.CONFIRMED)
        db.session.commit()

    assert_constant_queries(client, "/gestion/evenements/indicateurs", add)


def test_partners_and_strangers_do_not_see_the_indicators(client, auth):
    assert "/connexion" in client.get("/gestion/evenements/indicateurs").location
    partner = f.UserFactory(role=m.Role.PARTNER, organisation=f.OrganisationFactory(
        kind=m.OrganisationKind.CCI, is_spotter=True))
    auth.login(partner)
    assert client.get("/gestion/evenements/indicateurs").status_code == 403
    assert client.get("/gestion/evenements/indicateurs.csv").status_code == 403


def test_an_admin_sets_the_purge_delay_audited_and_the_purge_follows_it(client, admin, agency):
    page = client.get("/admin/evenements").get_data(as_text=True)
    assert 'value="6"' in page and "Valeur par défaut : 6 mois." in page
    for wrong in ("0", "37", "six"):
        response = client.post("/admin/evenements", data={"purge_months": wrong})
        assert response.status_code == 422
        assert ("Indiquez un nombre de mois entre 1 et 36." in response.get_data(as_text=True)
                or "Indiquez un nombre de mois." in response.get_data(as_text=True))
    assert upkeep.purge_months() == 6
    assert client.post("/admin/evenements", data={"purge_months": "2"}).status_code == 302
    assert upkeep.purge_months() == 2
    audit = db.session.scalar(db.select(m.AuditEvent).where(m.AuditEvent.action == "settings_changed"))
    assert audit.actor_id == admin.id and audit.object_type == "AppSetting"
    assert audit.changes == {"before": str({"purge_months": 6}), "after": str({"purge_months": 2})}
    assert "Le délai d&#39;effacement" in client.get("/admin/evenements").get_data(as_text=True)

    ended = published(agency, starts_at=datetime(2026, 3, 1, 8), ends_at=datetime(2026, 3, 1, 11))
    f.EventRegistrationFactory(event_id=ended.id, email="x@exemple.fr", queue_number=1)
    db.session.commit()
    assert upkeep.purge_personal_data() == 1  # ended more than 2 months ago


def test_the_purge_delay_is_refused_out_of_range_by_the_service_too(admin):
    from crm.services.platform.refusals import InvalidInput

    with pytest.raises(InvalidInput) as refused:
        upkeep.save_purge_months(40, admin)
    assert refused.value.fields == {"purge_months": ["Indiquez un nombre de mois entre 1 et 36."]}


def test_only_admins_set_the_purge_delay(client, signed_in):
    assert client.get("/admin/evenements").status_code == 403
    assert client.post("/admin/evenements", data={"purge_months": "1"}).status_code == 403
