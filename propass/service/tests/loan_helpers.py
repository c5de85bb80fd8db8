from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from propass.catalog.models import ProductModel
from propass.products.tests.helpers import camera
from propass.service.loans import LoanInput, loan_request
from propass.service.models import LoanPrice, LoanUnit, ServiceCentre


def pool(code: str = "EOS-R6", units: int = 1, deposit: str = "400.00") -> ProductModel:
    """A model in the loan pool with `units` units at Amstelveen and its EUR and GBP prices."""
    model = camera(code)
    centre = ServiceCentre.objects.get(code="amstelveen")
    for i in range(units):
        LoanUnit.objects.create(model=model, serial_number=f"LOAN{i + 1:04d}", centre=centre)
    for currency in ("EUR", "GBP"):
        LoanPrice.objects.create(
            model=model, currency=currency, deposit=Decimal(deposit), daily_late_fee=Decimal("25.00"),
            damage_fee=Decimal("300.00"),
        )  # fmt: skip
    return model


def days(start: int, end: int) -> tuple[date, date]:
    today = timezone.localdate()
    return today + timedelta(days=start), today + timedelta(days=end)


def borrow(business, actor, model, start=1, end=5, service_request=None, accept_terms=True):
    starts_on, ends_on = days(start, end)
    return loan_request(
        business=business,
        actor=actor,
        data=LoanInput(
            model_id=model.pk, starts_on=starts_on, ends_on=ends_on,
            service_request_id=service_request.pk if service_request else None, accept_terms=accept_terms,
        ),
    )  # fmt: skip
