"""The main pages are valid HTML for the W3C Nu checker (npm vnu-jar from test-tools/, run with
java once over all the pages saved by the Django test client): zero errors."""

import json
import shutil
import subprocess

import pytest
from django.urls import reverse

from propass.accounts.tests.factories import BusinessFactory, MembershipFactory
from propass.billing.models import Invoice
from propass.core.tests.test_browser_a11y import _member_with_history
from propass.testing.browser_checks import VNU
from propass.testing.staff import staff_user

pytestmark = pytest.mark.django_db

MEMBER_PAGES = ["products:list", "products:register", "memberships:subscriptions", "service:benefits",
                "memberships:card", "notifications:list", "accounts:account", "support:tickets", "support:new",
                "faq:index"]  # fmt: skip
PUBLIC_PAGES = ["accounts:login", "onboarding:apply", "accounts:password_reset"]
STAFF_PAGES = ["backoffice:dashboard", "backoffice:applications", "backoffice:invoices", "backoffice:businesses"]


def test_the_main_pages_have_no_html_errors(client, tmp_path, program):
    java = shutil.which("java")
    assert java, "java is missing: `make test` installs it"
    assert VNU.exists(), "vnu-jar is missing: `make test` installs it (test-tools/)"
    pages = {}
    for name in PUBLIC_PAGES:
        pages[name] = client.get(reverse(name))
    pages["apply with errors"] = client.post(reverse("onboarding:apply"), {"first_name": "Giulia"})
    pages["a card that is not valid"] = client.get(reverse("memberships:verify", args=["A" * 32]))
    owner = _member_with_history()
    client.force_login(owner)
    for name in MEMBER_PAGES:
        pages[name] = client.get(reverse(name))
    client.logout()
    business = BusinessFactory(name="Berliner Bildwerk GmbH", country="DE", currency="EUR")
    MembershipFactory(business=business, role="superuser")
    agent = staff_user("finance@propass.test", "finance")
    agent.groups.add(*staff_user("validator@propass.test", "validation").groups.all())
    client.force_login(agent)
    for name in STAFF_PAGES:
        pages[name] = client.get(reverse(name))
    invoice = Invoice.objects.first()
    pages["backoffice:invoice"] = client.get(reverse("backoffice:invoice", args=[invoice.pk]))
    files = []
    for n, (name, response) in enumerate(pages.items()):
        assert response.status_code in (200, 400), (name, response.status_code)
        path = tmp_path / f"{n:02d}-{name.replace(':', '-').replace(' ', '-')}.html"
        path.write_bytes(response.content)
        files.append(str(path))
    result = subprocess.run(
        [java, "-jar", str(VNU), "--errors-only", "--format", "json", *files],
        capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    messages = json.loads(result.stderr or '{"messages": []}')["messages"]
    errors = [f"{m['url'].rsplit('/', 1)[-1]}:{m.get('lastLine')}: {m['message']}" for m in messages]
    assert errors == [], "\n".join(errors)
