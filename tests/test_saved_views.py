"""Saved views of the companies list: save, list mine and my organisation's, apply, rename, delete."""


from crm.extensions import db
from crm.models import SavedView
from crm.services.companies import saved_views
from crm.services.platform import unit_of_work
from tests import factories as f
from tests.helpers import page_text


def save(client, name: str, shared: bool = False, **filters):
    data = {"name": name} | ({"shared": "y"} if shared else {})
    return client.post("/entreprises/vues", query_string=filters, data=data)


def test_the_current_filters_are_saved_under_a_name_and_applied_again(client, adviser, signed_in):
    f.CompanyFactory(name="Garage de Besançon", search_name="garage de besancon",
                     basin_code="2706")
    f.CompanyFactory(name="Garage de Dijon", search_name="garage de dijon")
    response = save(client, "Garages de Besançon", q="garage", basin="2706", page="2")
    view = db.session.scalar(db.select(SavedView))
    assert view.filters == {"q": "garage", "basin": "2706"}
    assert view.user_id == adviser.id and view.page == "companies" and not view.shared
    applied = client.get(response.headers["Location"], follow_redirects=True)
    text = page_text(applied)
    assert "Vue « Garages de Besançon » enregistrée." in text
    assert "Garage de Besançon" in text and "Garage de Dijon" not in text


def test_a_name_already_used_is_refused_with_a_message_and_the_input_kept(client, adviser, signed_in):
    save(client, "Mes TPE", band="00")
    response = save(client, "Mes TPE", band="01")
    assert response.status_code == 422
    text = page_text(response)
    assert "Vous avez déjà une vue nommée « Mes TPE » : choisissez un autre nom." in text
    assert db.session.scalar(db.select(db.func.count()).select_from(SavedView)) == 1
    other = f.UserFactory(organisation=adviser.organisation)
    assert saved_views.save_view(other, "companies", "Mes TPE", {}, False).name == "Mes TPE"


def test_an_empty_name_is_refused(client, adviser, signed_in):
    response = save(client, "  ")
    assert response.status_code == 422 and "Donnez un nom à la vue." in page_text(response)


def test_i_see_my_views_and_those_shared_in_my_organisation_only(client, adviser, signed_in):
    colleague = f.UserFactory(organisation=adviser.organisation, name="Alex Collègue")
    outsider = f.UserFactory(name="Sam Ailleurs")
    saved_views.save_view(adviser, "companies", "La mienne", {"band": "00"}, False)
    shared = saved_views.save_view(colleague, "companies", "Partagée", {"basin": "2711"}, True)
    saved_views.save_view(colleague, "companies", "Privée du collègue", {}, False)
    foreign = saved_views.save_view(outsider, "companies", "Autre organisation", {}, True)
    text = page_text(client.get("/entreprises"))
    assert "La mienne" in text and "Partagée (partagée par Alex Collègue)" in text
    assert "Privée du collègue" not in text and "Autre organisation" not in text
    applied = client.get(f"/entreprises/vues/{shared.id}")
    assert applied.status_code == 302 and "basin=2711" in applied.headers["Location"]
    assert client.get(f"/entreprises/vues/{foreign.id}").status_code == 404


def test_i_rename_share_and_delete_my_views_but_not_others(client, adviser, signed_in):
    mine = saved_views.save_view(adviser, "companies", "Brouillon", {"band": "00"}, False)
    taken = saved_views.save_view(adviser, "companies", "Déjà pris", {}, False)
    colleague = f.UserFactory(organisation=adviser.organisation)
    theirs = saved_views.save_view(colleague, "companies", "Partagée", {}, True)
    unit_of_work.commit()
    response = client.post(f"/entreprises/vues/{mine.id}/renommer",
                           data={f"vue-{mine.id}-name": "Déjà pris"})
    assert response.status_code == 422 and "choisissez un autre nom" in page_text(response)
    client.post(f"/entreprises/vues/{mine.id}/renommer",
                data={f"vue-{mine.id}-name": "TPE du bassin", f"vue-{mine.id}-shared": "y"})
    db.session.refresh(mine)
    assert (mine.name, mine.shared, mine.filters) == ("TPE du bassin", True, {"band": "00"})
    assert client.post(f"/entreprises/vues/{theirs.id}/renommer",
                       data={f"vue-{theirs.id}-name": "Volée"}).status_code == 403
    assert client.post(f"/entreprises/vues/{theirs.id}/supprimer").status_code == 403
    assert client.post(f"/entreprises/vues/{taken.id}/supprimer").status_code == 302
    remaining = db.session.scalars(db.select(SavedView.name).order_by(SavedView.name)).all()
    assert remaining == ["Partagée", "TPE du bassin"]


def test_a_partner_saves_no_staff_only_filter(client, auth):
    from crm.models import Role

    auth.login(f.UserFactory(role=Role.PARTNER))
    save(client, "Ma vue", basin="2711", referent="moi", open_need="y")
    assert db.session.scalar(db.select(SavedView.filters)) == {"basin": "2711"}
