"""The service requests API: members (their business's requests) and service agents (the centre's
steps), in the contract's shapes and error format."""

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from propass.service.models import ServiceRequest
from propass.service.tests.helpers import ask, credited
from propass.testing.files import png
from propass.testing.shop import buy

pytestmark = pytest.mark.django_db


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def gold(shop, owner):
    buy(shop, owner, tier="gold")
    return shop


def test_a_member_opens_follows_and_decides_on_a_request_through_the_api(gold, owner, agent):
    registration = credited(gold)
    api = _api(owner)
    body = {
        "registration": registration.pk,
        "kind": "repair",
        "description": "Autofocus hunts.",
        "service_centre": "milano",
    }
    answer = api.post("/api/v1/service-requests/", body, format="json", HTTP_IDEMPOTENCY_KEY="sr-1")
    assert answer.status_code == 201, answer.json()
    created = answer.json()
    assert {"id", "reference", "status", "kind", "registration", "service_centre", "received_on", "promised_by",
            "late"} <= set(created)  # fmt: skip
    assert (created["status"], created["kind"], created["service_centre"]) == ("submitted", "repair", "milano")
    assert (created["registration"], created["promised_by"], created["late"]) == (registration.pk, None, False)
    assert created["return_address"]["city"] == "Amsterdam"
    assert [step["kind"] for step in created["timeline"]] == ["submitted"]
    # The same key and body: the first answer again, not a second request.
    again = api.post("/api/v1/service-requests/", body, format="json", HTTP_IDEMPOTENCY_KEY="sr-1")
    assert again.json()["id"] == created["id"] and again["Idempotent-Replayed"] == "true"
    assert ServiceRequest.objects.count() == 1
    pk = created["id"]
    assert api.get("/api/v1/service-requests/").json()["results"][0]["reference"] == created["reference"]

    staff = _api(agent)
    today = timezone.localdate().isoformat()
    received = staff.post(f"/api/v1/staff/service-requests/{pk}/receive/", {"received_on": today}, format="json")
    assert received.status_code == 200, received.json()
    assert received.json()["promised_by"] is not None
    assert staff.post(f"/api/v1/staff/service-requests/{pk}/start/").status_code == 200
    quoted = staff.post(f"/api/v1/staff/service-requests/{pk}/quote/", {"amount": "300.00", "note": "Lens motor"})
    assert quoted.json()["quote"] == {
        "amount": "300.00", "discount": "45.00", "percent": "15.00", "total": "255.00", "cap_left": "300.00",
        "currency": "EUR", "note": "Lens motor",
    }  # fmt: skip
    approved = api.post(f"/api/v1/service-requests/{pk}/quote/approve/")
    assert approved.status_code == 200 and approved.json()["status"] == "in_service"
    assert staff.post(f"/api/v1/staff/service-requests/{pk}/complete/").json()["status"] == "ready"
    shipped = staff.post(f"/api/v1/staff/service-requests/{pk}/ship/", {"carrier": "BRT", "tracking": "0123"})
    assert (shipped.json()["status"], shipped.json()["carrier"], shipped.json()["tracking"]) == (
        "shipped",
        "BRT",
        "0123",
    )
    assert staff.post(f"/api/v1/staff/service-requests/{pk}/close/").json()["status"] == "closed"
    final = api.get(f"/api/v1/service-requests/{pk}/").json()
    assert [s["kind"] for s in final["timeline"]] == [
        "submitted", "received", "in_service", "quoted", "quote_approved", "ready", "shipped", "closed",
    ]  # fmt: skip
    slip = api.get(final["slip_url"])
    assert slip.status_code == 200 and slip["Content-Type"] == "application/pdf"


def test_a_refusal_answers_in_the_api_error_shape(gold, owner, other_business):
    theirs = credited(other_business)
    body = {"registration": theirs.pk, "kind": "repair", "description": "x", "service_centre": "amstelveen"}
    answer = _api(owner).post("/api/v1/service-requests/", body, format="json")
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["code"] == "registration_not_found"
    assert error["fields"]["registration"] == ["Choose one of your business's registered products."]


def test_no_maintenance_check_left_is_a_conflict(shop, owner):
    buy(shop, owner, tier="silver")
    api = _api(owner)
    for serial, expected in (("012345678901", 201), ("012345678902", 409)):
        body = {"registration": credited(shop, serial).pk, "kind": "maintenance", "description": "Yearly check",
                "service_centre": "amstelveen"}  # fmt: skip
        answer = api.post("/api/v1/service-requests/", body, format="json")
        assert answer.status_code == expected
    assert answer.json()["error"]["code"] == "allowance_used_up"


