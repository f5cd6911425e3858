"""The need page and the employer's tracking page when organisations work a need together."""

from datetime import date

import sqlalchemy as sa

from crm import models as m
from crm.extensions import db
from crm.services.needs import candidates, cohandling
from tests import factories as f
from tests.helpers import page_text
from tests.test_co_handling import Network, net  # noqa: F401  (the fixture)


def test_the_pilot_invites_a_co_handler_from_the_need_page(client, auth, net):  # noqa: F811
    db.session.commit()
    auth.login(net.paul)
    url = f"/demandes/{net.need.reference}"
    text = page_text(client.get(url))
    assert "Structures co-traitantes" in text and "Mission locale Dijon" in text
    assert "Inviter une structure à co-traiter" in text and "Proposer un candidat" in text
    response = client.post(f"{url}/co-traitance", data={"co_add-organisation": net.cap.id})
    assert response.status_code == 302
    co = db.session.scalar(sa.select(m.NeedCoHandler).where(
        m.NeedCoHandler.organisation_id == net.cap.id))
    assert co.status == m.CoHandlerStatus.INVITED
    assert "Cap emploi 21 invitée à co-traiter" in page_text(client.get(url))
    assert "Aucune autre structure ne peut être invitée" in page_text(client.get(url))
    f.OrganisationFactory(name="APEC Dijon", kind=m.OrganisationKind.APEC)
    db.session.commit()
    # a refused invitation answers in French next to the field, nothing saved
    response = client.post(f"{url}/co-traitance", data={"co_add-organisation": "0"})
    assert response.status_code == 422 and "Choisissez la structure à inviter" in page_text(response)


def test_the_pilot_withdraws_a_co_handler_from_the_need_page(client, auth, net):  # noqa: F811
    db.session.commit()
    auth.login(net.paul)
    url = f"/demandes/{net.need.reference}"
    assert "Retirer Mission locale Dijon de la co-traitance" in page_text(client.get(url))
    removal = f"{url}/co-traitance/{net.co.id}/retrait"
    response = client.post(removal, data={f"co-remove-{net.co.id}-reason": ""})
    assert response.status_code == 422
    assert "Indiquez pourquoi cette structure ne co-traite plus la demande." in page_text(response)
    response = client.post(removal, data={f"co-remove-{net.co.id}-reason": "Public hors champ"})
    assert response.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(m.NeedCoHandler)) == 0
    assert "Mission locale Dijon ne co-traite plus la demande : Public hors champ" in page_text(
        client.get(url))


def test_the_co_handler_takes_care_and_puts_candidates_forward(client, auth, net):  # noqa: F811
    db.session.commit()
    auth.login(net.lea)
    url = f"/demandes/{net.need.reference}"
    text = page_text(client.get(url))
    assert "Statut de Mission locale Dijon" in text and "Inviter une structure" not in text
    response = client.post(f"{url}/co-traitance/{net.co.id}",
                           data={f"co-{net.co.id}-status": "not_for_me", f"co-{net.co.id}-reason": ""})
    assert response.status_code == 422 and "Indiquez pourquoi" in page_text(response)
    client.post(f"{url}/co-traitance/{net.co.id}", data={f"co-{net.co.id}-status": "taking_care"})
    db.session.refresh(net.co)
    assert net.co.status == m.CoHandlerStatus.TAKING_CARE and net.co.adviser_id == net.lea.id
    response = client.post(f"{url}/candidats", data={"candidate-reference": "Jean Dupont",
                                                     "candidate-consent_on": "2026-06-09"})
    assert response.status_code == 422 and "jamais le nom" in page_text(response)
    response = client.post(f"{url}/candidats", data={"candidate-reference": "ML-14",
                                                     "candidate-consent_on": "2026-06-09"})
    assert response.status_code == 302
    candidate = db.session.scalar(sa.select(m.NeedCandidate))
    assert (candidate.reference, candidate.organisation_id) == ("ML-14", net.mission.id)
    client.post(f"{url}/candidats/{candidate.id}", data={f"candidate-{candidate.id}-status": "hired"})
    db.session.refresh(candidate)
    db.session.refresh(net.need)
    assert candidate.status == m.CandidateStatus.HIRED and net.need.hires == 1
    text = page_text(client.get(url))
    assert "Candidat ML-14 : recruté." in text


def test_other_organisations_ask_to_co_handle_and_never_see_candidates(client, auth, net):  # noqa: F811
    candidates.put_forward(net.need, net.paul, "FT-1", date(2026, 6, 9))
    db.session.commit()
    auth.login(net.nora)
    url = f"/demandes/{net.need.reference}"
    text = page_text(client.get(url))
    assert "Co-traiter avec Cap emploi 21" in text and "FT-1" not in text
    assert "Candidats proposés" not in text
    assert client.post(f"{url}/candidats", data={}).status_code == 403
    assert client.post(f"{url}/co-traitance/demande").status_code == 302
    assert "FT-1" in page_text(client.get(url))


def test_the_employer_sees_who_helps_and_the_counts_never_identities(client, net):  # noqa: F811
    first = candidates.put_forward(net.need, net.paul, "FT-1", date(2026, 6, 9))
    candidates.put_forward(net.need, net.paul, "FT-2", date(2026, 6, 9))
    candidates.move(net.need, first, net.paul, m.CandidateStatus.INTERVIEW)
    cohandling.ask(net.need, net.nora)
    cohandling.update(net.need, cohandling.co_handler_of(net.need, net.cap.id), net.nora,
                      m.CoHandlerStatus.NOT_FOR_ME, "Hors public")
    db.session.commit()
    text = page_text(client.get(f"/recrutement/suivi/{net.need.tracking_token}"))
    assert "<dt>Avec l'appui de</dt><dd>Mission locale Dijon</dd>" in text
    assert "Cap emploi 21" not in text
    assert "votre interlocuteur reste Paul Girard (France Travail Dijon)" in text
    assert "2 candidats proposés par le réseau" in text
    assert "1 en attente de votre retour" in text and "1 en entretien" in text
    assert "FT-1" not in text and "FT-2" not in text and "Candidat proposé" not in text


def test_the_partner_flag_page_shows_no_candidate(client, auth, net):  # noqa: F811
    candidates.put_forward(net.need, net.paul, "FT-1", date(2026, 6, 9))
    db.session.commit()
    auth.login(net.partner)
    text = page_text(client.get(f"/signalements/{net.need.reference}"))
    assert "FT-1" not in text
