"""The member pages and API lists the scale benchmark drives cost a fixed number of queries: the
same for a business with a handful of products, bells and service requests as for one with many,
and the number pinned here (a new query per row, or a new query per page, fails)."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from propass.accounts.models import Business
from propass.accounts.tests.factories import BusinessFactory, MembershipFactory
from propass.notifications.models import Notification
from propass.onboarding.tests.helpers import submit
from propass.products.tests.helpers import camera, register
from propass.program_admin.setup import sellers_seed, tiers_seed
from propass.service.seed import service_seed
from propass.service.tests.helpers import ask
from propass.testing.clients import api_clients
from propass.testing.shop import buy
from propass.testing.staff import staff_session_verify, staff_user

pytestmark = pytest.mark.django_db

# page: queries, whatever the data
MEMBER_PAGES = {
    "/": 7,
    "/products/": 9,
    "/subscriptions/": 15,
    "/subscriptions/benefits/": 13,
    "/notifications/": 6,
    "/service/": 6,
    "/support/": 5,
}
API_LISTS = {
    "/api/v1/me/": 2,
    "/api/v1/registrations/?page_size=50": 2,
    "/api/v1/invoices/": 3,
    "/api/v1/notifications/": 2,
    "/api/v1/service-requests/": 2,
}
CHECKOUT = {"/subscriptions/checkout/gold/": 11}


def _grow(business, owner, start, count):
    """`count` more credited cameras, bells and service requests (one request per camera)."""
    for n in range(start, start + count):
        registration = register(business, camera(f"EOS-Q{n}"), serial=f"0{n:011d}", actor=owner)
        ask(business, owner, registration)
    Notification.objects.bulk_create(
        Notification(user=owner, kind="test", title="Your invoice is ready", params={}) for _ in range(count)
    )


@pytest.fixture
def member(program):
    sellers_seed()
    tiers_seed()
    service_seed()
    business = BusinessFactory(name="Studio Grande", country="NL", currency="EUR", points_balance=5000,
                               street="Keizersgracht 1", postal_code="1015 CJ", city="Amsterdam")  # fmt: skip
    owner = MembershipFactory(business=business, role="superuser").user
    buy(business, owner, tier="gold")
    _grow(business, owner, 100, 3)
    return business, owner


def _counts(client, urls):
    counts = {}
    for url in urls:
        client.get(url)  # sessions and caches warmed
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, url
        counts[url] = len(queries.captured_queries)
    return counts


def test_member_pages_and_api_lists_cost_the_same_queries_for_few_rows_as_for_many(client, member):
    business, owner = member
    client.force_login(owner)
    [api] = api_clients(owner, 1)
    few = _counts(client, MEMBER_PAGES) | _counts(api, API_LISTS)
    _grow(business, owner, 200, 60)
    many = _counts(client, MEMBER_PAGES) | _counts(api, API_LISTS)
    assert many == few
    assert few == MEMBER_PAGES | API_LISTS


def test_the_checkout_review_costs_the_same_queries_whatever_the_products(client, program):
    sellers_seed()
    tiers_seed()
    service_seed()
    business = BusinessFactory(name="Studio Nuovo", country="IT", currency="EUR", points_balance=1500)
    owner = MembershipFactory(business=business, role="superuser").user
    client.force_login(owner)
    few = _counts(client, CHECKOUT)
    for n in range(40):
        register(business, camera(f"EOS-C{n}"), serial=f"1{n:011d}", actor=owner)
    Business.objects.filter(pk=business.pk).update(points_balance=1500)
    assert _counts(client, CHECKOUT) == few == CHECKOUT


# Back-office pages of the benchmark: queries whatever the data ({pk}: the business above)
OFFICE_PAGES = {
    "/backoffice/applications/": 11,
    "/backoffice/businesses/{pk}/": 23,
    "/backoffice/businesses/{pk}/products/": 6,
    "/backoffice/businesses/?q=Studio": 9,
    "/backoffice/audit/": 5,
    "/backoffice/finance/invoices/": 9,
    "/backoffice/finance/payments/": 5,
    "/backoffice/reports/": 15,
    "/backoffice/support/": 5,
    "/backoffice/service/": 9,
    "/backoffice/outbox/": 5,
}


def test_back_office_pages_cost_the_same_queries_for_few_rows_as_for_many(client, member):
    business, owner = member
    agent = staff_user("everything@propass.test", "validation")
    for group in ("support", "finance", "program_admin", "service", "auditor"):
        agent.groups.add(Group.objects.get_or_create(name=group)[0])
    client.force_login(agent)
    staff_session_verify(client, agent)
    pages = {url.format(pk=business.pk): count for url, count in OFFICE_PAGES.items()}
    for n in range(3):
        submit(email=f"few{n}@example.com")
    few = _counts(client, pages)
    _grow(business, owner, 200, 60)
    for n in range(60):
        submit(email=f"many{n}@example.com")
    for n in range(30):
        BusinessFactory(name=f"Studio {n:03d}", country="IT")
    many = _counts(client, pages)
    assert many == few == pages
