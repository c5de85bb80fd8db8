"""Program administration: an edit that would make the program inconsistent is refused with a
clear message and changes nothing; a consistent edit is saved and audited."""

import json
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group

from propass.accounts.tests.factories import UserFactory
from propass.billing.models import SellerEntity, VatRate
from propass.core.errors import Conflict, InvalidInput
from propass.core.models import AuditLog, LegalText, LegalTextKind, Program
from propass.core.selectors import legal_text_current
from propass.demo.demo import demo_seed
from propass.memberships.models import Benefit, Tier, TierBenefit, TierPrice
from propass.program_admin.services import (
    legal_text_publish,
    program_update,
    tier_price_delete,
    tier_price_save,
    tier_save,
    vat_rate_delete,
    vat_rate_save,
)
from propass.program_admin.setup import sellers_seed, tiers_seed
from propass.program_admin.validation import program_state, program_validate
from propass.testing.staff import staff_user


def test_a_program_admin_edits_the_program_in_the_back_office(client, db):
    demo_seed()
    admin = UserFactory(email="program@propass.test", is_staff=True)
    admin.groups.add(Group.objects.get(name="program_admin"))
    client.force_login(admin)
    from propass.core.models import Program

    program = Program.objects.get()
    page = client.get(f"/backoffice/admin/core/program/{program.pk}/change/")
    assert page.status_code == 200
    assert "donotreply@canon-europe.com" in page.content.decode()


def test_the_legal_texts_in_force_are_public(client, db):
    demo_seed()
    page = client.get("/legal/business_terms/")
    assert page.status_code == 200
    assert "Business account terms" in page.content.decode()
    assert client.get("/legal/unknown/").status_code == 404


@pytest.fixture
def admin(db):
    return staff_user("program@propass.test", "program_admin")


@pytest.fixture
def seeded(program):
    sellers_seed()
    tiers_seed()
    return program


def _snapshot():
    """Everything the services may change, to prove a refused edit changed nothing."""
    return (
        list(Program.objects.values()),
        list(Tier.objects.order_by("pk").values()),
        list(TierPrice.objects.order_by("pk").values()),
        list(VatRate.objects.order_by("pk").values()),
        list(LegalText.objects.order_by("pk").values()),
        list(Benefit.objects.order_by("pk").values()),
        list(TierBenefit.objects.order_by("pk").values()),
        AuditLog.objects.count(),
    )


def _validate(state):
    return program_validate(
        program=state.program,
        tiers=state.tiers,
        prices=state.prices,
        sellers=state.sellers,
        vat_rates=state.vat_rates,
        legal_texts=state.legal_texts,
        benefits=state.benefits,
        tier_benefits=state.tier_benefits,
    )


def _refused(edit, message):
    before = _snapshot()
    with pytest.raises(InvalidInput) as refusal:
        edit()
    problems = [text for messages in refusal.value.fields.values() for text in messages]
    assert message in problems
    assert message in str(refusal.value)
    assert _snapshot() == before
    return refusal.value


def _tier_fields(code, **changes):
    tier = Tier.objects.get(code=code)
    fields = {
        "code": tier.code, "name": tier.name, "family": tier.family, "min_points": tier.min_points,
        "position": tier.position, "active": tier.active,
    }  # fmt: skip
    fields.update(changes)
    return fields


def test_the_seeded_program_is_consistent(seeded, django_assert_num_queries):
    with django_assert_num_queries(8):
        state = program_state()
    assert _validate(state) == []


def test_validation_reads_no_database_so_an_edit_can_be_checked_before_saving(seeded, django_assert_num_queries):
    state = program_state()
    state.sellers.append(
        SellerEntity(code="se", name="CPS Sverige", country="SE", currency="SEK", buyer_countries=["SE"])
    )
    with django_assert_num_queries(0):
        problems = _validate(state)
    assert problems == [f"{name} has no price in SEK." for name in Tier.objects.values_list("name", flat=True)]


