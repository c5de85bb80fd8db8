"""verify-points: balances equal their ledger, and every registration is credited exactly once."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from propass.points.enums import LedgerReason
from propass.points.selectors import points_verify_credits, points_verify_registrations
from propass.points.services import points_adjust, points_post
from propass.products.services import registration_delete, registration_review_resolve
from propass.products.tests.helpers import camera, register


def test_registrations_credited_debited_rejected_and_adjusted_all_verify(business, other_business, staff, capsys):
    register(business, camera(), serial="000000000001")
    deleted = register(business, camera(), serial="000000000002")
    registration_delete(business=business, actor=None, registration_id=deleted.pk)
    register(business, camera(), serial="000000000003", dealer="")  # earns nothing yet
    held = register(other_business, camera(), serial="000000000001")
    registration_review_resolve(registration_id=held.pk, keep=True, agent=staff, note="Invoice checked")
    points_adjust(business=business, amount=30, note="Goodwill", agent=staff)
    assert points_verify_registrations() == []
    assert points_verify_credits() == []
    call_command("verify-points")
    assert "every registration is credited exactly once" in capsys.readouterr().out


def test_a_registration_credited_twice_is_reported_even_when_the_balance_matches(business, capsys):
    registration = register(business, camera())
    points_post(
        business_id=business.pk, amount=220, reason=LedgerReason.REGISTRATION, reference="again",
        registration_id=registration.pk,
    )  # fmt: skip
    [mismatch] = points_verify_registrations()
    assert (mismatch.registration_id, mismatch.credited, mismatch.value, mismatch.ledger) == (
        registration.pk, 220, 220, 440,
    )  # fmt: skip
    with pytest.raises(CommandError, match=r"^1 registrations are not credited exactly once; 1 businesses'"):
        call_command("verify-points")
    err = capsys.readouterr().err
    assert f"registration {registration.pk} of business {business.pk}: credited 220 (value 220), ledger 440" in err
    assert "registrations credited 220, ledger without adjustments 440" in err


def test_a_registration_that_earns_nothing_must_net_zero(business):
    registration = register(business, camera(), dealer="")
    points_post(
        business_id=business.pk, amount=220, reason=LedgerReason.REGISTRATION, reference="early",
        registration_id=registration.pk,
    )  # fmt: skip
    assert [(m.registration_id, m.credited, m.ledger) for m in points_verify_registrations()] == [
        (registration.pk, 0, 220)
    ]


def test_an_over_credit_is_still_found_after_the_registration_is_deleted(business):
    registration = register(business, camera())
    points_post(
        business_id=business.pk, amount=220, reason=LedgerReason.REGISTRATION, reference="again",
        registration_id=registration.pk,
    )  # fmt: skip
    registration_delete(business=business, actor=None, registration_id=registration.pk)
    assert points_verify_registrations() == []  # its entries no longer name it
    assert [(b.pk, credited, ledger) for b, credited, ledger in points_verify_credits()] == [(business.pk, 0, 220)]
