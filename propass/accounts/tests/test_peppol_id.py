"""A business's Peppol participant ID: where it receives e-invoices (issue 18)."""

import pytest
from rest_framework.test import APIClient

from propass.accounts.services import business_peppol_id_set
from propass.core.errors import Forbidden, InvalidInput
from propass.core.models import AuditLog
from propass.core.peppol import peppol_id_normalise


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("0208:0403019261", "0208:0403019261"),  # Belgian enterprise number
        ("iso6523-actorid-upis::0208:0403019261", "0208:0403019261"),  # the full form people copy
        (" 9930:de136695976 ", "9930:DE136695976"),  # a German VAT number, typed in lower case
        ("9944:NL004495445B01", "9944:NL004495445B01"),
        ("0088:5790000436057", "0088:5790000436057"),  # a GLN
        ("0192:995525828", "0192:995525828"),  # a Norwegian organisation number
        ("0106:12345678", "0106:12345678"),  # a Dutch KvK number
    ],
)
def test_real_participant_ids_are_accepted_in_their_stored_form(typed, stored):
    assert peppol_id_normalise(typed) == stored


@pytest.mark.parametrize(
    "typed",
    ["0403019261", "1234:0403019261", "0208:0403019262", "9930:DE136695977", "0088:5790000436058", "0208:", ":x"],
)
def test_unknown_schemes_and_wrong_check_digits_are_refused(typed):
    assert peppol_id_normalise(typed) is None


def test_billing_users_set_and_clear_it_audited_and_members_may_not(business, owner, member):
    business_peppol_id_set(business=business, actor=owner, peppol_id="iso6523-actorid-upis::0208:0403019261")
    business.refresh_from_db()
    assert business.peppol_id == "0208:0403019261"
    entry = AuditLog.objects.get(action="business.peppol_id")
    assert entry.data == {"before": "", "after": "0208:0403019261"}

    with pytest.raises(InvalidInput) as refused:
        business_peppol_id_set(business=business, actor=owner, peppol_id="0208:123")
    assert "peppol_id" in refused.value.fields
    with pytest.raises(Forbidden):
        business_peppol_id_set(business=business, actor=member, peppol_id="")
    business.refresh_from_db()
    assert business.peppol_id == "0208:0403019261"

    business_peppol_id_set(business=business, actor=owner, peppol_id="")
    business.refresh_from_db()
    assert business.peppol_id == ""


def test_the_account_page_sets_it_with_a_translated_error_for_a_wrong_one(client, business, owner):
    owner.language = "it"
    owner.save()
    client.force_login(owner)
    page = client.post("/account/", {"action": "peppol", "peppol_id": "9999:nothing"}, HTTP_ACCEPT_LANGUAGE="it")
    assert page.status_code == 200
    assert "Peppol" in page.content.decode()
    business.refresh_from_db()
    assert business.peppol_id == ""
    saved = client.post("/account/", {"action": "peppol", "peppol_id": "0208:0403019261"})
    assert saved.status_code == 302
    business.refresh_from_db()
    assert business.peppol_id == "0208:0403019261"


def test_the_api_reads_and_changes_it(business, owner, member):
    api = APIClient()
    api.force_authenticate(owner)
    assert api.get("/api/v1/business/e-invoicing/").json() == {"peppol_id": ""}
    changed = api.put("/api/v1/business/e-invoicing/", {"peppol_id": "9930:de136695976"}, format="json")
    assert changed.status_code == 200
    assert changed.json() == {"peppol_id": "9930:DE136695976"}
    assert api.get("/api/v1/me/").json()["business"]["peppol_id"] == "9930:DE136695976"
    wrong = api.put("/api/v1/business/e-invoicing/", {"peppol_id": "9930:DE1"}, format="json")
    assert wrong.status_code == 400
    assert "peppol_id" in wrong.json()["error"]["fields"]
    api.force_authenticate(member)
    assert api.put("/api/v1/business/e-invoicing/", {"peppol_id": ""}, format="json").status_code == 403