def test_a_tier_below_the_invitation_threshold_is_refused(seeded, admin):
    _refused(
        lambda: tier_save(actor=admin, **_tier_fields("silver", min_points=400)),
        "Silver starts at 400 points, below the invitation threshold of 500 points.",
    )


def test_raising_the_invitation_threshold_above_a_tier_is_refused(seeded, admin):
    _refused(
        lambda: program_update(actor=admin, invitation_threshold=600),
        "Silver starts at 500 points, below the invitation threshold of 600 points.",
    )


def test_two_standard_tiers_with_the_same_minimum_are_refused(seeded, admin):
    _refused(
        lambda: tier_save(actor=admin, **_tier_fields("gold", min_points=500)),
        "Silver and Gold both start at 500 points.",
    )


def test_corporate_tiers_may_share_their_minimum_and_an_off_sale_tier_is_not_checked(seeded, admin):
    assert set(Tier.objects.filter(family="corporate").values_list("min_points", flat=True)) == {2501}
    tier_save(actor=admin, **_tier_fields("gold", active=False))
    tier_save(actor=admin, **_tier_fields("gold", min_points=500))
    assert Tier.objects.get(code="gold").min_points == 500


def test_deleting_the_only_price_of_a_currency_is_refused(seeded, admin):
    for years in (2, 3):
        tier_price_delete(actor=admin, tier_code="silver", currency="EUR", term_years=years)
    _refused(
        lambda: tier_price_delete(actor=admin, tier_code="silver", currency="EUR", term_years=1),
        "Silver has no price in EUR.",
    )
    assert TierPrice.objects.filter(tier__code="silver", currency="EUR").count() == 1


def test_a_tier_on_sale_needs_its_yearly_price(seeded, admin):
    _refused(
        lambda: tier_price_delete(actor=admin, tier_code="gold", currency="GBP", term_years=1),
        "Gold has no 1-year price in GBP.",
    )


def test_a_price_of_zero_or_less_is_refused(seeded, admin):
    _refused(
        lambda: tier_price_save(actor=admin, tier_code="silver", currency="EUR", term_years=1, amount=Decimal("0")),
        "The 1-year price of Silver in EUR must be more than zero.",
    )
    _refused(
        lambda: tier_price_save(actor=admin, tier_code="gold", currency="CHF", term_years=2, amount=Decimal("-5")),
        "The 2-year price of Gold in CHF must be more than zero.",
    )


def test_a_participating_country_without_a_seller_is_refused(seeded, admin):
    # The European entity sells to everyone else only while its list is empty.
    SellerEntity.objects.filter(code="eu").update(buyer_countries=Program.objects.get().participating_countries)
    countries = [*Program.objects.get().participating_countries, "JP"]
    _refused(
        lambda: program_update(actor=admin, participating_countries=countries),
        "No seller entity sells to Japan (JP).",
    )


def test_a_country_outside_the_eu_needs_no_vat_rate(seeded, admin):
    countries = [*Program.objects.get().participating_countries, "JP"]
    program_update(actor=admin, participating_countries=countries)
    assert "JP" in Program.objects.get().participating_countries


def test_an_eu_country_whose_buyers_may_pay_its_vat_keeps_its_rate(seeded, admin):
    _refused(
        lambda: vat_rate_delete(actor=admin, country="IT"),
        "Italy (IT) has no VAT rate: its buyers without a VAT number pay their own country's VAT.",
    )
    # Dutch buyers pay the Dutch seller's domestic VAT: the Netherlands' row is not needed.
    vat_rate_delete(actor=admin, country="NL")
    assert not VatRate.objects.filter(country="NL").exists()


def test_an_empty_list_of_documents_is_refused(seeded, admin):
    _refused(
        lambda: program_update(actor=admin, accepted_document_types=[]),
        "At least one document type must be accepted.",
    )
    _refused(
        lambda: program_update(actor=admin, accepted_document_types=["vat_certificate", "commercial_invoice"]),
        "Applicants without a VAT number could not send any document: accept a business invoice, a licence or a "
        "chamber of commerce certificate.",
    )


