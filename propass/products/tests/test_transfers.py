"""Product transfers between businesses: offered by the releasing business, accepted by the
receiver with its purchase date; points move once each way, and back once on a reversal."""

import io
import json
import zipfile
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from propass.accounts.models import Business
from propass.accounts.tests.factories import BusinessFactory, MembershipFactory
from propass.catalog.models import ProductModel
from propass.core.errors import Conflict
from propass.core.models import AuditLog
from propass.notifications.models import Notification, OutboxMessage
from propass.points.enums import LedgerReason
from propass.points.models import LedgerEntry
from propass.privacy.personal_data import business_data_export
from propass.products.enums import RegistrationStatus, TransferStatus
from propass.products.models import ProductTransfer, Registration
from propass.products.tests.helpers import camera, register
from propass.products.transfers import transfer_reverse, transfer_suggest_for_conflict
from propass.service.models import ServiceCentre, ServiceRequest
from propass.service.seed import service_seed
from propass.testing.files import pdf
from propass.testing.invariants import assert_points_add_up
from propass.testing.staff import staff_user

SERIAL = "012345678901"


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def balance(business) -> int:
    return Business.objects.values_list("points_balance", flat=True).get(pk=business.pk)


@pytest.fixture
def sold(business):
    """Alpha's credited EOS R5 (220 points)."""
    return register(business, camera(points=220), SERIAL)


def offer(user, registration, recipient):
    return api(user).post(
        "/api/v1/transfers/", {"registration": registration.pk, "recipient": recipient}, format="json"
    )


def accept(user, transfer_id, purchase_date="2025-06-01", **extra):
    return api(user).post(
        f"/api/v1/transfers/{transfer_id}/accept/", {"purchase_date": purchase_date, **extra}, format="json"
    )


def open_repair(business, registration):
    service_seed()
    return ServiceRequest.objects.create(
        reference="SR-2026-000001", business=business, registration=registration, kind="repair",
        description="The shutter jams.", centre=ServiceCentre.objects.get(code="amstelveen"), return_name="Alpha",
        return_street="Keizersgracht 1", return_postal_code="1015 CJ", return_city="Amsterdam", return_country="NL",
    )  # fmt: skip


def test_an_accepted_transfer_moves_the_product_and_its_points_once(
    program, business, owner, other_business, outsider, sold
):
    response = offer(owner, sold, "outsider@beta.test")
    assert response.status_code == 201, response.json()
    transfer_id = response.json()["id"]
    assert response.json()["status"] == "offered"
    assert Notification.objects.filter(user=outsider, kind="transfer_offered").exists()

    response = accept(outsider, transfer_id)
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["status"], body["points_debited"], body["points_credited"]) == ("accepted", 220, 220)

    sold.refresh_from_db()
    assert (sold.business_id, sold.status, sold.purchase_date) == (other_business.pk, "complete", date(2025, 6, 1))
    assert (balance(business), balance(other_business)) == (0, 220)
    assert assert_points_add_up(business) == 0
    assert assert_points_add_up(other_business) == 220
    reasons = list(
        LedgerEntry.objects.filter(registration=sold).order_by("pk").values_list("business_id", "amount", "reason")
    )
    assert reasons == [
        (business.pk, 220, LedgerReason.REGISTRATION),
        (business.pk, -220, LedgerReason.TRANSFER_OUT),
        (other_business.pk, 220, LedgerReason.TRANSFER_IN),
    ]
    assert AuditLog.objects.filter(action="transfer.accept", target_id=str(transfer_id)).count() == 1
    assert Notification.objects.filter(user=owner, kind="transfer_accepted").exists()
    assert Notification.objects.filter(user=outsider, kind="transfer_accepted").exists()
    assert OutboxMessage.objects.filter(to="owner@alpha.test").exists()

    again = accept(outsider, transfer_id)
    assert again.status_code == 409
    assert (balance(business), balance(other_business)) == (0, 220)


