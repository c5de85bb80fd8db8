"""/faq/: public, in the reader's language, searchable, with an anchor per question; and the
member pages where people get stuck link to it."""

import pytest

from propass.faq.models import FaqEntry
from propass.products.tests.helpers import camera, register

pytestmark = pytest.mark.django_db


def test_anonymous_visitors_read_the_faq_on_the_public_layout(client):
    response = client.get("/faq/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'class="publicbar"' in page
    assert 'class="topbar"' not in page
    for key in ("missing-green-check", "no-migrate-button", "payment-options"):
        assert f'id="{key}"' in page
    assert "Why does my product have no green check?" in page
    assert "Invoices and payments" in page


def test_members_read_it_in_their_own_layout_and_language(client, member):
    member.language = "de"
    member.save()
    client.force_login(member)
    page = client.get("/faq/").content.decode()
    assert 'class="topbar"' in page
    assert "Warum hat mein Produkt kein grünes Häkchen?" in page
    assert "Rechnungen und Zahlungen" in page
    assert "Why does my product have no green check?" not in page


def test_the_language_of_the_browser_chooses_the_questions(client):
    page = client.get("/faq/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "¿Por qué no veo el botón MIGRAR PRODUCTOS?" in page
    french = client.get("/faq/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Pourquoi ne vois-je pas le bouton MIGRER LES PRODUITS\u00a0?" in french
    dutch = client.get("/faq/", HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert "Waarom zie ik de knop PRODUCTEN MIGREREN niet?" in dutch
    FaqEntry.objects.filter(key="no-migrate-button", language="fr").delete()
    french = client.get("/faq/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Why don't I see the MIGRATE PRODUCTS button?" in french.replace("&#x27;", "'")
    assert 'lang="en"' in french


def test_answers_are_paragraphs_and_escaped(client):
    entry = FaqEntry.objects.get(key="payment-options", language="en")
    entry.answer = "First <b>paragraph</b>.\n\nSecond paragraph."
    entry.save()
    page = client.get("/faq/").content.decode()
    assert "<p>First &lt;b&gt;paragraph&lt;/b&gt;.</p>" in page
    assert "<p>Second paragraph.</p>" in page


def test_the_search_shows_the_matching_questions(client):
    page = client.get("/faq/", {"q": "consumables"}).content.decode()
    assert "1 question matches “consumables”." in page
    assert 'id="which-products-earn-points"' in page
    assert 'id="payment-options"' not in page


def test_the_search_says_when_nothing_matches(client):
    page = client.get("/faq/", {"q": "<zebra>"}).content.decode()
    assert "No question matches “&lt;zebra&gt;”." in page
    assert 'class="card faq-entry"' not in page


def test_the_page_costs_the_same_queries_however_many_questions(client, member, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert client.get("/faq/").status_code == 200
    with django_assert_num_queries(1):
        assert client.get("/faq/", {"q": "card"}).status_code == 200
    client.force_login(member)
    client.get("/faq/")
    FaqEntry.objects.filter(language="en").update(published=False)
    # session, user, the entries, then the top bar: unread count and business
    with django_assert_num_queries(5):
        assert client.get("/faq/").status_code == 200


def test_view_product_links_to_the_green_check_question(client, owner, business):
    registration = register(business, camera(), dealer="")
    client.force_login(owner)
    page = client.get(f"/products/{registration.pk}/").content.decode()
    assert 'href="/faq/#missing-green-check"' in page
    assert 'href="/faq/#missing-green-check"' in client.get("/products/").content.decode()


def test_my_products_without_an_old_account_links_to_the_migration_question(client, owner):
    client.force_login(owner)
    page = client.get("/products/").content.decode()
    assert 'id="no-migration"' in page
    assert 'href="/faq/#no-migrate-button"' in page


def test_the_payment_step_links_to_the_payment_question(client, program, business, owner):
    from propass.accounts.models import Business
    from propass.program_admin.setup import sellers_seed, tiers_seed

    sellers_seed()
    tiers_seed()
    Business.objects.filter(pk=business.pk).update(points_balance=600)
    client.force_login(owner)
    review = {"action": "review", "term_years": "1", "auto_renew": "true", "po_number": "", "accept_terms": "on"}
    response = client.post("/subscriptions/checkout/silver/", review)
    page = client.get(response["Location"]).content.decode()
    assert "Please select payment option" in page
    assert 'href="/faq/#payment-options"' in page


def test_the_layouts_link_to_the_faq(client, member):
    assert 'href="/faq/"' in client.get("/accounts/login/").content.decode()
    client.force_login(member)
    assert 'href="/faq/"' in client.get("/products/").content.decode()
