from datetime import date

from propass.accounts.models import Business
from propass.core.models import AuditLog
from propass.notifications.models import Notification
from propass.products.enums import TransferStatus
from propass.products.models import ProductTransfer
from propass.products.tests.helpers import camera, register
from propass.products.transfers import transfer_accept, transfer_offer
from propass.testing.files import pdf


def _accepted(business, owner, other_business, outsider):
    registration = register(business, camera(points=220))
    transfer = transfer_offer(
        business=business, actor=owner, registration_id=registration.pk, recipient="outsider@beta.test"
    )
    return transfer_accept(
        business=other_business,
        actor=outsider,
        transfer_id=transfer.pk,
        purchase_date=date(2025, 6, 1),
        proof=pdf("receipt.pdf"),
    )


def test_support_sees_the_transfers_and_reverses_one(
    client, program, support_agent, business, owner, other_business, outsider
):
    transfer = _accepted(business, owner, other_business, outsider)
    client.force_login(support_agent)
    listing = client.get("/backoffice/transfers/?status=accepted").content.decode()
    assert "Alpha Studio" in listing and "Beta Films" in listing
    page = client.get(f"/backoffice/transfers/{transfer.pk}/").content.decode()
    assert "receipt.pdf" in page and "Reverse" in page
    proof = client.get(f"/backoffice/transfers/{transfer.pk}/proof/")
    assert proof.status_code == 200 and proof["Content-Disposition"].startswith("attachment")

    refused = client.post(f"/backoffice/transfers/{transfer.pk}/reverse/", {"note": ""}, follow=True)
    assert "Write a note for the businesses." in refused.content.decode()
    client.post(f"/backoffice/transfers/{transfer.pk}/reverse/", {"note": "Stolen camera."})
    client.post(f"/backoffice/transfers/{transfer.pk}/reverse/", {"note": "Twice."})
    assert ProductTransfer.objects.get().status == TransferStatus.REVERSED
    assert Business.objects.get(pk=business.pk).points_balance == 220
    assert Business.objects.get(pk=other_business.pk).points_balance == 0
    assert AuditLog.objects.filter(action="transfer.reverse").count() == 1
    assert Notification.objects.filter(kind="transfer_reversed", user=outsider).count() == 1


def test_the_conflict_screen_offers_the_transfer_path(
    client, program, support_agent, business, owner, other_business, outsider
):
    register(business, camera())
    claim = register(other_business, camera())
    client.force_login(support_agent)
    page = client.get("/backoffice/registrations/conflicts/").content.decode()
    assert "Offer the transfer path" in page
    client.post(f"/backoffice/registrations/{claim.pk}/suggest-transfer/")
    hint = Notification.objects.get(user=owner, kind="transfer_suggested")
    assert "/transfer/?to=" in hint.url
    assert AuditLog.objects.filter(action="transfer.suggest").count() == 1
