from tests import factories as f


def test_login_page_is_served_in_french(client):
    response = client.get("/connexion")
    assert response.status_code == 200
    assert "Connexion" in response.get_data(as_text=True)


def test_a_user_logs_in(auth, client):
    user = f.UserFactory()
    response = auth.login(user)
    assert response.status_code == 302
    assert client.get("/accueil").status_code == 200
