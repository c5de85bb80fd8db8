"""The service app's lines of the year's value (`memberships.value`): the repairs the centres
received in the membership year and the business days the tier's turnaround saved against each
centre's standard turnaround. Registered in `ServiceConfig.ready`."""

from django.utils.translation import gettext_lazy as _

from propass.memberships.value import ValueLine, YearQuery, value_provider
from propass.service.enums import LoanStatus, ServiceKind, ServiceStatus
from propass.service.models import Loan, ServiceRequest


@value_provider("service.repairs")
def repairs_value(query: YearQuery) -> list[ValueLine]:
    """Repairs received in the year (the promise ran on the tier's turnaround), and for each
    the centre's standard turnaround minus the tier's, never below zero."""
    promised = ServiceRequest.objects.filter(
        business=query.business,
        kind=ServiceKind.REPAIR,
        received_on__gte=query.year_starts_on,
        received_on__lte=query.year_ends_on,
        turnaround_days__isnull=False,
    ).exclude(status=ServiceStatus.CANCELLED)
    turnarounds = list(promised.values_list("turnaround_days", "centre__standard_turnaround_days"))
    saved = sum(max(standard - (days or 0), 0) for days, standard in turnarounds)
    return [
        ValueLine(
            code="repairs",
            message=_("Repairs: %(count)s, promised %(days)s business days sooner than the standard turnaround"),
            params={"count": len(turnarounds), "days": saved},
        )
    ]


@value_provider("service.loans")
def loans_value(query: YearQuery) -> list[ValueLine]:
    """Loans that started in the year (not cancelled), and their days."""
    loans = list(
        Loan.objects.filter(
            business=query.business, starts_on__gte=query.year_starts_on, starts_on__lte=query.year_ends_on
        )
        .exclude(status=LoanStatus.CANCELLED)
        .values_list("starts_on", "ends_on")
    )
    if not loans:
        return []
    days = sum((ends_on - starts_on).days + 1 for starts_on, ends_on in loans)
    return [
        ValueLine(
            code="loans",
            message=_("Loan equipment: %(count)s loans, %(days)s days"),
            params={"count": len(loans), "days": days},
        )
    ]
