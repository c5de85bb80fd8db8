from datetime import date, datetime, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from propass.accounts.models import Business
from propass.accounts.tests.factories import BusinessFactory, MembershipFactory
from propass.catalog.models import ProductModel
from propass.core.errors import Conflict, InvalidInput
from propass.notifications.models import Notification
from propass.points.models import LedgerEntry
from propass.products.enums import RegistrationStatus
from propass.products.models import Registration
from propass.products.services import (
    registration_delete,
    registration_end_of_support,
    registration_review_resolve,
    registration_update,
)
from propass.products.tests.helpers import camera, details, register


def _balance(business) -> int:
    return Business.objects.get(pk=business.pk).points_balance


def test_a_complete_registration_credits_its_points(business, owner):
    registration = register(business, camera(), actor=owner)
    assert registration.status == RegistrationStatus.COMPLETE
    assert registration.points_credited == 220
    assert _balance(business) == 220
    entry = LedgerEntry.objects.get()
    assert (entry.amount, entry.reason, entry.registration, entry.actor) == (220, "registration", registration, owner)


def test_an_incomplete_registration_earns_nothing_until_completed(business):
    registration = register(business, camera(), dealer="")
    assert registration.status == RegistrationStatus.INCOMPLETE
    assert registration.missing == ["dealer"]
    assert _balance(business) == 0
    registration_update(
        business=business, actor=None, registration_id=registration.pk, data=details(camera(), dealer="Best guess")
    )
    assert Registration.objects.get().status == RegistrationStatus.COMPLETE
    assert _balance(business) == 220


def test_serials_are_normalised_and_checked_against_the_pattern(business):
    assert register(business, camera(), serial="  012345678901 ").serial_number == "012345678901"
    with pytest.raises(InvalidInput) as caught:
        register(business, camera(), serial="ABC")
    assert "serial_number" in caught.value.fields


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"purchase_date": date.today() + timedelta(days=2)}, "purchase_date"),
        ({"purchase_date": date(2010, 1, 1)}, "purchase_date"),
        ({"country_of_purchase": "XX"}, "country_of_purchase"),
        ({"product_id": 999999}, "product"),
    ],
)
def test_bad_details_are_refused_and_nothing_is_saved(business, changes, field):
    camera(launch_date=date(2020, 7, 30))
    with pytest.raises(InvalidInput) as caught:
        register(business, camera(), **changes)
    assert field in caught.value.fields
    assert Registration.objects.count() == 0


def test_the_same_serial_twice_on_one_business_is_refused(business):
    register(business, camera())
    with pytest.raises(InvalidInput, match="already registered to your business"):
        register(business, camera(), serial="012345678901 ")
    assert _balance(business) == 220


def test_a_serial_credited_to_another_business_is_held_for_review(business, other_business):
    register(business, camera())
    held = register(other_business, camera())
    assert held.status == RegistrationStatus.UNDER_REVIEW
    assert _balance(other_business) == 0


def test_deleting_a_product_debits_exactly_its_fixed_points(business):
    product = camera(points=220)
    registration = register(business, product)
    ProductModel.objects.filter(pk=product.pk).update(points=999)
    registration_delete(business=business, actor=None, registration_id=registration.pk)
    assert _balance(business) == 0
    assert list(LedgerEntry.objects.order_by("pk").values_list("amount", "reason")) == [
        (220, "registration"),
        (-220, "deletion"),
    ]


def test_a_catalog_points_change_does_not_alter_existing_credits(business):
    product = camera(points=220)
    first = register(business, product, serial="000000000001")
    ProductModel.objects.filter(pk=product.pk).update(points=300)
    second = register(business, ProductModel.objects.get(pk=product.pk), serial="000000000002")
    assert Registration.objects.get(pk=first.pk).points_credited == 220
    assert second.points_credited == 300
    assert _balance(business) == 520


def test_accessories_can_be_registered_and_earn_nothing(business):
    battery = ProductModel.objects.create(
        code="LP-E6NH", name="LP-E6NH", category="accessory", points=0, eligible=False
    )
    registration = register(business, battery, serial="B1")
    assert registration.status == RegistrationStatus.COMPLETE
    assert _balance(business) == 0
    assert LedgerEntry.objects.count() == 0


