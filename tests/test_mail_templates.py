"""E-mails written from templates (crm/templates/mail): each kind's text for a sample context,
byte for byte as the application has always written it, and their delivery after commit."""

import re
from datetime import date, datetime
from pathlib import Path
from types import SimpleNamespace as NS

import pytest

from crm import broker
from crm import models as m
from crm.extensions import db
from crm.services.needs.notifications import OUTCOME_SENTENCES
from crm.services.platform import mail_templates, outbox
from tests import factories as f

ROOT = Path(__file__).resolve().parent.parent
SIGNATURE = "\n\n-- \nLe réseau pour l'emploi de Bourgogne-Franche-Comté"
NEED_URL = "https://crm.exemple.fr/demandes/BFC-2026-00042"
TRACKING = "https://crm.exemple.fr/recrutement/suivi/tok123"
COMPANY_URL = "https://crm.exemple.fr/entreprises/7"
DAY_URL = "https://crm.exemple.fr/ma-journee"
FLAG_URL = "https://crm.exemple.fr/signalements/BFC-2026-00042"
URLS = {"BFC-2026-00042": NEED_URL, "BFC-2026-00043": "https://crm.exemple.fr/demandes/BFC-2026-00043"}
TODAY = date(2026, 12, 5)
COMPANY = NS(name="Boulangerie Martin", siret="12345678900011")
ACTOR = NS(name="Jeanne Durand", organisation=NS(name="Cap emploi 21"))
REFERENT = NS(name="Paul Morel")
EVENT = NS(title="Job dating BTP", kind=NS(label="Job dating"), starts_at=datetime(2026, 6, 24, 7, 0),
           ends_at=datetime(2026, 6, 24, 10, 0), venue="Agence France Travail Dijon Est",
           online_url=None, organisers=[1, 2])
CANDIDATE = NS(name="Camille Durand")
VISIT = NS(scheduled_at=datetime(2026, 12, 5, 9, 0), company=COMPANY, mode=NS(label="Sur place"))


def need(**values) -> NS:
    return NS(**{"reference": "BFC-2026-00042", "job_label": "Boulanger (H/F)", "positions": 2,
                 "company": COMPANY, "organisation": NS(name="France Travail Dijon"),
                 "first_contact_due_at": datetime(2026, 12, 8, 16, 30), "first_contact_at": None,
                 "routing_reason": "Règle « Métiers de bouche » : Mission locale du bassin",
                 **values})


def proposal(**values) -> NS:
    return NS(**{"proposed_by": ACTOR, "organisation": NS(name="Cap emploi 21"),
                 "reason": "Nous connaissons l'employeur", "decided_by": REFERENT,
                 "decision_reason": None, **values})


def task(**values) -> NS:
    return NS(**{"id": 12, "assignee": REFERENT, "need": need(), "company": COMPANY,
                 "title": "Rappeler l'employeur", "due_on": date(2026, 12, 9),
                 "notes": "Demander les horaires", **values})


def task_url(task: NS) -> str:
    return f"https://crm.exemple.fr/a-faire/{task.id}/modifier"


def digest(**values) -> NS:
    return NS(**{"user": REFERENT, "overdue": [], "due_today": [], "late_needs": [], "visits": [],
                 **values})


OTHER_NEED = need(reference="BFC-2026-00043", company=NS(name="Garage Petit"))
COMPANY_TASK = task(id=13, title="Visite", need=None, notes=None)
PLAIN_TASK = task(id=14, title="Bilan", need=None, company=None, notes=None)

