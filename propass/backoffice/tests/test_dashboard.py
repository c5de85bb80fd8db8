"""The staff dashboard counts what waits for staff, each with a link to the work list."""

import re

from propass.billing.bank import bank_statement_import
from propass.products.tests.helpers import camera, register
from propass.support.services import ticket_open
from propass.testing.camt import camt053
from propass.testing.staff import staff_user


def _stat(page: str, heading: str) -> str:
    match = re.search(rf"<h2>{re.escape(heading)}</h2><p class=\"stat\">([^<]*)</p>", page)
    assert match, heading
    return match.group(1)


def test_the_dashboard_counts_open_tickets_serial_conflicts_and_unmatched_bank_lines(
    client, business, other_business, owner, outsider, django_assert_max_num_queries
):
    ticket_open(business=business, author=owner, category="products", subject="Serial refused", body="Help.")
    ticket_open(business=other_business, author=outsider, category="products", subject="Other", body="Help.")
    register(business, camera())
    register(other_business, camera())  # held: the same serial is credited to Alpha Studio
    bank_statement_import(
        data=camt053([{"amount": "120.00", "reference": "RF18539007547034", "name": "Mystery Payer Ltd"}]),
        file_name="s.xml",
        actor=None,
    )
    agent = staff_user("both@propass.test", "support")
    agent.groups.add(*staff_user("fin@propass.test", "finance").groups.all())
    client.force_login(agent)
    page = client.get("/backoffice/").content.decode()
    assert _stat(page, "Open support tickets") == "2"
    assert _stat(page, "Serial conflicts") == "1"
    assert _stat(page, "Unmatched bank lines") == "1"
    assert '<a href="/backoffice/support/">Open the support queue</a>' in page
    assert '<a href="/backoffice/registrations/conflicts/">Resolve the conflicts</a>' in page
    assert '<a href="/backoffice/bank/">Open the bank statements</a>' in page
    with django_assert_max_num_queries(20):
        client.get("/backoffice/")


def test_staff_without_the_role_see_the_counts_without_the_links(client, staff, program):
    client.force_login(staff)
    page = client.get("/backoffice/").content.decode()
    assert _stat(page, "Open support tickets") == "0"
    assert _stat(page, "Serial conflicts") == "0"
    assert _stat(page, "Unmatched bank lines") == "0"
    assert "Open the support queue" not in page
    assert "Open the bank statements" not in page