def test_the_receiver_earns_the_catalog_value_at_transfer_time(
    program, business, owner, other_business, outsider, sold
):
    ProductModel.objects.filter(pk=sold.product_id).update(points=300)
    transfer_id = offer(owner, sold, "outsider@beta.test").json()["id"]
    assert accept(outsider, transfer_id).status_code == 200
    assert (balance(business), balance(other_business)) == (0, 300)
    sold.refresh_from_db()
    assert (sold.points_value, sold.points_credited) == (300, 300)
    assert_points_add_up(other_business)


def test_a_business_named_by_its_vat_number_receives_the_offer(
    program, business, owner, other_business, outsider, sold
):
    Business.objects.filter(pk=other_business.pk).update(vat_number="DE136695976")
    response = offer(owner, sold, "de 136695976")
    assert response.status_code == 201
    assert ProductTransfer.objects.get().to_business_id == other_business.pk


def test_an_unknown_recipient_gets_the_same_answer_as_a_known_one(program, business, owner, other_business, outsider):
    product = camera()
    known = offer(owner, register(business, product, "000000000001"), "outsider@beta.test")
    unknown = offer(owner, register(business, product, "000000000002"), "nobody@nowhere.test")
    unknown_vat = offer(owner, register(business, product, "000000000003"), "IT00743110157")
    shapes = [
        {
            k: v
            for k, v in r.json().items()
            if k not in ("id", "registration", "serial_number", "recipient", "created_at")
        }
        for r in (known, unknown, unknown_vat)
    ]
    assert [r.status_code for r in (known, unknown, unknown_vat)] == [201, 201, 201]
    assert shapes[0] == shapes[1] == shapes[2]
    assert known.json()["to_business"] is None  # never said before it is accepted
    assert Notification.objects.filter(kind="transfer_offered").count() == 1


def test_what_is_neither_an_e_mail_nor_a_vat_number_is_refused(program, owner, sold):
    response = offer(owner, sold, "Beta Films")
    assert response.status_code == 400
    assert "recipient" in response.json()["error"]["fields"]


def test_only_the_superuser_and_administrators_transfer(program, business, member, other_business, outsider, sold):
    assert offer(member, sold, "outsider@beta.test").status_code == 403
    transfer_id = offer(MembershipFactory(business=business, role="admin").user, sold, "outsider@beta.test").json()[
        "id"
    ]
    beta_member = MembershipFactory(business=other_business, role="member").user
    assert accept(beta_member, transfer_id).status_code == 403
    assert ProductTransfer.objects.get().status == TransferStatus.OFFERED


def test_a_business_cannot_accept_a_transfer_offered_to_another(
    program, business, owner, other_business, outsider, sold
):
    transfer_id = offer(owner, sold, "outsider@beta.test").json()["id"]
    third = MembershipFactory(business=BusinessFactory(name="Gamma"), role="superuser").user
    assert accept(third, transfer_id).status_code == 404
    assert api(third).post(f"/api/v1/transfers/{transfer_id}/decline/").status_code == 404
    assert accept(owner, transfer_id).status_code == 404  # the releasing business neither
    sold.refresh_from_db()
    assert sold.business_id == business.pk
    assert (balance(business), balance(other_business)) == (220, 0)


def test_a_product_in_service_cannot_be_offered(program, business, owner, outsider, sold):
    open_repair(business, sold)
    response = offer(owner, sold, "outsider@beta.test")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "product_busy"
    assert "SR-2026-000001" in response.json()["error"]["message"]
    assert not ProductTransfer.objects.exists()


def test_a_product_sent_to_service_after_the_offer_cannot_be_accepted(
    program, business, owner, other_business, outsider, sold
):
    transfer_id = offer(owner, sold, "outsider@beta.test").json()["id"]
    open_repair(business, sold)
    response = accept(outsider, transfer_id)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "product_busy"
    sold.refresh_from_db()
    assert sold.business_id == business.pk
    assert (balance(business), balance(other_business)) == (220, 0)