CASES = [
    pytest.param("need_ack",
                 lambda: dict(need=need(), url=TRACKING),
                 "Demande BFC-2026-00042 enregistrée",
                 ("Bonjour,\n"
                  "\n"
                  "Votre demande de recrutement (2 postes) est enregistrée sous "
                  "la référence BFC-2026-00042.\n"
                  "Elle est suivie par France Travail Dijon. Un conseiller vous contactera sous "
                  "deux jours ouvrés, au plus tard le 08/12/2026.\n"
                  "\n"
                  "Suivez son avancement à tout moment : "
                  "https://crm.exemple.fr/recrutement/suivi/tok123"
                  + SIGNATURE),
                 id="ack"),
    pytest.param("need_ack",
                 lambda: dict(need=need(organisation=None, positions=1), url="U"),
                 "Demande BFC-2026-00042 enregistrée",
                 ("Bonjour,\n"
                  "\n"
                  "Votre demande de recrutement (1 poste) est enregistrée sous "
                  "la référence BFC-2026-00042.\n"
                  "Elle est suivie par le réseau pour l'emploi. Un conseiller vous contactera sous "
                  "deux jours ouvrés, au plus tard le 08/12/2026.\n"
                  "\n"
                  "Suivez son avancement à tout moment : U"
                  + SIGNATURE),
                 id="ack_no_pilot"),
    pytest.param("need_assigned",
                 lambda: dict(need=need(), url=NEED_URL),
                 "Nouvelle demande BFC-2026-00042",
                 ("Bonjour,\n"
                  "\n"
                  "La demande BFC-2026-00042 de Boulangerie Martin (Boulanger (H/F), 2 postes) vous "
                  "est confiée.\n"
                  "Motif : Règle « Métiers de bouche » : Mission locale du bassin\n"
                  "Premier contact attendu au plus tard le 08/12/2026.\n"
                  "\n"
                  "https://crm.exemple.fr/demandes/BFC-2026-00042"
                  + SIGNATURE),
                 id="assigned_due"),
    pytest.param("need_assigned",
                 lambda: dict(need=need(first_contact_at=datetime(2026, 12, 7, 23, 30)), url=NEED_URL),
                 "Nouvelle demande BFC-2026-00042",
                 ("Bonjour,\n"
                  "\n"
                  "La demande BFC-2026-00042 de Boulangerie Martin (Boulanger (H/F), 2 postes) vous "
                  "est confiée.\n"
                  "Motif : Règle « Métiers de bouche » : Mission locale du bassin\n"
                  "Premier contact déjà pris le 08/12/2026.\n"
                  "\n"
                  "https://crm.exemple.fr/demandes/BFC-2026-00042"
                  + SIGNATURE),
                 id="assigned_contacted"),
    pytest.param("need_assigned",
                 lambda: dict(need=need(first_contact_due_at=None), url=NEED_URL),
                 "Nouvelle demande BFC-2026-00042",
                 ("Bonjour,\n"
                  "\n"
                  "La demande BFC-2026-00042 de Boulangerie Martin (Boulanger (H/F), 2 postes) vous "
                  "est confiée.\n"
                  "Motif : Règle « Métiers de bouche » : Mission locale du bassin\n"
                  "Premier contact attendu sous deux jours ouvrés.\n"
                  "\n"
                  "https://crm.exemple.fr/demandes/BFC-2026-00042"
                  + SIGNATURE),
                 id="assigned_no_due"),
    pytest.param("need_updated",
                 lambda: dict(need=need(), url=NEED_URL),
                 "Demande BFC-2026-00042 complétée",
                 ("Bonjour,\n"
                  "\n"
                  "L'employeur a complété la demande BFC-2026-00042 de Boulangerie Martin.\n"
                  "\n"
                  "https://crm.exemple.fr/demandes/BFC-2026-00042"
                  + SIGNATURE),
                 id="updated"),
    pytest.param("need_pilot_changed",
                 lambda: dict(need=need(), previous=NS(name="Mission locale"), actor=ACTOR,
                              reason="Trop loin", url=NEED_URL),
                 "Demande BFC-2026-00042 transférée",
                 ("Bonjour,\n"
                  "\n"
                  "La demande BFC-2026-00042 de Boulangerie Martin (Boulanger (H/F)) n'est plus "
                  "pilotée par Mission locale : Jeanne Durand (Cap emploi 21) l'a confiée à France "
                  "Travail Dijon.\n"
                  "Motif : Trop loin\n"
                  "\n"
                  "https://crm.exemple.fr/demandes/BFC-2026-00042"
                  + SIGNATURE),
                 id="pilot_changed"),
    pytest.param("co_handling_invited",
                 lambda: dict(need=need(), organisation=NS(name="Conseil départemental de la Côte-d'Or"),
                              by=None, why="règle « RSA – territoires pilotes »", url=NEED_URL),
                 "Invitation à co-traiter – BFC-2026-00042",
                 ("Bonjour,\n"
                  "\n"
                  "La règle d'orientation invite Conseil départemental de la Côte-d'Or à co-traiter la "
                  "demande BFC-2026-00042 de Boulangerie Martin (Boulanger (H/F)).\n"
                  "Motif : règle « RSA – territoires pilotes »\n"
                  "\n"
                  "Indiquez sur la page de la demande si vous la prenez en charge, ou si elle n'est pas "
                  "pour vous : https://crm.exemple.fr/demandes/BFC-2026-00042" + SIGNATURE),
                 id="co_handling_invited"),
    pytest.param("co_handling_removed",
                 lambda: dict(need=need(), organisation=NS(name="Mission locale Dijon"), by=ACTOR,
                              reason="La personne a trouvé un autre poste", url=NEED_URL),
                 "Fin de la co-traitance – BFC-2026-00042",
                 ("Bonjour,\n"
                  "\n"
                  "Jeanne Durand (Cap emploi 21) a retiré Mission locale Dijon de la co-traitance de la "
                  "demande BFC-2026-00042 de Boulangerie Martin (Boulanger (H/F)).\n"
                  "Raison : La personne a trouvé un autre poste\n"
                  "\n"
                  "Les candidats que votre structure a proposés restent sur la demande : "
                  "https://crm.exemple.fr/demandes/BFC-2026-00042" + SIGNATURE),
                 id="co_handling_removed"),
    pytest.param("need_transfer_proposed",
                 lambda: dict(need=need(),
                              proposal=proposal(), url=NEED_URL),
                 "Proposition de transfert – BFC-2026-00042",
                 ("Bonjour,\n"
                  "\n"
                  "Jeanne Durand (Cap emploi 21) propose que Cap emploi 21 pilote la demande "
                  "BFC-2026-00042 de Boulangerie Martin (Boulanger (H/F)).\n"
                  "Motif : Nous connaissons l'employeur\n"
                  "\n"
                  "Acceptez ou refusez la proposition sur la page de la demande : "
                  "https://crm.exemple.fr/demandes/BFC-2026-00042"
                  + SIGNATURE),
                 id="proposed"),
    pytest.param("need_transfer_accepted",
                 lambda: dict(need=need(),
                              proposal=proposal(), url=NEED_URL),
                 "Proposition de transfert acceptée – BFC-2026-00042",
                 ("Bonjour,\n"
                  "\n"
                  "Votre proposition de reprendre la demande BFC-2026-00042 de Boulangerie Martin "
                  "(Boulanger (H/F)) est acceptée par Paul Morel.\n"
                  "La demande est désormais pilotée par votre structure.\n"
                  "\n"
                  "https://crm.exemple.fr/demandes/BFC-2026-00042"
                  + SIGNATURE),
                 id="accepted"),
    pytest.param("need_transfer_refused",
                 lambda: dict(need=need(),
                              proposal=proposal(decision_reason="Déjà en cours"), url=NEED_URL),
                 "Proposition de transfert refusée – BFC-2026-00042",
                 ("Bonjour,\n"
                  "\n"
                  "Votre proposition de reprendre la demande BFC-2026-00042 de Boulangerie Martin "
                  "(Boulanger (H/F)) est refusée par Paul Morel.\n"
                  "Motif : Déjà en cours\n"
                  "La demande reste pilotée par France Travail Dijon.\n"
                  "\n"
                  "https://crm.exemple.fr/demandes/BFC-2026-00042"
                  + SIGNATURE),
                 id="refused"),
    pytest.param("need_transfer_refused",
                 lambda: dict(need=need(organisation=None),
                              proposal=proposal(decision_reason="Déjà en cours"), url=NEED_URL),
                 "Proposition de transfert refusée – BFC-2026-00042",
                 ("Bonjour,\n"
                  "\n"
                  "Votre proposition de reprendre la demande BFC-2026-00042 de Boulangerie Martin "
                  "(Boulanger (H/F)) est refusée par Paul Morel.\n"
                  "Motif : Déjà en cours\n"
                  "La demande reste pilotée par aucune structure.\n"
                  "\n"
                  "https://crm.exemple.fr/demandes/BFC-2026-00042"
                  + SIGNATURE),
                 id="refused_no_pilot"),
    pytest.param("need_transfer_lapsed",
                 lambda: dict(need=need(),
                              proposal=proposal(decision_reason="La demande est clôturée."), url=NEED_URL),
                 "Proposition de transfert restée sans suite – BFC-2026-00042",
                 ("Bonjour,\n"
                  "\n"
                  "Votre proposition de reprendre la demande BFC-2026-00042 de Boulangerie Martin "
                  "(Boulanger (H/F)) est restée sans suite.\n"
                  "Motif : La demande est clôturée.\n"
                  "\n"
                  "https://crm.exemple.fr/demandes/BFC-2026-00042"
                  + SIGNATURE),
                 id="lapsed"),
    pytest.param("need_transfer_lapsed",
                 lambda: dict(need=need(),
                              proposal=proposal(decided_by=None), url=NEED_URL),
                 "Proposition de transfert restée sans suite – BFC-2026-00042",
                 ("Bonjour,\n"
                  "\n"
                  "Votre proposition de reprendre la demande BFC-2026-00042 de Boulangerie Martin "
                  "(Boulanger (H/F)) est restée sans suite.\n"
                  "\n"
                  "https://crm.exemple.fr/demandes/BFC-2026-00042"
                  + SIGNATURE),
                 id="lapsed_plain"),
    pytest.param("need_closed",
                 lambda: dict(need=need(), outcome=OUTCOME_SENTENCES["filled"], url=TRACKING),
                 "Demande BFC-2026-00042 clôturée",
                 ("Bonjour,\n"
                  "\n"
                  "Votre recrutement est réalisé : la demande est clôturée. (référence "
                  "BFC-2026-00042)\n"
                  "Le détail reste consultable : https://crm.exemple.fr/recrutement/suivi/tok123"
                  + SIGNATURE),
                 id="closed_filled"),
    pytest.param("need_closed",
                 lambda: dict(need=need(), outcome=OUTCOME_SENTENCES["partly_filled"], url=TRACKING),
                 "Demande BFC-2026-00042 clôturée",
                 ("Bonjour,\n"
                  "\n"
                  "Une partie des postes est pourvue : la demande est clôturée. (référence "
                  "BFC-2026-00042)\n"
                  "Le détail reste consultable : https://crm.exemple.fr/recrutement/suivi/tok123"
                  + SIGNATURE),
                 id="closed_partly_filled"),
    pytest.param("need_closed",
                 lambda: dict(need=need(), outcome=OUTCOME_SENTENCES["unfilled"], url=TRACKING),
                 "Demande BFC-2026-00042 clôturée",
                 ("Bonjour,\n"
                  "\n"
                  "La demande est clôturée sans recrutement. (référence BFC-2026-00042)\n"
                  "Le détail reste consultable : https://crm.exemple.fr/recrutement/suivi/tok123"
                  + SIGNATURE),
                 id="closed_unfilled"),
    pytest.param("need_closed",
                 lambda: dict(need=need(), outcome=OUTCOME_SENTENCES["cancelled"], url=TRACKING),
                 "Demande BFC-2026-00042 clôturée",
                 ("Bonjour,\n"
                  "\n"
                  "La demande est annulée. (référence BFC-2026-00042)\n"
                  "Le détail reste consultable : https://crm.exemple.fr/recrutement/suivi/tok123"
                  + SIGNATURE),
                 id="closed_cancelled"),
    pytest.param("employer_message",
                 lambda: dict(need=need(), text="Bonjour,\nle poste est toujours ouvert.", url=NEED_URL),
                 "Message de l'employeur – BFC-2026-00042",
                 ("Bonjour,\n"
                  "\n"
                  "L'employeur a écrit au sujet de la demande BFC-2026-00042 (Boulangerie Martin) "
                  ":\n"
                  "\n"
                  "Bonjour,\n"
                  "le poste est toujours ouvert.\n"
                  "\n"
                  "https://crm.exemple.fr/demandes/BFC-2026-00042"
                  + SIGNATURE),
                 id="employer"),
    pytest.param("late_reminder",
                 lambda: dict(adviser=REFERENT, late=[need()], need_urls=URLS),
                 "1 demande en retard de premier contact",
                 ("Bonjour Paul Morel,\n"
                  "\n"
                  "1 demande attend encore un premier contact alors que le jour promis à "
                  "l'employeur est passé :\n"
                  "\n"
                  "- BFC-2026-00042 : Boulangerie Martin (Boulanger (H/F)), premier contact attendu "
                  "au plus tard le 08/12/2026 — https://crm.exemple.fr/demandes/BFC-2026-00042"
                  + SIGNATURE),
                 id="late_one"),
    pytest.param("late_reminder",
                 lambda: dict(adviser=REFERENT, late=[need(), OTHER_NEED], need_urls=URLS),
                 "2 demandes en retard de premier contact",
                 ("Bonjour Paul Morel,\n"
                  "\n"
                  "2 demandes attendent encore un premier contact alors que le jour promis à "
                  "l'employeur est passé :\n"
                  "\n"
                  "- BFC-2026-00042 : Boulangerie Martin (Boulanger (H/F)), premier contact attendu "
                  "au plus tard le 08/12/2026 — https://crm.exemple.fr/demandes/BFC-2026-00042\n"
                  "- BFC-2026-00043 : Garage Petit (Boulanger (H/F)), premier contact attendu au "
                  "plus tard le 08/12/2026 — https://crm.exemple.fr/demandes/BFC-2026-00043"
                  + SIGNATURE),
                 id="late_two"),
    pytest.param("referent_assigned",
                 lambda: dict(company=COMPANY, referent=REFERENT, actor=ACTOR, reason="Départ de Luc",
                              url=COMPANY_URL),
                 "Vous êtes référent de Boulangerie Martin",
                 ("Bonjour Paul Morel,\n"
                  "\n"
                  "Jeanne Durand (Cap emploi 21) vous désigne comme conseiller référent de "
                  "l'entreprise Boulangerie Martin (SIRET 12345678900011).\n"
                  "Motif : Départ de Luc\n"
                  "\n"
                  "Vous êtes désormais son interlocuteur privilégié pour le réseau.\n"
                  "\n"
                  "https://crm.exemple.fr/entreprises/7"
                  + SIGNATURE),
                 id="referent"),
    pytest.param("referent_assigned",
                 lambda: dict(company=COMPANY, referent=REFERENT, actor=ACTOR, reason="", url=COMPANY_URL),
                 "Vous êtes référent de Boulangerie Martin",
                 ("Bonjour Paul Morel,\n"
                  "\n"
                  "Jeanne Durand (Cap emploi 21) vous désigne comme conseiller référent de "
                  "l'entreprise Boulangerie Martin (SIRET 12345678900011).\n"
                  "\n"
                  "Vous êtes désormais son interlocuteur privilégié pour le réseau.\n"
                  "\n"
                  "https://crm.exemple.fr/entreprises/7"
                  + SIGNATURE),
                 id="referent_no_reason"),
    pytest.param("task_assigned",
                 lambda: dict(task=task(), actor=ACTOR, url=task_url(task())),
                 "Nouvelle tâche : Rappeler l'employeur",
                 ("Bonjour Paul Morel,\n"
                  "\n"
                  "Jeanne Durand vous a confié une tâche à faire pour le 09/12/2026 : « Rappeler "
                  "l'employeur » (BFC-2026-00042).\n"
                  "\n"
                  "Demander les horaires\n"
                  "\n"
                  "https://crm.exemple.fr/a-faire/12/modifier"
                  + SIGNATURE),
                 id="task_need"),
    pytest.param("task_assigned",
                 lambda: dict(task=COMPANY_TASK, actor=ACTOR, url=task_url(COMPANY_TASK)),
                 "Nouvelle tâche : Visite",
                 ("Bonjour Paul Morel,\n"
                  "\n"
                  "Jeanne Durand vous a confié une tâche à faire pour le 09/12/2026 : « Visite » "
                  "(Boulangerie Martin).\n"
                  "\n"
                  "https://crm.exemple.fr/a-faire/13/modifier"
                  + SIGNATURE),
                 id="task_company"),
    pytest.param("task_assigned",
                 lambda: dict(task=PLAIN_TASK, actor=ACTOR, url=task_url(PLAIN_TASK)),
                 "Nouvelle tâche : Bilan",
                 ("Bonjour Paul Morel,\n"
                  "\n"
                  "Jeanne Durand vous a confié une tâche à faire pour le 09/12/2026 : « Bilan ».\n"
                  "\n"
                  "https://crm.exemple.fr/a-faire/14/modifier"
                  + SIGNATURE),
                 id="task_plain"),
    pytest.param("daily_digest",
                 lambda: dict(digest=digest(overdue=[task(), PLAIN_TASK], due_today=[COMPANY_TASK],
                              late_needs=[need()], visits=[VISIT]),
                              today=TODAY, need_urls=URLS, url=DAY_URL),
                 "Votre journée du 05/12/2026 : 3 tâches, 1 demande en retard, 1 visite",
                 ("Bonjour Paul Morel,\n"
                  "\n"
                  "Voici votre journée du 05/12/2026.\n"
                  "\n"
                  "Tâches en retard (2) :\n"
                  "- Rappeler l'employeur (échéance le 09/12/2026) – Boulangerie Martin, "
                  "BFC-2026-00042 – https://crm.exemple.fr/demandes/BFC-2026-00042\n"
                  "- Bilan (échéance le 09/12/2026)\n"
                  "\n"
                  "Tâches du jour (1) :\n"
                  "- Visite (échéance le 09/12/2026) – Boulangerie Martin\n"
                  "\n"
                  "Demandes en retard de premier contact (1) :\n"
                  "- BFC-2026-00042 : Boulangerie Martin (Boulanger (H/F)) – "
                  "https://crm.exemple.fr/demandes/BFC-2026-00042\n"
                  "\n"
                  "Visites du jour (1) :\n"
                  "- 10:00 : Boulangerie Martin (Sur place)\n"
                  "\n"
                  "Tout voir dans « Ma journée » : https://crm.exemple.fr/ma-journee"
                  + SIGNATURE),
                 id="digest_full"),
    pytest.param("daily_digest",
                 lambda: dict(digest=digest(due_today=[COMPANY_TASK]),
                              today=TODAY, need_urls=URLS, url=DAY_URL),
                 "Votre journée du 05/12/2026 : 1 tâche",
                 ("Bonjour Paul Morel,\n"
                  "\n"
                  "Voici votre journée du 05/12/2026.\n"
                  "\n"
                  "Tâches du jour (1) :\n"
                  "- Visite (échéance le 09/12/2026) – Boulangerie Martin\n"
                  "\n"
                  "Tout voir dans « Ma journée » : https://crm.exemple.fr/ma-journee"
                  + SIGNATURE),
                 id="digest_tasks"),
    pytest.param("daily_digest",
                 lambda: dict(digest=digest(late_needs=[need(), need()], visits=[VISIT, VISIT]),
                              today=TODAY, need_urls=URLS, url=DAY_URL),
                 "Votre journée du 05/12/2026 : 2 demandes en retard, 2 visites",
                 ("Bonjour Paul Morel,\n"
                  "\n"
                  "Voici votre journée du 05/12/2026.\n"
                  "\n"
                  "Demandes en retard de premier contact (2) :\n"
                  "- BFC-2026-00042 : Boulangerie Martin (Boulanger (H/F)) – "
                  "https://crm.exemple.fr/demandes/BFC-2026-00042\n"
                  "- BFC-2026-00042 : Boulangerie Martin (Boulanger (H/F)) – "
                  "https://crm.exemple.fr/demandes/BFC-2026-00042\n"
                  "\n"
                  "Visites du jour (2) :\n"
                  "- 10:00 : Boulangerie Martin (Sur place)\n"
                  "- 10:00 : Boulangerie Martin (Sur place)\n"
                  "\n"
                  "Tout voir dans « Ma journée » : https://crm.exemple.fr/ma-journee"
                  + SIGNATURE),
                 id="digest_needs_visits"),
    pytest.param("spotter_need_news",
                 lambda: dict(need=need(is_open=True, status=NS(label="En cours"),
                                        adviser=REFERENT),
                              contribution=False, url=FLAG_URL),
                 "Votre signalement BFC-2026-00042 : en cours",
                 ("Bonjour,\n"
                  "\n"
                  "Le besoin que vous avez signalé chez Boulangerie Martin (Boulanger (H/F)) est "
                  "désormais : en cours.\n"
                  "Conseiller chargé de la demande : Paul Morel (France Travail Dijon).\n"
                  "\n"
                  "Le détail de votre signalement : " + FLAG_URL + SIGNATURE),
                 id="spotter_news_change"),
    pytest.param("spotter_need_news",
                 lambda: dict(need=need(is_open=False, status=NS(label="Pourvue"), adviser=None,
                                        hires=2),
                              contribution=True, url=FLAG_URL),
                 "Votre signalement BFC-2026-00042 est clôturé : pourvue",
                 ("Bonjour,\n"
                  "\n"
                  "Le besoin auquel votre signalement a été ajouté chez Boulangerie Martin "
                  "(Boulanger (H/F)) est désormais : pourvue.\n"
                  "Issue : pourvue, 2 personnes recrutées.\n"
                  "\n"
                  "Le détail de votre signalement : " + FLAG_URL + SIGNATURE),
                 id="spotter_news_closed"),
    pytest.param("spotter_digest",
                 lambda: dict(organisation=NS(name="CCI 21"), today=TODAY,
                              news=[NS(need=need(is_open=False, status=NS(label="Pourvue"),
                                                 adviser=REFERENT, hires=1), contribution=False),
                                    NS(need=need(is_open=True, status=NS(label="En cours"),
                                                 adviser=None), contribution=True)],
                              urls={"BFC-2026-00042": FLAG_URL}),
                 "Vos signalements au 05/12/2026 : 2 nouvelles",
                 ("Bonjour,\n"
                  "\n"
                  "Voici ce que sont devenus les besoins de recrutement signalés par CCI 21 "
                  "depuis le dernier résumé.\n"
                  "\n"
                  "- BFC-2026-00042 : Boulangerie Martin (Boulanger (H/F)) – pourvue, suivi par "
                  "Paul Morel, 1 personne recrutée – " + FLAG_URL + "\n"
                  "- BFC-2026-00042 (contribution) : Boulangerie Martin (Boulanger (H/F)) – "
                  "en cours – " + FLAG_URL + SIGNATURE),
                 id="spotter_digest"),
    pytest.param("checklist_sent",
                 lambda: dict(checklist=NS(title="Industrie de Dijon", created_by=ACTOR,
                                           organisation=NS(name="CCI 21"),
                                           expires_on=date(2027, 1, 4), message="Merci !"),
                              firms=12, url="https://crm.exemple.fr/verification/abc",
                              login_url="https://crm.exemple.fr/entreprises-a-verifier"),
                 "Entreprises à vérifier : Industrie de Dijon",
                 ("Bonjour,\n"
                  "\n"
                  "Jeanne Durand demande à CCI 21 si ces 12 entreprises recrutent, d'ici le "
                  "04/01/2027.\n"
                  "\n"
                  "Merci !\n"
                  "\n"
                  "Pour chaque entreprise, répondez en un clic « Rien pour l'instant », sans vous "
                  "connecter, sur cette page (lien personnel, valable jusqu'au 04/01/2027) :\n"
                  "https://crm.exemple.fr/verification/abc\n"
                  "\n"
                  "Pour signaler un besoin de recrutement, connectez-vous : la page « Entreprises "
                  "à vérifier » ouvre le formulaire de signalement déjà rempli pour l'entreprise.\n"
                  "https://crm.exemple.fr/entreprises-a-verifier" + SIGNATURE),
                 id="checklist_sent"),
    pytest.param("training_stalled",
                 lambda: dict(person=REFERENT, stalled=[NS(
                     request=NS(id=12, company=COMPANY, status=NS(label="Déposée")), days=9,
                     url="https://crm.exemple.fr/formations/12")]),
                 "1 demande de POE à faire avancer",
                 ("Bonjour Paul Morel,\n"
                  "\n"
                  "Cette demande de formation avant embauche n'a pas changé d'étape depuis "
                  "plusieurs jours :\n"
                  "\n"
                  "- POE n° 12 : Boulangerie Martin, « Déposée » depuis 9 jours — "
                  "https://crm.exemple.fr/formations/12" + SIGNATURE),
                 id="training_stalled"),
    pytest.param("account_invitation",
                 lambda: dict(user=NS(name="Bruno Martin", email="bruno@exemple.fr"),
                              inviter="Jeanne Durand", url="https://crm.exemple.fr/invitation/tok",
                              expires_at=datetime(2026, 12, 12, 9, 30)),
                 "Votre compte sur le CRM du réseau pour l'emploi",
                 ("Bonjour Bruno Martin,\n"
                  "\n"
                  "Jeanne Durand vous a ouvert un compte sur le CRM du réseau pour l'emploi, avec "
                  "l'identifiant bruno@exemple.fr.\n"
                  "\n"
                  "Pour l'activer, choisissez votre mot de passe sur cette page (lien personnel, "
                  "utilisable une seule fois, valable jusqu'au 12/12/2026 à 10:30) :\n"
                  "https://crm.exemple.fr/invitation/tok\n"
                  "\n"
                  "Si vous n'attendiez pas ce message, ignorez-le : aucun compte ne sera utilisable "
                  "sans ce lien." + SIGNATURE),
                 id="account_invitation"),
    pytest.param("password_reset",
                 lambda: dict(user=NS(name="Bruno Martin", email="bruno@exemple.fr"),
                              url="https://crm.exemple.fr/mot-de-passe/tok",
                              expires_at=datetime(2026, 12, 5, 15, 0)),
                 "Choisir un nouveau mot de passe",
                 ("Bonjour Bruno Martin,\n"
                  "\n"
                  "Une demande de nouveau mot de passe a été faite pour votre compte "
                  "(bruno@exemple.fr) sur le CRM du réseau pour l'emploi.\n"
                  "\n"
                  "Pour choisir un nouveau mot de passe, ouvrez cette page (lien personnel, "
                  "utilisable une seule fois, valable jusqu'au 05/12/2026 à 16:00) :\n"
                  "https://crm.exemple.fr/mot-de-passe/tok\n"
                  "\n"
                  "Vos autres sessions seront fermées. Si vous n'avez rien demandé, ignorez ce "
                  "message : votre mot de passe actuel reste valable." + SIGNATURE),
                 id="password_reset"),
    pytest.param("event_registered",
                 lambda: dict(event=EVENT, banner="France Travail Dijon et Mission locale Dijon",
                              registration=CANDIDATE, position=3, cancel_url="C", calendar_url="I",
                              page_url="P"),
                 "Liste d'attente : Job dating BTP",
                 ('Bonjour Camille Durand,\n'
                  '\n'
                  "L'événement « Job dating BTP » est complet : vous êtes sur la liste d'attente, en "
                  "position 3. Si une place se libère, elle vous est donnée dans l'ordre d'inscription "
                  'et vous recevez un e-mail.\n'
                  '\n'
                  'Job dating organisé par France Travail Dijon et Mission locale Dijon\n'
                  'Le 24/06/2026 de 09:00 à 12:00\n'
                  'Lieu : Agence France Travail Dijon Est\n'
                  '\n'
                  "Le détail de l'événement : P\n"
                  'Ajouter à votre agenda : I\n'
                  '\n'
                  'Vous ne pouvez plus venir ? Libérez votre place pour un autre candidat :\n'
                  'C') + SIGNATURE,
                 id="event_registered"),
    pytest.param("event_promoted",
                 lambda: dict(event=EVENT, banner="B", registration=CANDIDATE, cancel_url="C",
                              calendar_url="I"),
                 "Une place s'est libérée : Job dating BTP",
                 ('Bonjour Camille Durand,\n'
                  '\n'
                  "Une place s'est libérée à « Job dating BTP » : vous quittez la liste d'attente, "
                  'votre inscription est confirmée.\n'
                  '\n'
                  'Le 24/06/2026 de 09:00 à 12:00, organisé par B.\n'
                  'Ajouter à votre agenda : I\n'
                  '\n'
                  'Vous ne pouvez pas venir ? Libérez la place :\n'
                  'C') + SIGNATURE,
                 id="event_promoted"),
    pytest.param("event_cancelled",
                 lambda: dict(event=EVENT, banner="B", candidate="Camille Durand",
                              reason="Salle indisponible"),
                 'Événement annulé : Job dating BTP',
                 ('Bonjour Camille Durand,\n'
                  '\n'
                  "L'événement « Job dating BTP » prévu le 24/06/2026 à 09:00 et organisé par B est annulé.\n"
                  'Motif : Salle indisponible\n'
                  '\n'
                  'Nous sommes désolés pour ce contretemps. Votre conseiller peut vous proposer '
                  "d'autres événements de recrutement.") + SIGNATURE,
                 id="event_cancelled"),
    pytest.param("event_reminder",
                 lambda: dict(event=EVENT, banner="B", registration=CANDIDATE, cancel_url="C"),
                 'Rappel : Job dating BTP, le 24/06/2026',
                 ('Bonjour Camille Durand,\n'
                  '\n'
                  'Nous vous attendons le 24/06/2026 de 09:00 à 12:00 pour « Job dating BTP », '
                  'organisé par B.\n'
                  'Lieu : Agence France Travail Dijon Est\n'
                  '\n'
                  'Vous ne pouvez plus venir ? Libérez votre place pour un autre candidat :\n'
                  'C') + SIGNATURE,
                 id="event_reminder"),
    pytest.param("event_invitation", lambda: dict(event=EVENT, banner="A et B", company=COMPANY, url="U"),
                 'Invitation : Job dating BTP, le 24/06/2026',
                 ('Bonjour,\n'
                  '\n'
                  'A et B invitent Boulangerie Martin à « Job dating BTP » (Job dating), le 24/06/2026 '
                  'de 09:00 à 12:00, Agence France Travail Dijon Est.\n'
                  '\n'
                  'Vous y rencontrerez des candidats pour les postes que vous cherchez à pourvoir. Pour '
                  'confirmer votre venue, indiquer le nombre de postes et les métiers proposés, ou '
                  'décliner, répondez sur cette page, sans compte ni mot de passe :\n'
                  'U') + SIGNATURE,
                 id="event_invitation"),
    *(pytest.param("event_survey",
                   lambda person=person, firm=firm: dict(event=EVENT, banner="A et B", person=person,
                                                         firm=firm, url="U", days=30),
                   "Votre avis sur « Job dating BTP »",
                   (f"Bonjour {person},\n"
                    "\n"
                    f"{thanks} « Job dating BTP » (Job dating), le 24/06/2026, "
                    "organisé par A et B. "
                    "Pour nous aider à améliorer ces événements, pouvez-vous répondre à deux questions "
                    "(oui ou non, une minute) ?\n"
                    "\n"
                    "- L'événement vous a-t-il été utile ?\n"
                    "- Recommanderiez-vous ce type d'événement ?\n"
                    "\n"
                    "Répondez sur cette page, sans compte ni mot de passe (le lien fonctionne 30 jours) :\n"
                    "U" + SIGNATURE),
                   id=f"event_survey_{kind}")
      for kind, person, firm, thanks in (
          ("candidate", "Camille Durand", False, "Merci d'être venu(e) à"),
          ("firm", "Boulangerie Martin", True, "Merci d'avoir participé à"))),
    pytest.param("satisfaction_survey", lambda: dict(need=need(), url=TRACKING + "#avis"),
                 "Votre avis sur la demande BFC-2026-00042",
                 ("Bonjour,\n"
                  "\n"
                  "Votre demande de recrutement BFC-2026-00042 (Boulanger (H/F)) est clôturée depuis "
                  "une semaine. Pour nous aider à mieux accompagner les employeurs, pouvez-vous "
                  "répondre à deux questions (oui ou non, une minute) ?\n"
                  "\n"
                  "- Avez-vous été contacté rapidement ?\n"
                  "- L'accompagnement vous a-t-il été utile ?\n"
                  "\n"
                  "Répondez sur la page de suivi de votre demande : "
                  "https://crm.exemple.fr/recrutement/suivi/tok123#avis"
                  + SIGNATURE),
                 id="satisfaction_survey"),
    pytest.param("satisfaction_alert",
                 lambda: dict(manager=REFERENT, scope=NS(value="organisation"),
                              settings=NS(threshold_percent=60, window_days=90),
                              team=NS(name="France Travail Dijon", satisfaction=NS(
                                  answers=5, contacted_quickly=NS(numerator=2, percent=40.0),
                                  useful=NS(numerator=4, percent=80.0))),
                              url="https://crm.exemple.fr/demandes/apres-recrutement"),
                 "Satisfaction des employeurs sous le seuil : France Travail Dijon",
                 ("Bonjour Paul Morel,\n"
                  "\n"
                  "Les employeurs dont les demandes ont été suivies par France Travail Dijon "
                  "répondent « oui » moins souvent que le seuil fixé (60 %), sur les demandes "
                  "clôturées ces 90 derniers jours (5 réponses) :\n"
                  "- « Avez-vous été contacté rapidement ? » : 2 oui sur 5 (40 %)\n"
                  "- « L'accompagnement vous a-t-il été utile ? » : 4 oui sur 5 (80 %)\n"
                  "\n"
                  "Cette alerte est envoyée au plus une fois par mois. Le détail par structure et "
                  "par bassin : https://crm.exemple.fr/demandes/apres-recrutement"
                  + SIGNATURE),
                 id="satisfaction_alert"),
    pytest.param("committee_report",
                 lambda: dict(report=NS(committee=NS(name="Comité local de Dijon")),
                              period=NS(label="du 01/05/2026 au 31/05/2026"),
                              url="https://crm.exemple.fr/rapports-comite/jeton", days=60,
                              has_pdf=True),
                 "Rapport du comité Comité local de Dijon (du 01/05/2026 au 31/05/2026)",
                 ("Bonjour,\n"
                  "\n"
                  "Le rapport du comité « Comité local de Dijon » pour la période du 01/05/2026 "
                  "au 31/05/2026 est prêt : chiffres clés et leur évolution, avancement des plans "
                  "de prospection, réussites notables et demandes en retard.\n"
                  "\n"
                  "Le consulter et le télécharger (PDF ou page web imprimable) : "
                  "https://crm.exemple.fr/rapports-comite/jeton\n"
                  "\n"
                  "Ce lien personnel est valable 60 jours ; ne le transférez pas."
                  + SIGNATURE),
                 id="committee_report"),
]