def test_end_of_support_runs_set_wise_over_many_businesses_chunk_by_chunk(db, monkeypatch):
    monkeypatch.setattr("propass.products.services.END_OF_SUPPORT_CHUNK", 4)
    old, current = camera("EOS-OLD", points=100, end_of_support=date(2026, 1, 31)), camera("EOS-NEW", points=50)
    owners = []
    for n in range(3):
        shop = BusinessFactory(name=f"Shop {n}")
        owners.append(MembershipFactory(business=shop, role="superuser").user)
        for k in range(3):
            register(shop, old, serial=f"1000000000{n}{k}")
        register(shop, current, serial=f"20000000000{n}")
    at = datetime(2026, 2, 2, 3, 0, tzinfo=timezone.get_current_timezone())
    assert registration_end_of_support(at=at) == 9
    assert registration_end_of_support(at=at) == 0
    for owner in owners:
        shop = owner.membership.business
        assert _balance(shop) == 50 == sum(LedgerEntry.objects.filter(business=shop).values_list("amount", flat=True))
        bells = Notification.objects.filter(user=owner, kind="end_of_support")
        assert bells.count() == 3
        assert {bell.url for bell in bells} == {
            f"/products/{pk}/"
            for pk in Registration.objects.filter(business=shop, product=old).values_list("pk", flat=True)
        }
    assert Registration.objects.filter(status=RegistrationStatus.END_OF_SUPPORT).count() == 9
    assert set(LedgerEntry.objects.filter(reason="end_of_support").values_list("amount", flat=True)) == {-100}
    assert Registration.objects.filter(product=current, status=RegistrationStatus.COMPLETE).count() == 3


def test_end_of_support_debits_once_even_when_the_job_runs_twice(business, owner):
    product = camera(end_of_support=date(2026, 1, 31))
    register(business, product)
    at = datetime(2026, 2, 2, 3, 0, tzinfo=timezone.get_current_timezone())
    assert registration_end_of_support(at=at) == 1
    assert registration_end_of_support(at=at) == 0
    call_command("run-scheduled", "--at", (at + timedelta(days=1)).isoformat())
    assert _balance(business) == 0
    assert LedgerEntry.objects.filter(reason="end_of_support").count() == 1
    assert Registration.objects.get().status == RegistrationStatus.END_OF_SUPPORT
    assert Notification.objects.filter(user=owner, kind="end_of_support").count() == 1


def test_staff_keep_the_newer_claim_and_the_other_loses_its_points(business, other_business, staff, owner, outsider):
    first = register(business, camera())
    held = register(other_business, camera())
    registration_review_resolve(registration_id=held.pk, keep=True, agent=staff, note="Invoice shows Beta Films")
    assert Registration.objects.get(pk=first.pk).status == RegistrationStatus.REJECTED
    assert Registration.objects.get(pk=held.pk).status == RegistrationStatus.COMPLETE
    assert (_balance(business), _balance(other_business)) == (0, 220)
    assert Notification.objects.filter(user=owner, kind="registration_rejected").exists()
    assert Notification.objects.filter(user=outsider, kind="registration_confirmed").exists()
    with pytest.raises(Conflict):
        registration_review_resolve(registration_id=held.pk, keep=True, agent=staff, note="again")


def test_staff_reject_the_claim_under_review(business, other_business, staff):
    register(business, camera())
    held = register(other_business, camera())
    with pytest.raises(InvalidInput):
        registration_review_resolve(registration_id=held.pk, keep=False, agent=staff, note=" ")
    registration_review_resolve(registration_id=held.pk, keep=False, agent=staff, note="No proof")
    assert Registration.objects.get(pk=held.pk).status == RegistrationStatus.REJECTED
    assert (_balance(business), _balance(other_business)) == (220, 0)


def test_a_credited_registration_keeps_model_and_serial(business):
    registration = register(business, camera())
    with pytest.raises(Conflict):
        registration_update(
            business=business, actor=None, registration_id=registration.pk, data=details(camera(), "999999999999")
        )