def test_a_validation_time_of_zero_days_is_refused(seeded, admin):
    error = _refused(
        lambda: program_update(actor=admin, validation_sla_days=0),
        "The validation time must be at least one business day.",
    )
    assert error.fields == {"validation_sla_days": ["The validation time must be at least one business day."]}


def test_a_refund_window_over_a_year_is_refused(seeded, admin):
    _refused(
        lambda: program_update(actor=admin, refund_window_days=400),
        "A refund window of 400 days is longer than a year.",
    )


def test_a_new_version_of_a_legal_text_starts_in_english(seeded, admin):
    _refused(
        lambda: legal_text_publish(
            actor=admin, kind="program_terms", language="it", version="2026-07", title="Termini CPS", body="Testo."
        ),
        "Membership terms and conditions version 2026-07 has no English text.",
    )


def test_publishing_a_legal_text_adds_a_version_and_keeps_the_old(seeded, admin):
    old = LegalText.objects.get(kind="program_terms", language="en", version="2026-01")
    english = legal_text_publish(
        actor=admin, kind="program_terms", language="en", version="2026-07", title="CPS Terms", body="New terms."
    )
    italian = legal_text_publish(
        actor=admin, kind="program_terms", language="it", version="2026-07", title="Termini CPS", body="Nuovi termini."
    )
    assert LegalText.objects.filter(pk=old.pk, body=old.body, version="2026-01").exists()
    assert legal_text_current(kind=LegalTextKind.PROGRAM_TERMS, language="it") == italian
    assert legal_text_current(kind=LegalTextKind.PROGRAM_TERMS, language="de") == english
    entry = AuditLog.objects.filter(action="legal_text.publish").first()
    assert entry.data["before"] == {"version": "2026-01", "title": "Termini e condizioni CPS"}
    assert entry.data["after"] == {"version": "2026-07", "title": "Termini CPS"}


def test_a_published_version_is_never_edited(seeded, admin):
    before = _snapshot()
    with pytest.raises(Conflict):
        legal_text_publish(
            actor=admin, kind="program_terms", language="en", version="2026-01", title="Changed", body="Changed."
        )
    assert _snapshot() == before


def test_a_consistent_price_edit_is_saved_and_audited(seeded, admin):
    price = tier_price_save(actor=admin, tier_code="silver", currency="EUR", term_years=1, amount=Decimal("110"))
    assert TierPrice.objects.get(pk=price.pk).amount == Decimal("110.00")
    entry = AuditLog.objects.get(action="price.update")
    assert entry.actor == admin
    assert entry.data["before"] == {"amount": "100.00"}
    assert entry.data["after"] == {"amount": "110"}


def test_a_consistent_program_edit_is_saved_and_audited(seeded, admin):
    program_update(actor=admin, validation_sla_days=3, refund_window_days=30, name="Canon Professional Services")
    program = Program.objects.get()
    assert (program.validation_sla_days, program.refund_window_days) == (3, 30)
    entry = AuditLog.objects.get(action="program.update")
    assert entry.data == {
        "before": {"validation_sla_days": 2, "refund_window_days": 14},
        "after": {"validation_sla_days": 3, "refund_window_days": 30},
    }


def test_a_tier_and_a_vat_rate_edit_are_audited_with_before_and_after(seeded, admin):
    tier_save(actor=admin, **_tier_fields("platinum", min_points=1800))
    vat_rate_save(actor=admin, country="DE", rate=Decimal("20"))
    tier_entry = AuditLog.objects.get(action="tier.update")
    assert (tier_entry.data["before"]["min_points"], tier_entry.data["after"]["min_points"]) == (1600, 1800)
    vat_entry = AuditLog.objects.get(action="vat.update")
    assert (vat_entry.data["before"], vat_entry.data["after"]) == ({"rate": "19.00"}, {"rate": "20"})


