from django.urls import reverse

from propass.accounts.tests.factories import PASSWORD, UserFactory

LOGIN = "/accounts/login/"


def test_a_member_logs_in_with_their_email(client, member):
    response = client.post(LOGIN, {"username": "Member@Alpha.test ", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_a_wrong_password_and_an_unknown_email_get_the_same_answer(client, member):
    wrong = client.post(LOGIN, {"username": "member@alpha.test", "password": "nope-nope-nope"})
    unknown = client.post(LOGIN, {"username": "nobody@alpha.test", "password": "nope-nope-nope"})
    assert wrong.status_code == unknown.status_code == 200
    assert wrong.context["form"].non_field_errors() == unknown.context["form"].non_field_errors()


def test_a_user_without_a_password_cannot_log_in_and_is_not_revealed(client, db):
    user = UserFactory(email="pending@alpha.test")
    user.set_unusable_password()
    user.save()
    response = client.post(LOGIN, {"username": "pending@alpha.test", "password": ""})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_repeated_failures_lock_the_login(client, member, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(LOGIN, {"username": "member@alpha.test", "password": "wrong-password"})
    locked = client.post(LOGIN, {"username": "member@alpha.test", "password": PASSWORD})
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


def test_logout_is_a_post(client, member):
    client.force_login(member)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_the_account_page_shows_the_callers_business_and_team(client, owner, member, outsider):
    client.force_login(member)
    page = client.get("/account/").content.decode()
    assert "Alpha Studio" in page
    assert "owner@alpha.test" in page
    assert "Beta Films" not in page
    assert "outsider@beta.test" not in page


def test_the_account_page_saves_the_language(client, member):
    client.force_login(member)
    client.post("/account/", {"action": "language", "language": "es"})
    member.refresh_from_db()
    assert member.language == "es"


def test_the_account_page_refuses_an_unknown_language(client, member):
    client.force_login(member)
    response = client.post("/account/", {"action": "language", "language": "xx"})
    assert response.status_code == 200
    member.refresh_from_db()
    assert member.language == "en"
