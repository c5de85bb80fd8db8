"""Reading service requests: a business sees its own; service agents see the queue (ordered by
the promised date, overdue flagged) and, beside a request, the product's registration and the
business's tier and allowances. The back office builds on these."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import BooleanField, Case, F, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from propass.accounts.models import Business, User
from propass.accounts.permissions import is_service_agent
from propass.accounts.selectors import business_of
from propass.catalog.models import ProductModel
from propass.core.errors import InvalidInput, NotFound
from propass.memberships.benefits import BenefitsSummary, benefits_summary
from propass.memberships.models import Subscription
from propass.memberships.services import subscription_current
from propass.products.enums import RegistrationStatus
from propass.products.models import Registration
from propass.service.enums import BOOKABLE_UNITS, FINISHED, LOAN_LIVE, PROMISE_RUNNING
from propass.service.models import Loan, LoanUnit, ServiceAttachment, ServiceCentre, ServiceRequest, ServiceStep

NOT_FOUND = _("This service request does not exist.")


def service_centres() -> QuerySet[ServiceCentre]:
    """The centres a member can send a product to."""
    return ServiceCentre.objects.filter(active=True)


def service_centre_for(*, country: str) -> ServiceCentre | None:
    """The active centre in `country`, else the first active one (the form's default)."""
    centres = service_centres()
    return centres.filter(country=country).first() or centres.first()


def credited_registrations(*, business: Business) -> QuerySet[Registration]:
    """The business's products that can be serviced: registered with every detail and credited."""
    return (
        Registration.objects.filter(business=business, status=RegistrationStatus.COMPLETE)
        .select_related("product")
        .order_by("product__name", "serial_number")
    )


def return_address_default(*, business: Business) -> dict[str, str]:
    """Where a product goes back to unless the member says otherwise: the business's address."""
    return {
        "return_name": business.name,
        "return_street": business.street,
        "return_postal_code": business.postal_code,
        "return_city": business.city,
        "return_country": str(business.country),
    }


def _with_overdue(requests: QuerySet[ServiceRequest], today: date | None = None) -> QuerySet[ServiceRequest]:
    today = today or timezone.localdate()
    return requests.annotate(
        overdue=Case(
            When(Q(promised_by__lt=today, status__in=PROMISE_RUNNING), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def service_request_list(*, business: Business) -> QuerySet[ServiceRequest]:
    """The business's requests, the newest first."""
    return (
        ServiceRequest.objects.filter(business=business)
        .select_related("registration__product", "centre")
        .order_by("-created_at", "-id")
    )


def _timeline() -> Prefetch:
    return Prefetch("steps", queryset=ServiceStep.objects.select_related("actor"))


def service_request_for_member(*, business: Business, request_id: int) -> ServiceRequest:
    """One request of the business with its timeline and attachments; another business's is not
    found."""
    found = (
        ServiceRequest.objects.filter(business=business, pk=request_id)
        .select_related("registration__product", "centre", "tier", "missed_promise")
        .prefetch_related(_timeline(), "attachments")
        .first()
    )
    if found is None:
        raise NotFound(NOT_FOUND)
    return found


def attachment_for(*, user: User, attachment_id: int, request_id: int | None = None) -> ServiceAttachment | None:
    """An attachment the user may download: service agents any, a member only one of their
    business's requests."""
    attachments = ServiceAttachment.objects.all()
    if request_id is not None:
        attachments = attachments.filter(request_id=request_id)
    if not is_service_agent(user):
        business = business_of(user)
        if business is None:
            return None
        attachments = attachments.filter(request__business=business)
    return attachments.filter(pk=attachment_id).first()


# --- Service agents (the back office and the staff API) ---------------------------------------


def service_queue(
    *, centre: str = "", status: str = "", tier: str = "", today: date | None = None
) -> QuerySet[ServiceRequest]:
    """The agents' queue, each request annotated `overdue` (past its promised date and not yet
    ready): the earliest promise first, then requests not received yet, oldest first. Filters:
    a centre's code, a status, a tier's code. Without a status, closed and cancelled requests are
    left out."""
    requests = ServiceRequest.objects.select_related("business", "registration__product", "centre", "tier")
    requests = requests.filter(status=status) if status else requests.exclude(status__in=FINISHED)
    if centre:
        requests = requests.filter(centre__code=centre)
    if tier:
        requests = requests.filter(tier__code=tier)
    return _with_overdue(requests, today).order_by(F("promised_by").asc(nulls_last=True), "created_at", "id")


def service_overdue_count(*, today: date | None = None) -> int:
    """Requests past their promised date that are not ready yet."""
    today = today or timezone.localdate()
    return ServiceRequest.objects.filter(promised_by__lt=today, status__in=PROMISE_RUNNING).count()


def service_request_for_agent(*, request_id: int) -> ServiceRequest:
    """One request with its timeline and attachments, for a service agent."""
    found = (
        _with_overdue(ServiceRequest.objects.filter(pk=request_id))
        .select_related("business", "registration__product", "centre", "tier", "created_by")
        .prefetch_related(_timeline(), "attachments")
        .first()
    )
    if found is None:
        raise NotFound(NOT_FOUND)
    return found


@dataclass(frozen=True)
class AgentContext:
    """What an agent sees beside a request: the product's registration, the business's
    membership (tier) and its benefits used and left this membership year."""

    registration: Registration
    membership: Subscription | None
    benefits: BenefitsSummary | None


def service_agent_context(*, request: ServiceRequest) -> AgentContext:
    business = request.business
    return AgentContext(
        registration=request.registration,
        membership=subscription_current(business=business),
        benefits=benefits_summary(business=business),
    )


# --- Loans -----------------------------------------------------------------------------------------------


def loan_list(*, business: Business) -> QuerySet[Loan]:
    """The business's loans, the latest start first."""
    return Loan.objects.filter(business=business).select_related("model", "unit", "service_request")


def loan_for_member(*, business: Business, loan_id: int) -> Loan:
    found = loan_list(business=business).filter(pk=loan_id).first()
    if found is None:
        raise NotFound(_("There is no such loan."))
    return found


def loan_for_agent(*, loan_id: int) -> Loan:
    found = (
        Loan.objects.select_related("model", "unit__centre", "business", "service_request", "subscription__tier")
        .filter(pk=loan_id)
        .first()
    )
    if found is None:
        raise NotFound(_("There is no such loan."))
    return found


def loans_queue(*, status: str = "", centre: str = "") -> QuerySet[Loan]:
    """The loans for the staff: live ones (and returned ones waiting for a decision) by start
    date; closed and cancelled ones only when asked for by status."""
    loans = Loan.objects.select_related("model", "unit__centre", "business").order_by("starts_on", "pk")
    if status:
        loans = loans.filter(status=status)
    else:
        loans = loans.exclude(status__in=["closed", "cancelled"])
    if centre:
        loans = loans.filter(unit__centre__code=centre)
    return loans


def loan_units(*, model: str = "", centre: str = "", status: str = "") -> QuerySet[LoanUnit]:
    units = LoanUnit.objects.select_related("model", "centre").order_by("model__name", "serial_number")
    if model:
        units = units.filter(model__code=model)
    if centre:
        units = units.filter(centre__code=centre)
    if status:
        units = units.filter(status=status)
    return units


MAX_AVAILABILITY_DAYS = 92


@dataclass(frozen=True)
class DayAvailability:
    day: date
    free: int
    total: int


def loan_models() -> list[ProductModel]:
    """The models the pool lends (at least one unit that can be booked)."""
    return list(ProductModel.objects.filter(loan_units__status__in=BOOKABLE_UNITS).distinct().order_by("name"))


def loan_availability(*, model_id: int, starts_on: date, ends_on: date) -> list[DayAvailability]:
    """How many units of the model are free on each day of the range (both days included)."""
    if ends_on < starts_on:
        raise InvalidInput(fields={"to": [str(_("The end date cannot be before the start date."))]})
    if (ends_on - starts_on).days + 1 > MAX_AVAILABILITY_DAYS:
        raise InvalidInput(
            fields={"to": [str(_("Ask for at most %(days)s days at a time.") % {"days": MAX_AVAILABILITY_DAYS})]}
        )
    units = set(LoanUnit.objects.filter(model_id=model_id, status__in=BOOKABLE_UNITS).values_list("pk", flat=True))
    booked = Loan.objects.filter(
        unit_id__in=units, status__in=LOAN_LIVE, starts_on__lte=ends_on, ends_on__gte=starts_on
    ).values_list("unit_id", "starts_on", "ends_on")
    taken: dict[date, set[int]] = {}
    for unit_id, first, last in booked:
        day = max(first, starts_on)
        while day <= min(last, ends_on):
            taken.setdefault(day, set()).add(unit_id)
            day += timedelta(days=1)
    days = []
    day = starts_on
    while day <= ends_on:
        days.append(DayAvailability(day=day, free=len(units) - len(taken.get(day, ())), total=len(units)))
        day += timedelta(days=1)
    return days