@pytest.mark.parametrize(("kind", "context", "subject", "body"), CASES)
def test_each_kind_of_mail_reads_as_it_always_has(kind, context, subject, body):
    assert mail_templates.render_mail(kind, **context()) == (subject, body)


def kinds() -> set[str]:
    return {path.stem for path in mail_templates.FOLDER.glob("[!_]*.txt")}


def test_every_kind_has_a_template_a_french_label_and_a_sample():
    assert kinds() == set(outbox.KIND_LABELS) == {case.values[0] for case in CASES}


def test_the_signature_is_written_once_for_every_mail():
    folder = mail_templates.FOLDER
    texts = {path.name: path.read_text(encoding="utf-8") for path in folder.glob("*.txt")}
    assert [name for name, text in texts.items() if "Bourgogne-Franche-Comté" in text] == [
        "_signature.txt"]
    with_signature = {name for name, text in texts.items() if '{% include "_signature.txt" %}' in text}
    for kind in kinds() - with_signature:
        assert re.search(r'{% include "_[a-z_]+\.txt" %}\s*$', texts[f"{kind}.txt"])


def test_the_digest_subject_begins_with_the_prefix_that_finds_the_days_already_sent():
    from crm.services.visits.digest import subject_prefix

    sample = next(case for case in reversed(CASES) if case.values[0] == "daily_digest")
    subject, _ = mail_templates.render_mail("daily_digest", **sample.values[1]())
    assert subject.startswith(subject_prefix(TODAY)) and subject_prefix(TODAY).endswith(" : ")


