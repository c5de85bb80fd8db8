"""Twenty requests at once on one registration: points are credited and debited exactly once.

Real threads, each with its own database connection, through the real API and pages. On
SQLite writes are serialised and these pass trivially; on PostgreSQL they find stale writes.
"""

import io
import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone

from propass.accounts.models import Business
from propass.accounts.tests.factories import BusinessFactory, MembershipFactory
from propass.points.models import LedgerEntry
from propass.points.selectors import points_verify_credits, points_verify_registrations
from propass.points.services import points_verify
from propass.products.enums import REGISTRATION_TRANSITIONS, RegistrationStatus
from propass.products.legacy import legacy_import
from propass.products.models import Registration
from propass.products.services import (
    _clean,
    registration_end_of_support,
    registration_get,
    settle_registration,
)
from propass.products.tests.helpers import camera, details, register
from propass.products.tests.legacy_data import cameras, twelve_products
from propass.testing.clients import api_clients, logged_in
from propass.testing.invariants import assert_moves_along, assert_points_add_up, moves_count, status_moves
from propass.testing.staff import staff_user
from propass.testing.threads import errors_in, run_at_once

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 20
COMPLETE = (RegistrationStatus.INCOMPLETE, RegistrationStatus.COMPLETE)
DETAILS = {"purchase_date": "2024-03-01", "country_of_purchase": "IT", "dealer": "Foto Milano"}


def _owner(business):
    return MembershipFactory(business=business, role="superuser").user


def _incomplete(business, points=300):
    return register(business, camera(points=points), dealer="")


def test_twenty_patches_completing_one_registration_credit_it_once():
    business = BusinessFactory()
    registration = _incomplete(business)
    clients = api_clients(_owner(business), THREADS)
    url = f"/api/v1/registrations/{registration.pk}/"
    with status_moves(Registration) as moves:
        results = run_at_once(THREADS, lambda i: clients[i].patch(url, DETAILS, format="json"))
    assert errors_in(results) == []
    assert [response.status_code for response in results] == [200] * THREADS
    assert {response.json()["points"] for response in results} == {300}
    assert list(LedgerEntry.objects.filter(registration=registration).values_list("amount", flat=True)) == [300]
    assert assert_points_add_up(business) == 300
    assert moves_count(moves) == {COMPLETE: 1}
    call_command("verify-points")


def _stale_update(business, registration_id, data, read_everywhere: threading.Barrier):
    """`registration_update` as it was before the fix: the row is read, then locked, the locked
    copy thrown away and the copy read before the lock saved over it. The barrier holds every
    thread between its read and its lock, so each one saves a stale INCOMPLETE copy."""
    _product, cleaned = _clean(data)
    registration = registration_get(business=business, registration_id=registration_id)
    read_everywhere.wait()
    with transaction.atomic():
        Registration.objects.select_for_update().filter(pk=registration.pk).get()
        for name, value in cleaned.items():
            setattr(registration, name, value)
        registration.save()
        settle_registration(registration)
    return registration


