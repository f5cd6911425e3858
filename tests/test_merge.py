"""Merging two records of one company: every linked record moves, unique links are combined, the
chosen values are kept, the merge is audited, and stale or forbidden merges are refused."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from crm import models as m
from crm.extensions import db
from crm.services.companies import merge as merging
from crm.services.platform.identifiers import build_siret
from crm.services.platform.local_time import local_today
from tests import factories as f
from tests.helpers import page_text

# Every column referencing companies.id when this was written. A new one fails the test below: check
# that merge moves it (a plain update, or a handler when a unique constraint includes the column),
# give it a label in merge.LINK_LABELS, and add one row of it to `linked` below.
KNOWN_LINKS = {
    ("contacts", "company_id"), ("interactions", "company_id"), ("hiring_needs", "company_id"),
    ("visits", "company_id"), ("tasks", "company_id"), ("plan_targets", "company_id"),
    ("event_companies", "company_id"), ("training_requests", "company_id"),
    ("duplicate_dismissals", "company_id"), ("duplicate_dismissals", "other_id"),
    ("company_projects", "company_id"), ("company_scores", "company_id"),
    ("checklist_items", "company_id"),
}


@pytest.fixture
def survivor():
    return f.CompanyFactory(name="Menuiserie Dupont", tags=["bâtiment"], address="2 rue Haute")


@pytest.fixture
def absorbed(survivor):
    return f.CompanyFactory(siren=survivor.siren, siret=build_siret(survivor.siren, "0099"),
                            name="Menuiserie Dupond SARL", verified=False, tags=["artisanat"],
                            address=None, sign="Les Bois Dupont", commune_code="25056",
                            postal_code="25000", basin_code=None, source="public_form")


def linked(company: m.Company) -> dict[str, object]:
    """One record of every kind linked to the company."""
    need = f.HiringNeedFactory(company=company)
    event_row = f.EventCompanyFactory(company=company)
    event_row.needs.append(need)
    third = f.CompanyFactory()
    low, high = sorted((company.id, third.id))
    records = {
        "contacts": f.ContactFactory(company=company), "interactions": f.InteractionFactory(company=company),
        "hiring_needs": need, "visits": f.VisitFactory(company=company),
        "tasks": f.FollowUpFactory(company=company), "plan_targets": f.PlanTargetFactory(company=company),
        "event_companies": event_row, "training_requests": f.TrainingRequestFactory(company=company),
        "duplicate_dismissals": m.DuplicateDismissal(company_id=low, other_id=high),
        "company_projects": f.CompanyProjectFactory(company=company),
        "checklist_items": f.ChecklistItemFactory(company=company),
    }
    db.session.add(records["duplicate_dismissals"])
    db.session.commit()
    return records


def test_every_foreign_key_to_companies_is_known_and_movable():
    links = {(link.table.name, link.column.name) for link in merging.company_links()}
    assert links == KNOWN_LINKS
    assert merging.unhandled_links() == []
    assert set(merging.LINK_LABELS) == {table for table, _ in links}


def test_a_unique_company_column_needs_a_handler():
    metadata = sa.MetaData()
    badges = sa.Table("company_badges", metadata, sa.Column("id", sa.Integer, primary_key=True),
                      sa.Column("company_id", sa.Integer), sa.Column("badge", sa.String),
                      sa.UniqueConstraint("company_id", "badge"))
    notes = sa.Table("company_notes", metadata, sa.Column("id", sa.Integer, primary_key=True),
                     sa.Column("company_id", sa.Integer, index=True))
    assert merging.unique_with(merging.Link(badges, badges.c.company_id))
    assert not merging.unique_with(merging.Link(notes, notes.c.company_id))


def test_merge_moves_every_linked_record(survivor, absorbed):
    records = linked(absorbed)
    absorbed_id = absorbed.id

    report = merging.merge(survivor, absorbed, {}, None)

    assert db.session.get(m.Company, absorbed_id) is None
    for kind, record in records.items():
        if kind != "duplicate_dismissals":
            db.session.refresh(record)
            assert record.company_id == survivor.id, kind
    dismissal = db.session.scalars(sa.select(m.DuplicateDismissal)).one()
    assert survivor.id in (dismissal.company_id, dismissal.other_id)
    assert absorbed_id not in (dismissal.company_id, dismissal.other_id)
    assert report.moved == {kind: 1 for kind in records}
    assert records["event_companies"].needs == [records["hiring_needs"]]
    for link in merging.company_links():
        left = sa.select(sa.func.count()).select_from(link.table).where(link.column == absorbed_id)
        assert db.session.scalar(left) == 0, link.table.name


def test_the_absorbed_score_goes_and_the_survivor_keeps_its_own(survivor, absorbed):
    f.CompanyScoreFactory(company=survivor, score=30)
    f.CompanyScoreFactory(company=absorbed, score=70)

    merging.merge(survivor, absorbed, {}, None)

    assert db.session.scalars(sa.select(m.CompanyScore.score)).all() == [30]


def test_a_checklist_answer_survives_the_merge(survivor, absorbed):
    checklist = f.SpotterChecklistFactory()
    mine = f.ChecklistItemFactory(checklist_id=checklist.id, company=survivor)
    f.ChecklistItemFactory(checklist_id=checklist.id, company=absorbed,
                           answer=m.ChecklistAnswer.NOTHING_FOR_NOW, answered_by_email="a@cci.fr")

    merging.merge(survivor, absorbed, {}, None)

    db.session.refresh(mine)
    assert (mine.answer, mine.answered_by_email) == (m.ChecklistAnswer.NOTHING_FOR_NOW, "a@cci.fr")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(m.ChecklistItem)) == 1


def test_moved_versioned_records_get_a_new_version(survivor, absorbed):
    visit = f.VisitFactory(company=absorbed)
    seen = visit.version
    merging.merge(survivor, absorbed, {}, None)
    db.session.refresh(visit)
    assert visit.version == seen + 1


def test_both_in_the_same_plan_keeps_one_target(survivor, absorbed):
    plan = f.ProspectionPlanFactory()
    assignee = f.UserFactory()
    kept = f.PlanTargetFactory(plan_id=plan.id, company=survivor, priority=3, assignee=None)
    f.PlanTargetFactory(plan_id=plan.id, company=absorbed, priority=1, assignee=assignee)
    other_plan = f.PlanTargetFactory(company=absorbed)

    merging.merge(survivor, absorbed, {}, None)

    targets = db.session.scalars(sa.select(m.PlanTarget).order_by(m.PlanTarget.id)).all()
    assert targets == [kept, other_plan]
    assert (kept.company_id, kept.priority, kept.assignee_id) == (survivor.id, 1, assignee.id)
    assert other_plan.company_id == survivor.id


def test_both_at_the_same_event_add_up(survivor, absorbed):
    event = f.EventFactory()
    mine = f.EventCompanyFactory(event_id=event.id, company=survivor, positions=2, interviews=5, hires=1)
    theirs = f.EventCompanyFactory(event_id=event.id, company=absorbed, positions=3, interviews=4, hires=2)
    shared, their_need = f.HiringNeedFactory(company=survivor), f.HiringNeedFactory(company=absorbed)
    mine.needs.append(shared)
    theirs.needs.extend([shared, their_need])
    db.session.commit()

    merging.merge(survivor, absorbed, {}, None)

    rows = db.session.scalars(sa.select(m.EventCompany)).all()
    assert rows == [mine]
    assert (mine.positions, mine.interviews, mine.hires) == (5, 9, 3)
    assert {need.id for need in mine.needs} == {shared.id, their_need.id}


def test_a_dismissal_between_the_two_disappears_and_others_are_kept(survivor, absorbed):
    third, fourth = f.CompanyFactory(), f.CompanyFactory()
    for one, other in ((survivor, absorbed), (survivor, third), (absorbed, third), (absorbed, fourth)):
        low, high = sorted((one.id, other.id))
        db.session.add(m.DuplicateDismissal(company_id=low, other_id=high))
    db.session.commit()

    merging.merge(survivor, absorbed, {}, None)

    pairs = {(row.company_id, row.other_id) for row in db.session.scalars(sa.select(m.DuplicateDismissal))}
    assert pairs == {tuple(sorted((survivor.id, third.id))), tuple(sorted((survivor.id, fourth.id)))}


def test_default_choices_prefer_the_verified_then_the_filled_values(survivor, absorbed):
    choices = merging.default_choices(survivor, absorbed)
    assert choices["name"] == merging.SURVIVOR  # the verified company's
    assert choices["sign"] == merging.ABSORBED  # only the absorbed one has it
    assert choices["address"] == merging.SURVIVOR
    reverse = merging.default_choices(absorbed, survivor)
    assert reverse["name"] == merging.ABSORBED and reverse["address"] == merging.ABSORBED
    assert reverse["sign"] == merging.SURVIVOR


def test_chosen_values_are_applied(survivor, absorbed):
    referent = f.UserFactory()
    absorbed.referent, absorbed.do_not_contact_before = referent, local_today() + timedelta(days=9)
    absorbed.preferred_channel = m.Channel.EMAIL
    db.session.commit()
    choices = {"name": merging.ABSORBED, "commune": merging.ABSORBED, "referent": merging.ABSORBED,
               "do_not_contact_before": merging.ABSORBED, "preferred_channel": merging.SURVIVOR,
               "address": merging.SURVIVOR}

    report = merging.merge(survivor, absorbed, choices, None)

    assert (survivor.name, survivor.search_name) == ("Menuiserie Dupond SARL", "menuiserie dupond sarl")
    assert (survivor.commune_code, survivor.basin_code) == ("25056", None)
    assert survivor.postal_code == "21000" and survivor.address == "2 rue Haute"
    assert survivor.referent_id == referent.id and survivor.preferred_channel is None
    assert survivor.do_not_contact_before == local_today() + timedelta(days=9)
    assert survivor.tags == ["artisanat", "bâtiment"] and survivor.verified
    assert report.taken == ["name", "commune", "referent", "do_not_contact_before"]


def test_unverified_survivor_becomes_verified_when_the_other_was(survivor, absorbed):
    merging.merge(absorbed, survivor, {}, None)
    assert absorbed.verified


def test_the_merge_is_audited(survivor, absorbed, manager):
    f.ContactFactory(company=absorbed)
    f.ContactFactory(company=absorbed)
    siret, absorbed_id = absorbed.siret, absorbed.id

    merging.merge(survivor, absorbed, {"sign": merging.ABSORBED}, manager)

    event = db.session.scalars(sa.select(m.AuditEvent).where(m.AuditEvent.action == "merged")).one()
    assert (event.actor_id, event.object_type, event.object_id) == (manager.id, "Company", str(survivor.id))
    assert event.changes["absorbed_id"] == absorbed_id and event.changes["absorbed_siret"] == siret
    assert event.changes["absorbed_name"] == "Menuiserie Dupond SARL"
    assert event.changes["moved_contacts"] == 2 and event.changes["taken_from_absorbed"] == ["sign"]


def test_refusals(survivor, absorbed):
    with pytest.raises(merging.MergeRefused, match="elle-même"):
        merging.merge(survivor, survivor, {}, None)
    other = f.CompanyFactory()
    with pytest.raises(merging.MergeRefused, match="cochez la case"):
        merging.merge(survivor, other, {}, None)
    merging.merge(survivor, other, {}, None, confirmed=True)
    assert db.session.get(m.Company, other.id) is None


def versions(text: str) -> dict[str, str]:
    found = {}
    for name in ("survivor_version", "absorbed_version"):
        tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', text).group(0)
        found[name] = re.search(r'value="(\d+)"', tag).group(1)
    return found


def merge_url(survivor: m.Company, absorbed: m.Company) -> str:
    return f"/entreprises/doublons/fusion?garder={survivor.id}&fusionner={absorbed.id}"


def test_the_merge_screen(client, manager, survivor, absorbed):
    f.ContactFactory(company=absorbed)
    f.HiringNeedFactory(company=absorbed)
    f.HiringNeedFactory(company=absorbed)

    text = page_text(client.get(merge_url(survivor, absorbed)))

    assert "Fusionner deux fiches d'entreprise" in text
    assert "Menuiserie Dupont" in text and "Menuiserie Dupond SARL" in text
    assert re.search(r'value="survivor" checked>\s*<label[^>]*>Menuiserie Dupont\b', text)
    assert re.search(r'value="absorbed" checked>\s*<label[^>]*>Les Bois Dupont', text)
    assert "Besoins de recrutement" in text and "Contacts" in text
    assert "identique sur les deux fiches" in text  # the headcount band, for one
    assert "Deux établissements vérifiés" not in text
    assert f"garder={absorbed.id}&fusionner={survivor.id}" in text  # keep the other one instead


def test_merging_from_the_screen(client, manager, survivor, absorbed):
    contact = f.ContactFactory(company=absorbed)
    absorbed_id = absorbed.id
    form = versions(page_text(client.get(merge_url(survivor, absorbed))))

    response = client.post(merge_url(survivor, absorbed), data=form | {"name": "absorbed"})

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/entreprises/{survivor.id}")
    db.session.expire_all()
    assert db.session.get(m.Company, absorbed_id) is None
    assert contact.company_id == survivor.id and survivor.name == "Menuiserie Dupond SARL"
    assert survivor.sign == "Les Bois Dupont"  # the default: the only value


def test_a_merge_prepared_on_stale_data_is_refused(client, manager, survivor, absorbed):
    contact = f.ContactFactory(company=absorbed)
    form = versions(page_text(client.get(merge_url(survivor, absorbed))))
    absorbed.name = "Menuiserie Dupond et fils"  # someone saves the absorbed company meanwhile
    db.session.commit()

    response = client.post(merge_url(survivor, absorbed), data=form)

    assert response.status_code == 422
    assert "Quelqu'un d'autre a modifié la fiche à fusionner" in page_text(response)
    db.session.expire_all()
    assert db.session.get(m.Company, absorbed.id) is not None and contact.company_id == absorbed.id


def test_a_merge_without_versions_is_refused(client, manager, survivor, absorbed):
    response = client.post(merge_url(survivor, absorbed), data={})
    assert response.status_code == 422
    assert "La page de fusion est incomplète" in page_text(response)
    assert db.session.get(m.Company, absorbed.id) is not None


def test_two_verified_companies_need_the_confirmation(client, manager, survivor):
    other = f.CompanyFactory(name="Menuiserie Dupont Besançon")
    url = merge_url(survivor, other)
    text = page_text(client.get(url))
    assert "Deux établissements vérifiés" in text
    form = versions(text)

    refused = client.post(url, data=form)
    assert refused.status_code == 422 and "cochez la case de confirmation" in page_text(refused)
    assert db.session.get(m.Company, other.id) is not None

    assert client.post(url, data=form | {"confirm_distinct": "y"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(m.Company, other.id) is None


def test_merging_a_company_with_itself_is_refused(client, manager, survivor):
    response = client.get(merge_url(survivor, survivor), follow_redirects=True)
    assert "ne peut pas être fusionnée avec elle-même" in page_text(response)


def test_only_supervisors_merge(client, auth, survivor, absorbed):
    auth.login(f.UserFactory(role=m.Role.ADVISER))
    assert client.get(merge_url(survivor, absorbed)).status_code == 403
    form = {"survivor_version": "1", "absorbed_version": "1"}
    assert client.post(merge_url(survivor, absorbed), data=form).status_code == 403
    assert db.session.get(m.Company, absorbed.id) is not None
    auth.logout()
    auth.login(f.UserFactory(role=m.Role.ADMIN))
    assert client.get(merge_url(survivor, absorbed)).status_code == 200
    missing = f"/entreprises/doublons/fusion?garder={survivor.id}&fusionner=999999"
    assert client.get(missing).status_code == 404
    assert client.get(f"/entreprises/doublons/fusion?garder={survivor.id}").status_code == 404
