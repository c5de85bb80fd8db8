from dataclasses import dataclass

from django.db.models import Count, QuerySet
from django.utils import timezone

from propass.accounts.models import Business, User
from propass.core.paging import COUNT_CAP
from propass.core.vat import vat_number_twins
from propass.onboarding.enums import OPEN_STATUSES, ApplicationStatus
from propass.onboarding.models import Application, ApplicationDocument
from propass.products.selectors import legacy_products_count


def application_queue(*, status: str = "", country: str = "") -> QuerySet[Application]:
    """Applications ordered by SLA deadline, soonest first; open ones unless a status is asked."""
    applications = Application.objects.select_related("vies_check")
    if status:
        applications = applications.filter(status=status)
    else:
        applications = applications.filter(status__in=OPEN_STATUSES)
    if country:
        applications = applications.filter(country=country.upper())
    return applications.order_by("sla_deadline", "pk")


def application_counts() -> dict[str, int]:
    """How many applications are in each status, and how many open ones are past their
    deadline. Open statuses are counted exactly (the open queue's partial index); decided ones
    up to COUNT_CAP + 1 through the status index, a number above COUNT_CAP meaning "more than
    COUNT_CAP" (150,000 approved applications need no exact count on every queue page)."""
    per_status = dict(
        Application.objects.filter(status__in=OPEN_STATUSES)
        .order_by()
        .values("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    for status in ApplicationStatus.values:
        if status not in OPEN_STATUSES:
            per_status[status] = Application.objects.filter(status=status).order_by()[: COUNT_CAP + 1].count()
    overdue = Application.objects.filter(status__in=OPEN_STATUSES, sla_deadline__lt=timezone.now()).count()
    return {"overdue": overdue, **{status: per_status.get(status, 0) for status in ApplicationStatus.values}}


@dataclass(frozen=True)
class ReviewFacts:
    legacy_match: bool
    legacy_products: int
    same_vat: list[Business]
    email_has_login: bool


def application_review_facts(*, application: Application) -> ReviewFacts:
    """What the agent needs beside the form: legacy match, same VAT number elsewhere."""
    legacy_products = legacy_products_count(email=application.legacy_email) if application.legacy_email else None
    same_vat = (
        list(
            Business.objects.filter(vat_number__in=vat_number_twins(application.vat_number)).exclude(
                pk=application.business_id or 0
            )
        )
        if application.vat_number
        else []
    )
    return ReviewFacts(
        legacy_match=legacy_products is not None,
        legacy_products=legacy_products or 0,
        same_vat=same_vat,
        email_has_login=User.objects.filter(email__iexact=application.email).exists()
        and application.status != ApplicationStatus.APPROVED,
    )


def document_for_staff(*, document_id: int) -> ApplicationDocument | None:
    return ApplicationDocument.objects.filter(pk=document_id).first()


def document_for_business(*, document_id: int, user: User) -> ApplicationDocument | None:
    """A business's own application documents; another business's are not found."""
    return ApplicationDocument.objects.filter(pk=document_id, application__business__memberships__user=user).first()