def test_a_new_tier_goes_on_sale_once_it_has_its_prices(seeded, admin):
    fields = {"code": "titanium", "name": "Titanium", "family": "standard", "min_points": 2000, "position": 3}
    _refused(lambda: tier_save(actor=admin, active=True, **fields), "Titanium has no price in EUR.")
    tier_save(actor=admin, active=False, **fields)
    for currency, amount in (("EUR", "500"), ("GBP", "430")):
        tier_price_save(actor=admin, tier_code="titanium", currency=currency, term_years=1, amount=Decimal(amount))
    tier_save(actor=admin, active=True, **fields)
    assert Tier.objects.get(code="titanium").active
    assert _validate(program_state()) == []


def test_a_problem_already_there_does_not_block_the_edits_that_fix_it(seeded, admin):
    # Changed behind the program's back, e.g. in the raw data administration.
    TierPrice.objects.filter(tier__code="silver", currency="EUR", term_years=1).delete()
    VatRate.objects.filter(country="IT").delete()
    assert _validate(program_state()) == [
        "Silver has no 1-year price in EUR.",
        "Italy (IT) has no VAT rate: its buyers without a VAT number pay their own country's VAT.",
    ]
    tier_price_save(actor=admin, tier_code="gold", currency="EUR", term_years=1, amount=Decimal("210"))
    tier_price_save(actor=admin, tier_code="silver", currency="EUR", term_years=1, amount=Decimal("100"))
    vat_rate_save(actor=admin, country="IT", rate=Decimal("22"))
    assert _validate(program_state()) == []


def test_input_that_is_not_data_of_the_program_is_refused(seeded, admin):
    with pytest.raises(InvalidInput) as error:
        program_update(actor=admin, participating_countries=["IT", "XX"])
    assert error.value.fields == {"participating_countries": ["Unknown country codes: XX."]}
    with pytest.raises(InvalidInput):
        program_update(actor=admin, id=5)
    with pytest.raises(InvalidInput) as error:
        tier_price_save(actor=admin, tier_code="silver", currency="EURO", term_years=1, amount=Decimal("1"))
    assert "currency" in error.value.fields
    with pytest.raises(InvalidInput):
        tier_price_save(actor=admin, tier_code="silver", currency="EUR", term_years=4, amount=Decimal("1"))
    with pytest.raises(InvalidInput):
        vat_rate_save(actor=admin, country="IT", rate=Decimal("100"))


def test_the_data_administration_refuses_a_seller_currency_without_prices(client, db):
    from propass.billing.models import SellerEntity
    from propass.program_admin.setup import program_seed, sellers_seed, tiers_seed

    program_seed()
    sellers_seed()
    tiers_seed()
    superuser = UserFactory(email="root@propass.test", is_staff=True, is_superuser=True)
    client.force_login(superuser)
    seller = SellerEntity.objects.get(currency="GBP")
    url = f"/backoffice/admin/billing/sellerentity/{seller.pk}/change/"
    form = {
        "code": seller.code, "name": seller.name, "address": seller.address, "country": seller.country,
        "currency": "SEK", "vat_number": seller.vat_number, "vat_rate": seller.vat_rate,
        "invoice_series": seller.invoice_series, "credit_note_series": seller.credit_note_series,
        "payment_terms_days": seller.payment_terms_days, "iban": seller.iban, "bic": seller.bic,
        "buyer_countries": json.dumps(seller.buyer_countries),
    }  # fmt: skip
    refused = client.post(url, form)
    assert refused.status_code == 200 and "no price in SEK" in refused.content.decode()
    seller.refresh_from_db()
    assert seller.currency == "GBP"
    form["name"] = "UK entity, renamed"
    form["currency"] = "GBP"
    assert client.post(url, form).status_code == 302
    seller.refresh_from_db()
    assert seller.name == "UK entity, renamed"
