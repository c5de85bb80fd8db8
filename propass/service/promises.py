"""Promises kept: a service request whose promised date passes while the product is still at the
centre is noticed once (the member is told at once); when the product is ready, the days it was
late are made good as the tier says — the membership's term is extended by those days, up to the
tier's `PROMISE_COMPENSATION` days — once per request, audited.

Decided with finance rules in mind: a term extension, not a credit note. A credit note would
reduce revenue already invoiced and reported for VAT and needs a money amount per day; days added
to the term change no invoice, are visible on the membership and on the audit log, and move the
renewal (and its invoice) later by exactly the days lost.
"""

from datetime import date, timedelta
from urllib.parse import urlencode

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from propass.catalog.models import ProductModel
from propass.core.enums import AuditAction
from propass.core.services import audit_record
from propass.memberships.enums import LIVE_STATUSES, BenefitKind
from propass.memberships.models import Subscription, TierBenefit
from propass.memberships.services import subscription_extend
from propass.notifications.services import business_notify
from propass.service.enums import PROMISE_RUNNING, ServiceStatus, StepKind
from propass.service.loans import loan_days_allowed
from propass.service.models import MissedPromise, ServiceRequest
from propass.service.selectors import loan_availability
from propass.service.services import NOTIFICATION_KIND, _notify

# At most this many days of loan are offered with a missed promise (the tier's longest loan if shorter).
LOAN_OFFER_DAYS = 7

FINISHED_WORK = [ServiceStatus.READY, ServiceStatus.SHIPPED, ServiceStatus.CLOSED]

LATE_TITLE = _("%(reference)s: we have missed our promised date")
LATE_BODY = _(
    "We promised to have your product ready by %(promised_by)s and it is still being worked on. We are sorry: "
    "it has priority, and we will tell you as soon as it is ready."
)
LATE_LOAN_BODY = _(
    "We promised to have your product ready by %(promised_by)s and it is still being worked on. We are sorry: "
    "it has priority. So that you can keep working, a %(model)s is free to lend you from %(starts_on)s to "
    "%(ends_on)s: open this notice and confirm the loan in one click."
)
COMPENSATED_TITLE = _("%(reference)s: %(days)s days added to your membership")
COMPENSATED_BODY = _(
    "Your product was ready %(days_late)s days after the date we promised. As your membership provides, "
    "%(days)s days have been added to it: it now runs until %(expires_on)s."
)


def promises_missed_notice(*, today: date) -> list[MissedPromise]:
    """Record every request that passed its promise with the product still at the centre, once,
    and tell its business at once. Safe when two schedulers run it together."""
    late = ServiceRequest.objects.filter(
        promised_by__lt=today, status__in=PROMISE_RUNNING, missed_promise__isnull=True
    ).values_list("pk", flat=True)
    noticed = []
    for request_id in list(late):
        try:
            with transaction.atomic():
                request = (
                    ServiceRequest.objects.select_for_update(of=("self",))
                    .select_related("business", "registration__product")
                    .get(pk=request_id)
                )
                promised_by = request.promised_by
                if promised_by is None or request.status not in PROMISE_RUNNING:
                    continue
                if MissedPromise.objects.filter(request=request).exists():
                    continue
                missed = MissedPromise.objects.create(request=request, promised_by=promised_by)
                audit_record(
                    actor=None, action=AuditAction.SERVICE_PROMISE_MISSED, target=request,
                    data={"reference": request.reference, "promised_by": promised_by.isoformat()},
                )  # fmt: skip
                offer = _loan_offer(request, today)
                if offer is None:
                    _notify(request, LATE_TITLE, LATE_BODY, promised_by=promised_by)
                else:
                    model, starts_on, ends_on = offer
                    MissedPromise.objects.filter(pk=missed.pk).update(
                        loan_offer_starts_on=starts_on, loan_offer_ends_on=ends_on
                    )
                    query = urlencode({
                        "service_request": request.pk, "model": model.pk,
                        "starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat(),
                    })  # fmt: skip
                    business_notify(
                        business=request.business, kind=NOTIFICATION_KIND, title=LATE_TITLE, body=LATE_LOAN_BODY,
                        url=f"{reverse('service:loan_new')}?{query}",
                        params={"reference": request.reference, "promised_by": promised_by, "model": model.name,
                                "starts_on": starts_on, "ends_on": ends_on},
                    )  # fmt: skip
        except IntegrityError:  # another scheduler recorded it first
            continue
        noticed.append(missed)
    return noticed


def _loan_offer(request: ServiceRequest, today: date) -> tuple[ProductModel, date, date] | None:
    """The days a unit of the product's own model is free for the business, from today, when its
    tier lends equipment; None otherwise."""
    days = loan_days_allowed(business=request.business)
    model = request.registration.product if request.registration_id else None
    if not days or model is None:
        return None
    ends_on = today + timedelta(days=min(days, LOAN_OFFER_DAYS) - 1)
    free = loan_availability(model_id=model.pk, starts_on=today, ends_on=ends_on)
    return (model, today, ends_on) if free and all(day.free > 0 for day in free) else None


def _ready_on(request: ServiceRequest, today: date) -> date:
    step = request.steps.filter(kind=StepKind.READY).order_by("at").first()
    return timezone.localdate(step.at) if step is not None else today


def promises_settle(*, today: date) -> list[MissedPromise]:
    """For each missed promise whose product is now ready, extend the membership by the days it
    was late, up to what the request's tier gives; once per request."""
    waiting = MissedPromise.objects.filter(settled_at__isnull=True, request__status__in=FINISHED_WORK)
    settled = []
    for missed_id in list(waiting.values_list("pk", flat=True)):
        with transaction.atomic():
            missed = (
                MissedPromise.objects.select_for_update(of=("self",))
                .select_related("request__business", "request__tier")
                .filter(pk=missed_id, settled_at__isnull=True)
                .first()
            )
            if missed is None:
                continue
            request = missed.request
            ready_on = _ready_on(request, today)
            days_late = max((ready_on - missed.promised_by).days, 0)
            cap = (
                TierBenefit.objects.filter(tier=request.tier, benefit__kind=BenefitKind.PROMISE_COMPENSATION)
                .values_list("days", flat=True)
                .first()
            )
            days = min(days_late, cap or 0)
            subscription = Subscription.objects.filter(business=request.business, status__in=LIVE_STATUSES).first()
            extended = subscription is not None and subscription_extend(
                subscription_id=subscription.pk, days=days, reason="missed_promise", reference=request.reference
            )
            MissedPromise.objects.filter(pk=missed.pk).update(
                ready_on=ready_on, days_late=days_late, days_added=days if extended else 0, settled_at=timezone.now()
            )
            if extended and subscription is not None:
                subscription.refresh_from_db(fields=["expires_on"])
                _notify(
                    request, COMPENSATED_TITLE, COMPENSATED_BODY,
                    days=days, days_late=days_late, expires_on=subscription.expires_on,
                )  # fmt: skip
        settled.append(missed)
    return settled
