"""The markup every page shares, as assistive technology and the HTML checker read it: help
texts linked to their fields, flash messages in a live region that keeps list semantics, an
error summary that is announced and links to the fields, no non-standard attributes, machine
dates without microseconds. (The browser checks: core/tests/test_browser_a11y.py.)"""

import re

import pytest
from django.urls import reverse

from propass.support.services import ticket_open, ticket_reply_staff
from propass.testing.staff import staff_user

pytestmark = pytest.mark.django_db


def _ids(html: str) -> set[str]:
    return set(re.findall(r'\sid="([^"]+)"', html))


def test_every_help_text_is_linked_to_its_field(client):
    html = client.get(reverse("onboarding:apply")).content.decode()
    described = re.findall(r'aria-describedby="([^"]+)"', html)
    assert described, "the apply form has help texts"
    ids = _ids(html)
    for value in described:
        for target in value.split():
            assert target in ids, f"aria-describedby points at a missing element: {target}"
    assert 'id="id_email_helptext"' in html


def test_flash_messages_are_a_status_region_around_a_list(client, owner):
    client.force_login(owner)
    response = client.post(reverse("accounts:account"), {"action": "language", "language": "it"}, follow=True)
    html = response.content.decode()
    assert re.search(r'<div class="messages" role="status">\s*<ul>\s*<li class="success">', html), html
    assert not re.search(r"<ul[^>]*role=", html)


def test_a_failed_submit_shows_an_error_summary_that_takes_the_focus_and_links_to_the_fields(client):
    response = client.post(reverse("onboarding:apply"), {"first_name": "Giulia"})
    html = response.content.decode()
    summary = re.search(r'<div class="alert error-summary" role="alert" tabindex="-1"[^>]*>(.*?)</div>', html, re.S)
    assert summary, html
    links = re.findall(r'<a href="#([^"]+)">', summary.group(1))
    assert "id_last_name" in links and "id_email" in links
    ids = _ids(html)
    assert all(link in ids for link in links), links
    assert '<script src="/static/js/a11y.js" defer></script>' in html


def test_pages_use_only_standard_attributes_for_htmx(client, owner):
    client.force_login(owner)
    for name in ("products:list", "products:register"):
        html = client.get(reverse(name)).content.decode()
        assert "data-hx-get=" in html
        assert not re.search(r"\shx-[a-z]+=", html), name


def test_machine_readable_times_carry_no_microseconds(client, program, business, owner):
    ticket = ticket_open(business=business, author=owner, category="products", subject="Serial refused",
                         body="My serial is refused.")  # fmt: skip
    agent = staff_user("support@propass.test", "support")
    ticket_reply_staff(ticket_id=ticket.pk, agent=agent, body="We are looking at it.")
    client.force_login(owner)
    html = client.get(reverse("support:ticket", args=[ticket.pk])).content.decode()
    values = re.findall(r'<time datetime="([^"]+)"', html)
    assert len(values) == 2
    for value in values:
        assert re.fullmatch(r"\d{4}-\d\d-\d\d(T\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d))?", value), value
