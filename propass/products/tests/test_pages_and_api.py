import pytest
from rest_framework.test import APIClient

from propass.catalog.models import Dealer
from propass.products.models import Registration
from propass.products.tests.helpers import camera, register


def test_my_products_shows_status_points_and_totals(client, owner, business):
    register(business, camera(), serial="000000000001")
    register(business, camera(), serial="000000000002", dealer="")
    client.force_login(owner)
    page = client.get("/products/").content.decode()
    assert "Points credited" in page
    assert "Missing details" in page
    assert 'id="points-total">220<' in page
    assert "View product" in page


def test_the_product_list_has_a_fixed_number_of_queries(client, owner, business, django_assert_num_queries):
    product = camera()
    for n in range(30):
        register(business, product, serial=f"{n:012d}")
    client.force_login(owner)
    # session, user, business, page count, totals, products nearing their end of support, bell
    # count, transfers offered to the business, page of registrations
    with django_assert_num_queries(9):
        client.get("/products/")
    for n in range(30, 60):
        register(business, product, serial=f"{n:012d}")
    with django_assert_num_queries(9):
        response = client.get("/products/?page=2")
    assert response.status_code == 200


def test_search_and_filter(client, owner, business):
    register(business, camera(), serial="000000000001")
    register(business, camera("EOS-R6", 160), serial="000000000002", dealer="")
    client.force_login(owner)
    assert "EOS R6" not in client.get("/products/?q=R5").content.decode()
    page = client.get("/products/?status=incomplete").content.decode()
    assert "000000000002" in page
    assert "000000000001" not in page


def test_register_through_the_form(client, owner, business):
    product = camera()
    client.force_login(owner)
    response = client.post(
        "/products/register/",
        {
            "product": product.pk,
            "serial_number": "012345678901",
            "purchase_date": "2024-03-01",
            "country_of_purchase": "IT",
            "dealer": "Foto Milano",
        },
    )
    assert response.status_code == 302
    assert Registration.objects.get().points_credited == 220


def test_the_form_refuses_a_bad_serial_with_a_message(client, owner, business):
    client.force_login(owner)
    response = client.post("/products/register/", {"product": camera().pk, "serial_number": "XYZ"})
    assert "not a serial number of this model" in response.content.decode()
    assert Registration.objects.count() == 0


def test_the_catalog_search_answers_options(client, owner):
    camera("EOS-R5")
    camera("EOS-R6", 160)
    client.force_login(owner)
    options = client.get("/products/catalog/?q=R6").content.decode()
    assert "EOS R6" in options
    assert "EOS R5" not in options


def test_the_catalog_search_keeps_the_chosen_model_selected_while_it_matches(client, owner):
    r5 = camera("EOS-R5")
    r6 = camera("EOS-R6", 160)
    client.force_login(owner)
    options = client.get(f"/products/catalog/?q=EOS&product={r6.pk}").content.decode()
    assert f'<option value="{r6.pk}" selected>' in options
    assert f'<option value="{r5.pk}">' in options
    options = client.get(f"/products/catalog/?q=R5&product={r6.pk}").content.decode()
    assert "selected" not in options
    assert "EOS R6" not in options
    assert "selected" not in client.get("/products/catalog/?q=EOS&product=nonsense").content.decode()


def test_csv_export(client, owner, business):
    register(business, camera())
    client.force_login(owner)
    response = client.get("/products/export.csv")
    lines = response.content.decode().splitlines()
    assert lines[0].startswith("model,code,serial_number")
    assert "012345678901" in lines[1]


def test_another_business_cannot_see_edit_or_delete_a_registration(client, owner, outsider, business):
    registration = register(business, camera())
    client.force_login(outsider)
    assert client.get(f"/products/{registration.pk}/").status_code == 404
    assert client.post(f"/products/{registration.pk}/", {"dealer": "x"}).status_code == 404
    assert client.post(f"/products/{registration.pk}/delete/").status_code == 404
    assert Registration.objects.filter(pk=registration.pk).exists()
    api = APIClient()
    api.force_authenticate(outsider)
    assert api.get(f"/api/v1/registrations/{registration.pk}/").status_code == 404
    assert api.patch(f"/api/v1/registrations/{registration.pk}/", {"dealer": "x"}, format="json").status_code == 404
    assert api.delete(f"/api/v1/registrations/{registration.pk}/").status_code == 404
    assert api.get("/api/v1/registrations/").json()["count"] == 0


def test_deleting_from_the_page_debits_the_points(client, owner, business):
    registration = register(business, camera())
    client.force_login(owner)
    client.post(f"/products/{registration.pk}/delete/")
    business.refresh_from_db()
    assert business.points_balance == 0


