"""`propass seed-scale` at a tiny size: the counts asked for, points that add up, invoice series
without gaps that the next real invoice continues, and exactly the batch-job work asked for on
the due date. On SQLite (batched INSERTs) and PostgreSQL (COPY) alike."""

import io
import json
from datetime import datetime, time, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, Sum
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from propass.accounts.models import Business, BusinessMembership, User
from propass.billing.collection import invoice_collect_due
from propass.billing.invoicing import invoice_issue, invoice_request_create
from propass.billing.models import Invoice, InvoiceRequest, InvoiceStatus, Payment
from propass.core.models import AuditLog, Sequence
from propass.core.statuses import status_table
from propass.memberships.enums import LIVE_STATUSES, SubscriptionStatus
from propass.memberships.models import MembershipNumber, Subscription
from propass.memberships.renewals import renewals_run
from propass.notifications.models import Notification
from propass.onboarding.enums import OPEN_STATUSES
from propass.onboarding.models import Application
from propass.points.models import LedgerEntry
from propass.products.enums import RegistrationStatus
from propass.products.models import Registration
from propass.testing.invariants import assert_gap_free

SIZE = {
    "businesses": 60,
    "registrations": 400,
    "memberships": 15,
    "invoices": 40,
    "audit": 100,
    "notifications": 50,
    "renewals_due": 3,
    "card_charges_due": 3,
}


@pytest.fixture
def seeded(db, tmp_path):
    """The tiny program, with the command's output and the logins file."""
    out, err = io.StringIO(), io.StringIO()
    logins_path = tmp_path / "scale-logins.json"
    call_command("seed-scale", *[f"--{k.replace('_', '-')}={v}" for k, v in SIZE.items()],
                 f"--logins={logins_path}", stdout=out, stderr=err)  # fmt: skip
    return {"out": out.getvalue(), "err": err.getvalue(), "logins": json.loads(logins_path.read_text())}


def test_the_tables_hold_the_counts_asked_for(seeded):
    assert Business.objects.count() == SIZE["businesses"]
    assert Registration.objects.count() == SIZE["registrations"]
    # --memberships are the live ones; memberships that ended carry the rest of the invoices.
    assert Subscription.objects.filter(status__in=LIVE_STATUSES).count() == SIZE["memberships"]
    assert MembershipNumber.objects.count() == Subscription.objects.count()
    assert Invoice.objects.count() == SIZE["invoices"]
    assert InvoiceRequest.objects.filter(invoiced_at__isnull=False).count() == SIZE["invoices"]
    assert AuditLog.objects.count() == SIZE["audit"]
    assert Notification.objects.count() == SIZE["notifications"]
    assert Application.objects.filter(status__in=OPEN_STATUSES).exists()


def test_points_add_up_and_verify_points_passes(seeded):
    call_command("verify-points", stdout=io.StringIO(), stderr=io.StringIO())
    credited = Registration.objects.filter(status=RegistrationStatus.COMPLETE, points_value__gt=0)
    assert credited.exists()
    # One credit per credited registration, with its model's points.
    assert LedgerEntry.objects.filter(reason="registration").count() == (
        credited.count()
        + Registration.objects.filter(status=RegistrationStatus.END_OF_SUPPORT, points_value__gt=0).count()
    )
    for business in Business.objects.all():
        assert business.points_balance == (
            LedgerEntry.objects.filter(business=business).aggregate(s=Sum("amount"))["s"] or 0
        )


def test_serials_are_unique_per_model_and_match_the_models_patterns(seeded):
    duplicates = Registration.objects.values("product", "serial_number").annotate(n=Count("id")).filter(n__gt=1)
    assert not duplicates.exists()
    for registration in Registration.objects.select_related("product")[:200]:
        assert registration.product.serial_matches(registration.serial_number)


def test_statuses_are_in_the_status_tables_and_live_memberships_have_the_points_of_their_tier(seeded):
    for model in (Registration, Subscription, Invoice, Payment):
        allowed = set(status_table(model))
        assert set(model.objects.values_list("status", flat=True)) <= allowed
    for subscription in Subscription.objects.select_related("tier", "business"):
        assert subscription.business.points_balance >= subscription.tier.min_points
        if subscription.status in (SubscriptionStatus.ACTIVE, SubscriptionStatus.SUSPENDED):
            assert subscription.expires_on > timezone.localdate()
    assert not Invoice.objects.filter(status=InvoiceStatus.PAID, paid_at__isnull=True).exists()
    for invoice in Invoice.objects.filter(status=InvoiceStatus.PAID):
        assert invoice.payments.filter(status=Payment.Status.SUCCEEDED).exists()


