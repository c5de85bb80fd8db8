"""The member pages: the list, the form, the request with its instructions, quote and timeline,
and the shipping slip."""

import io
from datetime import date, datetime

import pytest
from django.utils import timezone, translation
from pypdf import PdfReader

from propass.service.models import ServiceRequest
from propass.service.services import (
    service_request_quote,
    service_request_receive,
    service_request_start,
)
from propass.service.tests.helpers import ask, credited
from propass.testing.files import png
from propass.testing.shop import buy

pytestmark = pytest.mark.django_db


@pytest.fixture
def gold(shop, owner):
    buy(shop, owner, tier="gold")
    return shop


def _text(response):
    return response.content.decode()


def test_the_form_offers_the_credited_products_and_prefills_the_return_address(gold, owner, client):
    registration = credited(gold)
    client.force_login(owner)
    page = _text(client.get("/service/new/"))
    assert f'<option value="{registration.pk}">EOS R5 · 012345678901</option>' in page
    assert 'value="Keizersgracht 1"' in page
    assert '<option value="amstelveen" selected>' in page  # the centre of the business's country
    assert "2 maintenance checks or sensor cleans left this membership year." in page


def test_sending_the_form_gives_the_reference_and_the_instructions_at_once(gold, owner, client):
    registration = credited(gold)
    client.force_login(owner)
    answer = client.post(
        "/service/new/",
        {"registration": registration.pk, "kind": "sensor_clean", "description": "Dust spots at f/16.",
         "centre": "krefeld", "return_name": "Alpha Studio", "return_street": "Keizersgracht 1",
         "return_postal_code": "1015 CJ", "return_city": "Amsterdam", "return_country": "NL",
         "attachments": [png("spots.png")]},
        follow=True,
    )  # fmt: skip
    request = ServiceRequest.objects.get()
    page = _text(answer)
    assert answer.redirect_chain[-1][0] == f"/service/{request.pk}/"
    assert f"Your service request {request.reference} is registered." in page
    assert "CPS Servicezentrum Krefeld<br>Hafenstraße 21<br>47809 Krefeld<br>Germany" in page
    assert f"Write the reference {request.reference} on the outside of the parcel." in page
    assert f'href="/service/{request.pk}/slip.pdf"' in page
    assert "The promise starts when the service centre receives your product." in page
    assert request.attachments.get().original_name == "spots.png"
    assert request.allowance_entry is not None


def test_a_refusal_is_shown_on_the_form(gold, owner, client):
    registration = credited(gold)
    ask(gold, owner, registration)
    client.force_login(owner)
    form = {"registration": registration.pk, "kind": "repair", "description": "Again", "centre": "amstelveen",
            "return_name": "A", "return_street": "B", "return_postal_code": "1", "return_city": "C",
            "return_country": "NL"}  # fmt: skip
    answer = client.post("/service/new/", form)
    assert answer.status_code == 200
    assert "This product already has an open service request" in _text(answer)
    assert ServiceRequest.objects.count() == 1


def test_without_a_membership_the_form_says_why(shop, owner, client):
    credited(shop)
    client.force_login(owner)
    page = _text(client.get("/service/new/"))
    assert "your business has no active membership" in page
    assert '<form method="post" enctype' not in page


def test_a_late_request_says_so_plainly_and_the_list_flags_it(gold, owner, client, agent):
    request = ask(gold, owner, credited(gold))
    ServiceRequest.objects.filter(pk=request.pk).update(created_at=timezone.make_aware(datetime(2026, 3, 30, 9)))
    service_request_receive(agent=agent, request_id=request.pk, received_on=date(2026, 4, 2))
    client.force_login(owner)
    page = _text(client.get(f"/service/{request.pk}/"))
    assert "This request is late: we promised it by 09/04/2026." in page
    assert "3 business days from receipt on 02/04/2026." in page
    assert 'class="status overdue">Late</span>' in _text(client.get("/service/"))


def test_the_quote_is_approved_in_one_click_by_those_who_may(gold, owner, member, client, agent):
    request = ask(gold, owner, credited(gold))
    service_request_receive(agent=agent, request_id=request.pk, received_on=timezone.localdate())
    service_request_start(agent=agent, request_id=request.pk)
    service_request_quote(agent=agent, request_id=request.pk, amount="1000.00", note="New shutter.")
    client.force_login(member)
    page = _text(client.get(f"/service/{request.pk}/"))
    assert "Membership discount (15%)" in page and "New shutter." in page
    assert "€300.00 of it was left before this quote" in page
    assert "Approve the quote" not in page
    assert client.post(f"/service/{request.pk}/quote/approve/").status_code == 302
    assert ServiceRequest.objects.get().status == "quote_waiting"
    client.force_login(owner)
    assert "Approve the quote" in _text(client.get(f"/service/{request.pk}/"))
    page = _text(client.post(f"/service/{request.pk}/quote/approve/", follow=True))
    assert "You approved the quote." in page
    assert ServiceRequest.objects.get().status == "in_service"


def test_the_member_says_the_product_is_sent_and_may_cancel_until_it_arrives(gold, owner, client):
    request = ask(gold, owner, credited(gold))
    client.force_login(owner)
    client.post(f"/service/{request.pk}/sent/", {"tracking": "JVGL0612345"})
    request.refresh_from_db()
    assert (request.status, request.inbound_tracking) == ("awaiting_product", "JVGL0612345")
    page = _text(client.post(f"/service/{request.pk}/cancel/", follow=True))
    assert "The service request is cancelled." in page
    assert "Cancel the request" not in page


def test_another_business_cannot_see_or_touch_a_request(gold, owner, outsider, client):
    request = ask(gold, owner, credited(gold), attachments=[png()])
    client.force_login(outsider)
    assert client.get(f"/service/{request.pk}/").status_code == 404
    assert client.get(f"/service/{request.pk}/slip.pdf").status_code == 404
    assert client.post(f"/service/{request.pk}/cancel/").status_code == 404
    assert client.get(f"/service/attachments/{request.attachments.get().pk}/").status_code == 404
    assert request.reference not in _text(client.get("/service/"))


def test_the_shipping_slip_is_a_tagged_pdf_in_the_readers_language(gold, owner, client):
    request = ask(gold, owner, credited(gold), centre="madrid")
    owner.language = "it"
    owner.save()
    client.force_login(owner)
    answer = client.get(f"/service/{request.pk}/slip.pdf", HTTP_ACCEPT_LANGUAGE="it")
    assert answer["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(answer.content))
    text = "".join(page.extract_text() for page in reader.pages)
    assert request.reference in text
    assert "Calle de Alcalá 265" in text and "Keizersgracht 1" in text
    assert "012345678901" in text
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"]) and "/StructTreeRoot" in root
    with translation.override("it"):
        assert str(root["/Lang"]) == translation.get_language()