@pytest.fixture
def api(owner):
    client = APIClient()
    client.force_authenticate(owner)
    return client


def test_the_api_registers_completes_and_deletes(api, business):
    product = camera()
    created = api.post(
        "/api/v1/registrations/", {"product": product.pk, "serial_number": "012345678901"}, format="json"
    )
    assert created.status_code == 201
    body = created.json()
    assert body["status"] == "incomplete"
    assert body["points"] == 0
    assert body["missing"] == ["purchase_date", "country_of_purchase", "dealer"]
    completed = api.patch(
        f"/api/v1/registrations/{body['id']}/",
        {"purchase_date": "2024-03-01", "country_of_purchase": "IT", "dealer": "Foto Milano"},
        format="json",
    ).json()
    assert completed["status"] == "complete"
    assert completed["points"] == 220
    assert api.get("/api/v1/me/").json()["business"]["points_balance"] == 220
    ledger = api.get("/api/v1/points/ledger/").json()
    assert ledger["results"][0]["amount"] == 220
    assert api.delete(f"/api/v1/registrations/{body['id']}/").status_code == 204
    assert [e["amount"] for e in api.get("/api/v1/points/ledger/").json()["results"]] == [-220, 220]


def test_the_api_refuses_a_duplicate_in_the_error_shape(api, business):
    register(business, camera())
    response = api.post(
        "/api/v1/registrations/",
        {
            "product": camera().pk,
            "serial_number": "012345678901",
            "purchase_date": "2024-03-01",
            "country_of_purchase": "IT",
            "dealer": "x",
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "duplicate"


def test_the_catalog_api_searches(api):
    camera("EOS-R5")
    camera("EOS-R6", 160)
    results = api.get("/api/v1/catalog/products/?q=R6").json()["results"]
    assert [item["code"] for item in results] == ["EOS-R6"]
    assert set(results[0]) >= {"id", "code", "name", "category", "points", "eligible"}


def test_the_dashboard_shows_the_progress_to_the_invitation(client, owner, business):
    register(business, camera())
    client.force_login(owner)
    page = client.get("/").content.decode()
    assert '<progress id="points-progress" value="220" max="500">' in page
    assert "280 more points to your invitation" in page


def test_view_product_shows_the_purchase_date_in_the_date_field(client, owner, business):
    owner.language = "it"
    owner.save()
    registration = register(business, camera(), dealer="")
    client.force_login(owner)
    page = client.get(f"/products/{registration.pk}/").content.decode()
    assert 'type="date" name="purchase_date" value="2024-03-01"' in page


def test_view_product_marks_the_missing_details(client, owner, business):
    registration = register(business, camera(), dealer="", country_of_purchase="")
    client.force_login(owner)
    page = client.get(f"/products/{registration.pk}/").content.decode()
    assert 'name="dealer" list="dealers" autocomplete="off" maxlength="200" aria-invalid="true"' in page
    assert 'aria-invalid="true" id="id_country_of_purchase"' in page or (
        'name="country_of_purchase" aria-invalid="true"' in page
    )
    assert page.count('aria-invalid="true"') == 2
    assert page.count('class="field has-error"') == 2
    assert "Needed for points." in page
    # Each message is the one its field's aria-describedby names.
    assert 'aria-describedby="id_dealer_helptext id_dealer_error"' in page
    assert '<ul class="errorlist" id="id_dealer_error"><li>Needed for points.</li></ul>' in page
    # A complete registration marks nothing.
    complete = register(business, camera("EOS-R3"))
    page = client.get(f"/products/{complete.pk}/").content.decode()
    assert 'aria-invalid="true"' not in page


@pytest.mark.parametrize(
    ("pattern", "words"),
    [
        ("[0-9]{12}", "12 digits, for example 123456789012"),
        ("[0-9]{10,12}", "10 to 12 digits, for example 1234567890"),
        ("[A-Z]{3}[0-9]{5}", "3 capital letters then 5 digits, for example ABC12345"),
    ],
)
def test_a_bad_serial_says_what_the_model_expects(client, owner, business, pattern, words):
    client.force_login(owner)
    product = camera(serial_pattern=pattern)
    response = client.post("/products/register/", {"product": product.pk, "serial_number": "XYZ"})
    assert words in response.content.decode()


def test_the_dealer_suggestions_are_those_of_the_business_country(client, owner, business):
    Dealer.objects.create(name="Foto Milano", country="IT")
    Dealer.objects.create(name="Kamera Express", country="NL")
    client.force_login(owner)
    page = client.get("/products/register/").content.decode()
    assert '<option value="Foto Milano">' in page
    assert "Kamera Express" not in page