def test_photos_come_with_a_multipart_request(gold, owner):
    registration = credited(gold)
    body = {"registration": registration.pk, "kind": "repair", "description": "Cracked screen",
            "service_centre": "amstelveen", "attachments": [png("screen.png")]}  # fmt: skip
    answer = _api(owner).post("/api/v1/service-requests/", body, format="multipart")
    assert answer.status_code == 201, answer.json()
    (attachment,) = answer.json()["attachments"]
    assert attachment["name"] == "screen.png"
    download = _api(owner).get(attachment["url"])
    assert download.status_code == 200 and download["Content-Type"] == "image/png"


def test_another_business_gets_404_for_every_request_operation(gold, owner, other_business, outsider):
    request = ask(gold, owner, credited(gold))
    api = _api(outsider)
    assert api.get(f"/api/v1/service-requests/{request.pk}/").status_code == 404
    assert api.get(f"/api/v1/service-requests/{request.pk}/slip/").status_code == 404
    for action in ("cancel", "sent", "quote/approve", "quote/decline"):
        assert api.post(f"/api/v1/service-requests/{request.pk}/{action}/").status_code == 404, action
    assert api.get("/api/v1/service-requests/").json()["count"] == 0
    assert ServiceRequest.objects.get().status == "submitted"


def test_a_member_without_billing_rights_follows_and_cancels_but_does_not_decide_on_quotes(gold, owner, member, agent):
    request = ask(gold, member, credited(gold))  # any user of the business may ask
    api = _api(member)
    assert api.get(f"/api/v1/service-requests/{request.pk}/").status_code == 200
    staff = _api(agent)
    staff.post(f"/api/v1/staff/service-requests/{request.pk}/receive/", {"received_on": timezone.localdate()})
    staff.post(f"/api/v1/staff/service-requests/{request.pk}/start/")
    staff.post(f"/api/v1/staff/service-requests/{request.pk}/quote/", {"amount": "80.00"})
    refused = api.post(f"/api/v1/service-requests/{request.pk}/quote/approve/")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "billing_rights_required"
    assert ServiceRequest.objects.get().status == "quote_waiting"
    other = ask(gold, member, credited(gold, "012345678902"))
    assert api.post(f"/api/v1/service-requests/{other.pk}/cancel/").json()["status"] == "cancelled"


@pytest.mark.parametrize("role", ["member", "support", "validation", "auditor", "anonymous"])
def test_the_staff_api_is_for_the_service_role_only(gold, owner, member, role):
    from propass.testing.staff import staff_user

    request = ask(gold, owner, credited(gold))
    client = APIClient()
    if role == "member":
        client.force_authenticate(member)
    elif role != "anonymous":
        client.force_authenticate(staff_user(f"{role}@propass.test", role))
    base = f"/api/v1/staff/service-requests/{request.pk}"
    assert client.get("/api/v1/staff/service-requests/").status_code in (401, 403)
    assert client.get(f"{base}/").status_code in (401, 403)
    for action, body in (("receive", {"received_on": "2026-01-01"}), ("start", {}), ("quote", {"amount": "1"}),
                         ("complete", {}), ("ship", {"carrier": "x", "tracking": "y"}), ("close", {})):  # fmt: skip
        assert client.post(f"{base}/{action}/", body).status_code in (401, 403), action
    assert ServiceRequest.objects.get().status == "submitted"


def test_the_staff_queue_filters_by_status_centre_and_tier(gold, owner, agent):
    first = ask(gold, owner, credited(gold), centre="milano")
    ask(gold, owner, credited(gold, "012345678902"), centre="paris")
    api = _api(agent)
    api.post(f"/api/v1/staff/service-requests/{first.pk}/receive/", {"received_on": timezone.localdate()})

    def references(query):
        return [row["reference"] for row in api.get(f"/api/v1/staff/service-requests/{query}").json()["results"]]

    assert len(references("")) == 2
    assert references("?centre=milano") == [first.reference]
    assert references("?status=received") == [first.reference]
    assert len(references("?tier=gold")) == 2 and references("?tier=silver") == []
    row = api.get("/api/v1/staff/service-requests/?centre=milano").json()["results"][0]
    assert (row["business"], row["tier"]) == ("Alpha Studio", "gold")


def test_an_illegal_step_answers_409(gold, owner, agent):
    request = ask(gold, owner, credited(gold))
    answer = _api(agent).post(f"/api/v1/staff/service-requests/{request.pk}/ship/", {"carrier": "x", "tracking": "y"})
    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "illegal_transition"


def test_the_service_centres_are_listed(gold, owner):
    codes = [centre["code"] for centre in _api(owner).get("/api/v1/service-centres/").json()["results"]]
    assert {"amstelveen", "milano", "krefeld", "london", "madrid", "paris"} <= set(codes)
