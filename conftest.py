"""Named actors for every test: owner, member and outsider of businesses, and staff."""

import os

import pytest
from django.core.cache import cache

from propass.accounts.tests.factories import BusinessFactory, MembershipFactory, UserFactory
from propass.core.models import Program
from propass.core.selectors import program_current
from propass.program_admin.setup import installation_setup
from propass.testing.browser_checks import console_watch
from propass.testing.staff import staff_session_verify, staff_user
from propass.testing.vies import fake_vies_start

# Playwright's sync API runs an event loop in the test thread; Django's ORM guard would
# otherwise refuse the test's own database calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PASSWORD = "Correct-horse-battery-9"


def pytest_configure(config):
    """Tests hash passwords with a fast hasher: Argon2 is slow on purpose and took ~40% of the
    suite's CPU. Production keeps Argon2 (propass/settings.py; core/tests/test_password_hashing.py)."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # E-mail links in tests do not depend on the PORT of the shell that runs them.
    settings.SITE_URL = "http://127.0.0.1:8000"
    # The thread tests queue for SQLite's single writer; with the suite in parallel on a busy
    # machine, a thread can wait longer than the 20 s a web request may (database is locked).
    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        database["OPTIONS"]["timeout"] = 120


@pytest.fixture(autouse=True)
def _plain_settings(settings, tmp_path):
    settings.TASKS = {
        "default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend", "QUEUES": settings.TASK_QUEUES}
    }
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    settings.MEDIA_ROOT = tmp_path / "private"
    from django.utils import translation

    translation.activate("en")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database starts with the defaults `propass setup` installs."""
    with django_db_blocker.unblock():
        installation_setup()


@pytest.fixture(autouse=True)
def _installation_defaults(request):
    """Every test that uses the database finds the defaults, as on an installation where
    `propass setup` ran. Tests that run in real transactions (transactional_db, live_server)
    empty the tables afterwards, so the next one installs them again (one query otherwise)."""
    uses_db = request.node.get_closest_marker("django_db") is not None or any(
        name in request.fixturenames for name in ("db", "transactional_db", "live_server")
    )
    if not uses_db:
        return
    request.getfixturevalue("_django_db_helper")
    # Rate limits count in the shared cache: a table in the test database (or Redis).
    cache.clear()
    if not Program.objects.exists():
        installation_setup()


@pytest.fixture
def client(client):
    """pytest-django's client, whose `force_login` of a staff user also passes the second
    factor: staff pages require a session verified by django-otp, and tests that are not
    about two-factor authentication should not each repeat it (accounts/tests/test_two_factor.py
    is about it, and logs in through the pages)."""
    force_login = client.force_login

    def force_login_verified(user, backend=None):
        force_login(user, backend)
        if user.is_staff:
            staff_session_verify(client, user)

    client.force_login = force_login_verified
    return client


@pytest.fixture
def program(db):
    """The default program (Canon Professional Services) with its legal texts."""
    return program_current()


@pytest.fixture
def validation_agent(db):
    return staff_user("validator@propass.test", "validation", first_name="Anna", last_name="Verdi")


@pytest.fixture
def support_agent(db):
    return staff_user("support@propass.test", "support")


@pytest.fixture
def program_admin(db):
    return staff_user("admin@propass.test", "program_admin")


@pytest.fixture
def finance_agent(db):
    return staff_user("finance@propass.test", "finance")


@pytest.fixture
def shop(program):
    """The program with the default seller entities and tiers, ready to sell memberships."""


@pytest.fixture
def business(db):
    return BusinessFactory(name="Alpha Studio", country="IT")


@pytest.fixture
def other_business(db):
    return BusinessFactory(name="Beta Films", country="DE")


@pytest.fixture
def owner(business):
    return MembershipFactory(business=business, role="superuser", user__email="owner@alpha.test").user


@pytest.fixture
def member(business):
    return MembershipFactory(business=business, role="member", user__email="member@alpha.test").user


@pytest.fixture
def outsider(other_business):
    return MembershipFactory(business=other_business, role="superuser", user__email="outsider@beta.test").user


@pytest.fixture
def staff(db):
    return UserFactory(email="agent@propass.test", is_staff=True)


@pytest.fixture
def vies(settings):
    """A fake VIES (propass/testing/vies.py) with VIES checks switched on against it, and a short
    timeout for its slow answers; `vies.answer(number, kind)` sets what it says about a number."""
    fake = fake_vies_start()
    settings.VIES_ENABLED = True
    settings.VIES_URL = fake.url
    settings.VIES_TIMEOUT = 0.5
    yield fake
    fake.stop()


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (playwright install cannot download here)."""
    import shutil

    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    assert executable, "Chromium is missing: `make test` installs Debian's chromium package"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=executable,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    """A fresh browser context per test; CSP violations and page errors fail the test."""
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    console_watch(page)  # for page_check (propass/testing/browser_checks.py)
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "console",
        lambda message: (
            problems.append(message.text)
            if message.type == "error" and "Content Security Policy" in message.text
            else None
        ),
    )
    yield page
    context.close()
    assert problems == []