def test_before_the_fix_twenty_patches_credited_twenty_times_and_verify_points_says_so(capsys):
    """The regression the race sweep guards: the stale write credits once per request.
    verify-points' old check (cached balance = ledger sum) stays green; the check per
    registration finds the one credited twenty times, and the status table sees the
    stale save move it back from credited to missing details."""
    business = BusinessFactory()
    registration = _incomplete(business)
    read_everywhere = threading.Barrier(THREADS, timeout=60)
    data = details(registration.product)
    with status_moves(Registration) as moves:
        results = run_at_once(THREADS, lambda _i: _stale_update(business, registration.pk, data, read_everywhere))
    assert errors_in(results) == []
    # Deterministic on both databases: every thread read before any wrote, and every save
    # puts the row back to INCOMPLETE, so every conditional move to COMPLETE succeeds.
    credits = list(LedgerEntry.objects.filter(registration=registration).values_list("amount", flat=True))
    assert credits == [300] * THREADS
    assert Business.objects.get(pk=business.pk).points_balance == 300 * THREADS
    assert points_verify() == []  # what verify-points checked before: blind to this
    [mismatch] = points_verify_registrations()
    assert (mismatch.registration_id, mismatch.credited, mismatch.ledger) == (registration.pk, 300, 300 * THREADS)
    assert points_verify_credits()[0][1:] == (300, 300 * THREADS)
    with pytest.raises(CommandError, match="1 registrations are not credited exactly once"):
        call_command("verify-points")
    assert f"registration {registration.pk} of business {business.pk}: credited 300" in capsys.readouterr().err
    counted = moves_count(moves)
    assert counted[COMPLETE] == THREADS
    assert counted[(RegistrationStatus.COMPLETE, RegistrationStatus.INCOMPLETE)] == THREADS - 1
    with pytest.raises(AssertionError, match="moves outside the table"):
        assert_moves_along(moves, REGISTRATION_TRANSITIONS)
    # Deleting it debits once: the over-credit stays, and verify-points still finds it.
    registration_delete_url = f"/api/v1/registrations/{registration.pk}/"
    assert api_clients(_owner(business), 1)[0].delete(registration_delete_url).status_code == 204
    assert points_verify() == []
    assert points_verify_registrations() == []
    assert points_verify_credits()[0][1:] == (0, 300 * (THREADS - 1))
    with pytest.raises(CommandError, match="1 businesses' ledgers differ"):
        call_command("verify-points")


