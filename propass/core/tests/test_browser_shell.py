import pytest
from playwright.sync_api import expect

from propass.accounts.tests.factories import PASSWORD, BusinessFactory, MembershipFactory
from propass.testing.browser_checks import page_check

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_member_logs_in_and_sees_the_shell_in_their_language(live_server, page):
    business = BusinessFactory(name="Alpha Studio")
    MembershipFactory(business=business, role="superuser", user__email="owner@alpha.test")

    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/")
    page.get_by_label("E-mail").fill("owner@alpha.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    main_menu = page.get_by_role("banner")
    expect(main_menu.get_by_role("link", name="My products")).to_be_visible()
    expect(main_menu.get_by_role("link", name="My subscriptions")).to_be_visible()
    expect(main_menu.get_by_role("button", name="Logout")).to_be_visible()
    expect(page.get_by_role("main").get_by_text("Alpha Studio")).to_be_visible()
    page_check(page)

    page.get_by_label("Language").select_option("it")
    page.get_by_role("button", name="Change").click()
    expect(main_menu.get_by_role("link", name="I miei prodotti")).to_be_visible()
    expect(main_menu.get_by_role("button", name="Esci")).to_be_visible()
    page_check(page)

    main_menu.get_by_role("button", name="Esci").click()
    expect(page.get_by_role("heading", name="Accedi")).to_be_visible()


def test_a_wrong_password_shows_the_same_message_as_an_unknown_email(live_server, page):
    MembershipFactory(user__email="owner@alpha.test")
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("E-mail").fill("owner@alpha.test")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("The e-mail or password is not correct")
