"""The year's value: what the membership gave in the current membership year, next to its fee.

Memberships knows its own ledger (maintenance checks used, repair discounts granted: the
`AllowanceEntry` rows of the year) and the fee. What other apps hold — repairs and their days
saved, loans — they tell through *value providers*: a function registered here with
`@value_provider(code)` from the app that owns the figures (in its `AppConfig.ready`), called with
the membership year and returning its lines. Memberships never imports those apps (they sit above
it); an app that is not installed simply adds no line.

Each line is a translatable sentence with parameters, written for the reader by the one path
every notification uses (`notifications.rendering.render_message`: money in the reader's currency
format, grouped numbers), on the benefits page and in the renewal reminders alike.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from propass.accounts.models import Business
from propass.memberships.benefits import membership_year
from propass.memberships.enums import LIVE_STATUSES, BenefitKind
from propass.memberships.models import AllowanceEntry, Subscription
from propass.notifications.rendering import param_value, render_message, source_text

CENT = Decimal("0.01")
YEAR_VALUE_HEADING = _("What your membership gave you this membership year")


@dataclass(frozen=True)
class YearQuery:
    """What a value provider is asked about: a membership's year (both days included)."""

    business: Business
    subscription: Subscription
    year_starts_on: date
    year_ends_on: date
    currency: str


@dataclass(frozen=True)
class ValueLine:
    """One thing the membership gave: a sentence (lazy translation with `%(name)s` placeholders;
    an amount followed by `%(currency)s` is written as money) and its figures in `params`."""

    code: str
    message: Any
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def stored_params(self) -> dict[str, Any]:
        return {key: param_value(value) for key, value in self.params.items()}

    @property
    def text(self) -> str:
        """The line in the active language."""
        return render_message(source_text(self.message), self.stored_params)


ValueProvider = Callable[[YearQuery], list[ValueLine]]
value_providers: dict[str, ValueProvider] = {}


def value_provider(code: str) -> Callable[[ValueProvider], ValueProvider]:
    """Register a function that adds lines to the year's value (an app above memberships: the
    service app's repairs, its loans). Registering the same code again replaces it."""

    def register(func: ValueProvider) -> ValueProvider:
        value_providers[code] = func
        return func

    return register


@dataclass(frozen=True)
class YearValue:
    subscription: Subscription
    year_starts_on: date
    year_ends_on: date
    currency: str
    fee: Decimal  # the membership's price for one year, excl. VAT
    lines: list[ValueLine]

    @property
    def fee_line(self) -> ValueLine:
        return ValueLine(
            code="fee",
            message=_("Membership fee for this year: %(fee)s %(currency)s excl. VAT"),
            params={"fee": self.fee, "currency": self.currency},
        )

    def line(self, code: str) -> ValueLine | None:
        return next((line for line in self.lines if line.code == code), None)

    @property
    def details(self) -> list[tuple[Any, dict[str, Any]]]:
        """The statement as (sentence, parameters) pairs, for a notice e-mail: every line, then
        the fee."""
        return [(line.message, line.stored_params) for line in [*self.lines, self.fee_line]]


def _ledger(subscription: Subscription, year_starts_on: date) -> dict[str, Decimal]:
    """The year's net use per benefit kind, from the allowance ledger."""
    rows = (
        AllowanceEntry.objects.filter(subscription=subscription, year_starts_on=year_starts_on)
        .values("benefit__kind")
        .annotate(total=Sum("quantity"))
    )
    return {row["benefit__kind"]: row["total"] or Decimal("0") for row in rows}


def year_value(*, business: Business, day: date | None = None) -> YearValue | None:
    """What the live membership gave in the membership year `day` falls in (today by default):
    the lines of the registered value providers (repairs and their days saved, loans …), the
    maintenance checks used and the repair discounts received in money (the allowance ledger of
    the year, net of uses given back), next to the fee for one year (the term's price excl. VAT
    divided by its years). None without a live membership."""
    subscription = (
        Subscription.objects.filter(business=business, status__in=LIVE_STATUSES).select_related("tier").first()
    )
    if subscription is None:
        return None
    start, end = membership_year(subscription, day)
    currency = subscription.currency
    query = YearQuery(
        business=business, subscription=subscription, year_starts_on=start, year_ends_on=end, currency=currency
    )
    lines: list[ValueLine] = []
    for code in sorted(value_providers):
        lines += value_providers[code](query)
    used = _ledger(subscription, start)
    checks = int(used.get(BenefitKind.MAINTENANCE_CHECKS, Decimal("0")))
    lines.append(
        ValueLine(
            code="maintenance_checks",
            message=_("Maintenance checks and sensor cleans used: %(count)s"),
            params={"count": checks},
        )
    )
    discounts = used.get(BenefitKind.REPAIR_DISCOUNT, Decimal("0")).quantize(CENT)
    lines.append(
        ValueLine(
            code="repair_discounts",
            message=_("Repair discounts received: %(amount)s %(currency)s"),
            params={"amount": discounts, "currency": currency},
        )
    )
    fee = (subscription.price / subscription.term_years).quantize(CENT, rounding=ROUND_HALF_UP)
    return YearValue(
        subscription=subscription, year_starts_on=start, year_ends_on=end, currency=currency, fee=fee, lines=lines
    )