def test_a_closed_service_request_no_longer_blocks(program, business, owner, outsider, sold):
    repair = open_repair(business, sold)
    ServiceRequest.objects.filter(pk=repair.pk).update(status="closed")
    assert offer(owner, sold, "outsider@beta.test").status_code == 201


def test_an_uncredited_product_cannot_be_offered(program, business, owner, outsider):
    incomplete = register(business, camera(), SERIAL, dealer="")
    assert offer(owner, incomplete, "outsider@beta.test").status_code == 409


def test_one_open_offer_per_product(program, owner, outsider, sold):
    assert offer(owner, sold, "outsider@beta.test").status_code == 201
    response = offer(owner, sold, "someone@else.test")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "transfer_open"


def test_declined_and_withdrawn_offers_move_nothing(program, business, owner, other_business, outsider, sold):
    first = offer(owner, sold, "outsider@beta.test").json()["id"]
    assert api(outsider).post(f"/api/v1/transfers/{first}/decline/").json()["status"] == "declined"
    assert Notification.objects.filter(user=owner, kind="transfer_declined").exists()
    second = offer(owner, sold, "outsider@beta.test").json()["id"]
    assert api(owner).post(f"/api/v1/transfers/{second}/cancel/").json()["status"] == "cancelled"
    assert accept(outsider, second).status_code == 409
    assert (balance(business), balance(other_business)) == (220, 0)
    listed = api(outsider).get("/api/v1/transfers/").json()
    assert listed["count"] == 2 and {row["direction"] for row in listed["results"]} == {"in"}


def test_a_proof_is_checked_like_other_uploads(program, owner, outsider, sold):
    transfer_id = offer(owner, sold, "outsider@beta.test").json()["id"]
    bad = SimpleUploadedFile("proof.pdf", b"MZ not a pdf", content_type="application/pdf")
    refused = api(outsider).post(
        f"/api/v1/transfers/{transfer_id}/accept/", {"purchase_date": "2025-06-01", "proof": bad}, format="multipart"
    )
    assert refused.status_code == 400
    assert "proof" in refused.json()["error"]["fields"]
    assert ProductTransfer.objects.get().status == "offered"
    good = api(outsider).post(
        f"/api/v1/transfers/{transfer_id}/accept/", {"purchase_date": "2025-06-01", "proof": pdf("receipt.pdf")},
        format="multipart",
    )  # fmt: skip
    assert good.status_code == 200, good.json()
    transfer = ProductTransfer.objects.get()
    assert transfer.proof_name == "receipt.pdf" and transfer.proof.name.startswith("transfers/")


def test_a_purchase_date_in_the_future_is_refused(program, owner, outsider, sold):
    transfer_id = offer(owner, sold, "outsider@beta.test").json()["id"]
    assert accept(outsider, transfer_id, "2999-01-01").status_code == 400


def test_a_reversal_moves_the_points_back_once(program, business, owner, other_business, outsider, sold):
    transfer_id = offer(owner, sold, "outsider@beta.test").json()["id"]
    accept(outsider, transfer_id)
    agent = staff_user("sara@propass.test", "support")
    transfer_reverse(transfer_id=transfer_id, agent=agent, note="Sold by mistake.")
    sold.refresh_from_db()
    assert (sold.business_id, sold.purchase_date) == (business.pk, date(2024, 3, 1))
    assert (balance(business), balance(other_business)) == (220, 0)
    assert_points_add_up(business)
    assert_points_add_up(other_business)
    assert ProductTransfer.objects.get().status == TransferStatus.REVERSED
    assert AuditLog.objects.filter(action="transfer.reverse").count() == 1
    with pytest.raises(Conflict, match="Only an accepted transfer"):
        transfer_reverse(transfer_id=transfer_id, agent=agent, note="Again.")
    assert (balance(business), balance(other_business)) == (220, 0)
    assert LedgerEntry.objects.filter(reason=LedgerReason.TRANSFER_REVERSAL).count() == 2