def test_invoice_numbers_have_no_gaps_and_the_next_real_invoice_continues_the_series(seeded):
    assert_gap_free(Invoice.objects.values_list("number", flat=True))
    for sequence in Sequence.objects.filter(name__startswith="invoice:"):
        series = sequence.name.removeprefix("invoice:")
        assert Invoice.objects.filter(series=series).count() == sequence.last_value
    subscription = Subscription.objects.filter(status=SubscriptionStatus.ACTIVE).select_related("business").first()
    request = invoice_request_create(
        subscription=subscription, kind=InvoiceRequest.Kind.UPGRADE, description="test", net=subscription.price,
        period_start=subscription.starts_on, period_end=subscription.expires_on, currency=subscription.currency,
    )  # fmt: skip
    invoice = invoice_issue(request_id=request.pk)
    before = Sequence.objects.get(name=f"invoice:{invoice.series}").last_value
    assert invoice.number.endswith(f"-{before:06d}")
    assert_gap_free(Invoice.objects.values_list("number", flat=True))


def test_the_renewals_job_on_the_due_date_renews_exactly_the_memberships_due(seeded):
    due = timezone.localdate() + timedelta(days=1)
    assert Subscription.objects.filter(expires_on=due).count() == SIZE["renewals_due"]
    run = renewals_run(today=due)
    assert len(run.renewed) == SIZE["renewals_due"]
    assert run.expired == []


def test_the_collection_job_on_the_due_date_charges_exactly_the_card_invoices_due(seeded):
    due = timezone.localdate() + timedelta(days=1)
    at = timezone.make_aware(datetime.combine(due, time(6)))
    assert invoice_collect_due(at=at) == SIZE["card_charges_due"]
    charged = Invoice.objects.filter(due_date=due, payment_method="card", status=InvoiceStatus.PAID)
    assert charged.count() == SIZE["card_charges_due"]
    assert invoice_collect_due(at=at) == 0


def test_the_logins_are_printed_and_written_and_they_log_in(seeded):
    logins = seeded["logins"]
    assert set(logins["staff"]) == {"validation", "support", "finance", "program_admin", "service", "auditor"}
    for email in (logins["member_small"], logins["member_large"], *logins["staff"].values()):
        assert email in seeded["out"]
        client = Client()
        answer = client.post("/accounts/login/", {"username": email, "password": logins["password"]})
        assert answer.status_code == 302 and "_auth_user_id" in client.session, email
    assert "two-factor-code" in seeded["out"]
    large = Business.objects.get(pk=logins["business_large_id"])
    assert BusinessMembership.objects.get(user__email=logins["member_large"]).business == large
    assert large.registrations.count() == max(
        Business.objects.annotate(n=Count("registrations")).values_list("n", flat=True)
    )
    client = Client()
    client.force_login(User.objects.get(email=logins["member_small"]))
    page = client.get(reverse("products:list"))
    assert page.status_code == 200
    assert BusinessMembership.objects.get(user__email=logins["member_small"]).business.name in page.content.decode()


def test_the_output_shows_progress_and_time_per_table(seeded):
    assert "products_registration" in seeded["err"] and "rows/s" in seeded["err"]
    assert "Time per table" in seeded["err"] and "total" in seeded["err"]


def test_it_refuses_a_database_that_already_holds_businesses_unless_forced(seeded, tmp_path):
    with pytest.raises(CommandError, match="already holds 60 businesses"):
        call_command("seed-scale", "--businesses=5", "--registrations=20", "--memberships=1", "--invoices=1",
                     f"--logins={tmp_path / 'again.json'}", stderr=io.StringIO())  # fmt: skip
    assert Business.objects.count() == SIZE["businesses"]
    call_command("seed-scale", "--businesses=5", "--registrations=20", "--memberships=1", "--invoices=1",
                 "--audit=5", "--notifications=5", "--force", f"--logins={tmp_path / 'again.json'}",
                 stdout=io.StringIO(), stderr=io.StringIO())  # fmt: skip
    assert Business.objects.count() == SIZE["businesses"] + 5
    call_command("verify-points", stdout=io.StringIO(), stderr=io.StringIO())
    assert_gap_free(Invoice.objects.values_list("number", flat=True))
