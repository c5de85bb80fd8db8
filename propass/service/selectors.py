"""Reading service requests: a business sees its own; service agents see the queue (ordered by
the promised date, overdue flagged) and, beside a request, the product's registration and the
business's tier and allowances. The back office builds on these."""

from dataclasses import dataclass
from datetime import date

from django.db.models import BooleanField, Case, F, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from propass.accounts.models import Business, User
from propass.accounts.permissions import is_service_agent
from propass.accounts.selectors import business_of
from propass.core.errors import NotFound
from propass.memberships.benefits import BenefitsSummary, benefits_summary
from propass.memberships.models import Subscription
from propass.memberships.services import subscription_current
from propass.products.enums import RegistrationStatus
from propass.products.models import Registration
from propass.service.enums import FINISHED, PROMISE_RUNNING
from propass.service.models import ServiceAttachment, ServiceCentre, ServiceRequest, ServiceStep

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