def test_a_resale_conflict_is_settled_by_a_transfer(program, business, owner, other_business, outsider, sold):
    claim = register(other_business, sold.product, SERIAL)
    assert claim.status == RegistrationStatus.UNDER_REVIEW
    transfer_suggest_for_conflict(registration_id=claim.pk, agent=staff_user("sara@propass.test", "support"))
    hint = Notification.objects.get(user=owner, kind="transfer_suggested")
    assert hint.url.startswith(f"/products/{sold.pk}/transfer/?to=outsider%40beta.test")

    transfer_id = offer(owner, sold, "outsider@beta.test").json()["id"]
    assert accept(outsider, transfer_id).status_code == 200
    claim.refresh_from_db()
    assert claim.status == RegistrationStatus.REJECTED
    assert Registration.objects.get(business=other_business, status="complete").pk == sold.pk
    assert assert_points_add_up(other_business) == 220
    assert assert_points_add_up(business) == 0


def test_the_member_pages_offer_and_accept_a_transfer(client, program, business, owner, other_business, outsider, sold):
    client.force_login(owner)
    page = client.get(f"/products/{sold.pk}/").content.decode()
    assert "Transfer to another business" in page
    response = client.post(f"/products/{sold.pk}/transfer/", {"recipient": "outsider@beta.test"})
    transfer = ProductTransfer.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/products/transfers/{transfer.pk}/"
    assert "Offered to outsider@beta.test" in client.get(f"/products/{sold.pk}/").content.decode()

    client.force_login(outsider)
    listing = client.get("/products/").content.decode()
    assert 'id="incoming-transfers"' in listing and "Accept" in listing and "Decline" in listing
    response = client.post(f"/products/transfers/{transfer.pk}/", {"purchase_date": "2025-06-01"})
    assert response.status_code == 302
    assert (balance(business), balance(other_business)) == (0, 220)
    assert 'id="incoming-transfers"' not in client.get("/products/").content.decode()


def test_a_member_without_rights_sees_no_transfer_button(client, program, member, sold):
    client.force_login(member)
    assert "Transfer to another business" not in client.get(f"/products/{sold.pk}/").content.decode()


def test_the_data_export_never_says_whom_an_offer_found(program, business, owner, other_business, outsider, sold):
    transfer_id = offer(owner, sold, "outsider@beta.test").json()["id"]
    archive = zipfile.ZipFile(io.BytesIO(business_data_export(business=business, actor=owner).file.read()))
    exported = archive.read("products.json").decode() + archive.read("activity.json").decode()
    products = json.loads(archive.read("products.json"))
    assert [row["id"] for row in products["transfers_out"]] == [transfer_id]
    assert products["transfers_out"][0]["recipient"] == "outsider@beta.test"
    assert "Beta Films" not in exported and '"found"' not in exported
    accept(outsider, transfer_id)
    received = zipfile.ZipFile(io.BytesIO(business_data_export(business=other_business, actor=outsider).file.read()))
    incoming = json.loads(received.read("products.json"))["transfers_in"]
    assert [(row["id"], row["from_business"], row["points_credited"]) for row in incoming] == [
        (transfer_id, "Alpha Studio", 220)
    ]


def test_deleting_an_offered_product_withdraws_the_offer(program, business, owner, outsider, sold):
    transfer_id = offer(owner, sold, "outsider@beta.test").json()["id"]
    assert api(owner).delete(f"/api/v1/registrations/{sold.pk}/").status_code == 204
    assert ProductTransfer.objects.get(pk=transfer_id).status == TransferStatus.CANCELLED
    assert accept(outsider, transfer_id).status_code == 409
