"""The legacy CPS page: accounts listed without a search, a business picked by search."""

import io

from propass.accounts.tests.factories import BusinessFactory
from propass.products.legacy import legacy_import
from propass.products.models import LegacyAccount
from propass.products.tests.legacy_data import legacy_csv, twelve_products


def _accounts(count: int) -> None:
    rows = [f"old{n:02d}@example.com,Studio {n},IT,{n},Gold,,Lens {n},{n:012d},,," for n in range(count)]
    legacy_import(stream=io.BytesIO(legacy_csv(*rows)))


def test_the_page_lists_the_accounts_not_migrated_yet_without_a_search(client, support_agent, program):
    _accounts(30)
    client.force_login(support_agent)
    page = client.get("/backoffice/legacy/").content.decode()
    assert LegacyAccount.objects.count() == 30
    assert page.count("@example.com</td>") == 25
    assert "?page=2" in page
    second = client.get("/backoffice/legacy/?page=2").content.decode()
    assert second.count("@example.com</td>") == 5


def test_staff_pick_the_business_by_name_and_link_it(client, support_agent, business):
    BusinessFactory(name="Alphabet Soup", country="DE")
    legacy_import(stream=io.BytesIO(twelve_products("later@example.com")))
    client.force_login(support_agent)
    page = client.get("/backoffice/legacy/", {"email": "later", "business_q": "Alpha Studio"}).content.decode()
    assert f'<option value="{business.pk}">Alpha Studio' in page
    assert "Alphabet Soup" not in page
    client.post("/backoffice/legacy/link/", {"email": "later@example.com", "business": business.pk})
    business.refresh_from_db()
    assert business.legacy_email == "later@example.com"


def test_without_a_business_search_the_row_asks_for_one(client, support_agent, business):
    legacy_import(stream=io.BytesIO(twelve_products("later@example.com")))
    client.force_login(support_agent)
    page = client.get("/backoffice/legacy/", {"email": "later"}).content.decode()
    assert "Business number" not in page
    assert 'name="business_q"' in page