def test_twenty_registrations_of_one_serial_by_two_businesses_credit_one():
    product = camera(points=300)
    first, second = BusinessFactory(), BusinessFactory()
    clients = [*api_clients(_owner(first), THREADS // 2), *api_clients(_owner(second), THREADS // 2)]
    body = {"product": product.pk, "serial_number": "012345678901", **DETAILS}
    results = run_at_once(THREADS, lambda i: clients[i].post("/api/v1/registrations/", body, format="json"))
    assert errors_in(results) == []
    codes = sorted(response.status_code for response in results)
    assert codes == [201] * 2 + [400] * (THREADS - 2)
    assert {r.json()["error"]["code"] for r in results if r.status_code == 400} == {"duplicate"}
    statuses = sorted(Registration.objects.values_list("status", flat=True))
    assert statuses == [RegistrationStatus.COMPLETE, RegistrationStatus.UNDER_REVIEW]
    assert assert_points_add_up(first) + assert_points_add_up(second) == 300


def test_twenty_deletes_of_a_credited_registration_debit_it_once():
    business = BusinessFactory()
    registration = register(business, camera(points=300))
    clients = api_clients(_owner(business), THREADS)
    url = f"/api/v1/registrations/{registration.pk}/"
    results = run_at_once(THREADS, lambda i: clients[i].delete(url))
    assert errors_in(results) == []
    assert sorted(response.status_code for response in results) == [204] + [404] * (THREADS - 1)
    assert list(LedgerEntry.objects.filter(business=business).values_list("amount", flat=True)) == [-300, 300]
    assert assert_points_add_up(business) == 0


def test_completing_and_deleting_at_once_leave_the_points_of_what_remains():
    business = BusinessFactory()
    registration = _incomplete(business)
    clients = api_clients(_owner(business), THREADS)
    url = f"/api/v1/registrations/{registration.pk}/"

    def complete_or_delete(index):
        client = clients[index]
        return client.patch(url, DETAILS, format="json") if index % 2 else client.delete(url)

    with status_moves(Registration) as moves:
        results = run_at_once(THREADS, complete_or_delete)
    assert errors_in(results) == []
    assert {response.status_code for response in results} <= {200, 204, 404}
    assert [response.status_code for response in results].count(204) == 1
    assert not Registration.objects.filter(pk=registration.pk).exists()
    assert assert_points_add_up(business) == 0
    assert moves_count(moves)[COMPLETE] <= 1
    assert_moves_along(moves, REGISTRATION_TRANSITIONS)


def test_twenty_migrations_through_the_api_migrate_and_credit_once():
    business, other = BusinessFactory(legacy_email="old@example.com"), BusinessFactory()
    register(other, cameras()[0], serial="099999999999")
    legacy_import(stream=io.BytesIO(twelve_products()))
    clients = api_clients(_owner(business), THREADS)
    results = run_at_once(THREADS, lambda i: clients[i].post("/api/v1/migration/"))
    assert errors_in(results) == []
    assert sorted(response.status_code for response in results) == [201] + [409] * (THREADS - 1)
    assert Registration.objects.filter(business=business).count() == 12
    assert assert_points_add_up(business) == 800
    assert assert_points_add_up(other) == 100


def _conflict():
    """A serial credited to `holder`, then registered by two other businesses: both wait for review."""
    product = camera(points=300)
    holder, first, second = BusinessFactory(), BusinessFactory(), BusinessFactory()
    held = register(holder, product)
    return product, held, register(first, product), register(second, product)


def test_twenty_agents_deciding_one_review_at_once_decide_once():
    _product, held, waiting, _other = _conflict()
    clients = logged_in(staff_user("support@propass.test", "support"), THREADS)
    url = f"/backoffice/registrations/{waiting.pk}/resolve/"

    def decide(index):
        return clients[index].post(url, {"keep": "this" if index % 2 else "other", "note": "Checked the invoice"})

    with status_moves(Registration) as moves:
        results = run_at_once(THREADS, decide)
    assert errors_in(results) == []
    assert {response.status_code for response in results} == {302}
    kept = Registration.objects.get(pk=waiting.pk).status == RegistrationStatus.COMPLETE
    if kept:
        assert Registration.objects.get(pk=held.pk).status == RegistrationStatus.REJECTED
    else:
        assert Registration.objects.get(pk=waiting.pk).status == RegistrationStatus.REJECTED
    # Keeping a claim passes through "missing details" on its way to credited (a step the
    # status-move work removes); every other move follows the table.
    detour = (RegistrationStatus.UNDER_REVIEW, RegistrationStatus.INCOMPLETE)
    assert_moves_along([m for m in moves if (m.old, m.new) != detour], REGISTRATION_TRANSITIONS)
    assert moves_count(moves)[detour] <= 1
    for business in Business.objects.all():
        assert_points_add_up(business)
    assert sum(Business.objects.values_list("points_balance", flat=True)) == 300
    assert Registration.objects.filter(status=RegistrationStatus.COMPLETE).count() == 1


def test_agents_keeping_two_rival_claims_at_once_debit_the_holder_once():
    _product, held, first, second = _conflict()
    clients = logged_in(staff_user("support@propass.test", "support"), THREADS)
    claims = [first, second]

    def keep(index):
        url = f"/backoffice/registrations/{claims[index % 2].pk}/resolve/"
        return clients[index].post(url, {"keep": "this", "note": "Checked the invoice"})

    results = run_at_once(THREADS, keep)
    assert errors_in(results) == []
    assert Registration.objects.get(pk=held.pk).status == RegistrationStatus.REJECTED
    assert list(LedgerEntry.objects.filter(registration=held).values_list("amount", flat=True)) == [-300, 300]
    for business in Business.objects.all():
        assert_points_add_up(business)
    assert Registration.objects.filter(status=RegistrationStatus.COMPLETE).count() == 1
    assert sum(Business.objects.values_list("points_balance", flat=True)) == 300


def test_twenty_end_of_support_runs_at_once_debit_once():
    business = BusinessFactory()
    product = camera(points=300)
    registration = register(business, product)
    product.end_of_support = timezone.localdate() - timedelta(days=1)
    product.save()
    with status_moves(Registration) as moves:
        results = run_at_once(THREADS, lambda _i: registration_end_of_support(at=timezone.now()))
    assert errors_in(results) == []
    assert sum(results) == 1
    assert list(LedgerEntry.objects.filter(registration=registration).values_list("amount", flat=True)) == [-300, 300]
    assert assert_points_add_up(business) == 0
    assert moves_count(moves) == {(RegistrationStatus.COMPLETE, RegistrationStatus.END_OF_SUPPORT): 1}