def test_a_template_without_a_blank_line_after_its_subject_is_refused(monkeypatch, tmp_path):
    (tmp_path / "broken.txt").write_text("Sujet\nCorps\n", encoding="utf-8")
    monkeypatch.setattr(mail_templates, "FOLDER", tmp_path)
    mail_templates.environment.cache_clear()
    try:
        with pytest.raises(ValueError, match="blank line"):
            mail_templates.render_mail("broken")
    finally:
        monkeypatch.undo()
        mail_templates.environment.cache_clear()


def test_a_missing_value_is_an_error_not_an_empty_text():
    with pytest.raises(Exception, match="url"):
        mail_templates.render_mail("need_updated", need=need())


def test_services_do_not_import_the_jobs_package():
    sources = (ROOT / "crm" / "services").rglob("*.py")
    assert not [path.name for path in sources
                if re.search(r"^\s*(from|import) jobs\b", path.read_text(encoding="utf-8"), re.M)]


def queued_mail() -> list[tuple[str, tuple]]:
    queue = broker.get_queue("mail")
    return [(job.func_name, job.args) for job in queue.get_jobs()]


def test_a_mail_is_queued_by_the_job_name_once_its_transaction_commits():
    message = outbox.add_mail("need_updated", "a@exemple.fr", need=need(), url=NEED_URL)
    db.session.flush()
    assert queued_mail() == []
    db.session.commit()
    assert queued_mail() == [("jobs.mail.deliver_message", (message.id,))]
    assert message.subject == "Demande BFC-2026-00042 complétée"


def test_a_mail_of_a_transaction_rolled_back_is_never_queued():
    outbox.add_mail("need_updated", "a@exemple.fr", need=need(), url=NEED_URL)
    db.session.flush()
    db.session.rollback()
    f.UserFactory()  # a later commit does not queue it either
    db.session.commit()
    assert queued_mail() == []


def test_a_retried_message_is_queued_again_after_commit(app, monkeypatch):
    message = f.OutboxMessageFactory(status=m.MessageStatus.FAILED)
    broker.get_redis(app).flushdb()
    outbox.retry(message)
    db.session.commit()
    assert queued_mail() == [("jobs.mail.deliver_message", (message.id,))]
