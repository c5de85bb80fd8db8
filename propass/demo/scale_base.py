"""What the parts of `propass seed-scale` share: the run's options, clock and random
generator, the program's data they read, the businesses made, and the events that the audit
log and the bell are drawn from."""

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from typing import Any

from propass.accounts.models import Business
from propass.billing.models import SellerEntity
from propass.billing.vat import VatDecision, seller_for, vat_decide
from propass.core.models import Program
from propass.demo.bulk import TableWriter
from propass.memberships.models import Tier


class ScaleSeedError(Exception):
    """The options cannot be met, or the database already holds a program (message for the operator)."""


@dataclass(frozen=True)
class ScaleOptions:
    businesses: int = 150_000
    registrations: int = 1_000_000
    memberships: int = 30_000
    invoices: int = 100_000
    audit: int = 200_000
    notifications: int = 50_000
    renewals_due: int = 0  # active, auto-renewing memberships whose term ends on `due_date`
    card_charges_due: int = 0  # unpaid card invoices due on `due_date`
    due_date: date | None = None  # tomorrow when not given
    seed: int = 1
    force: bool = False  # add to a database that already holds businesses


@dataclass(frozen=True)
class ProductInfo:
    id: int
    name: str
    points: int  # what a registration earns (0 for accessories and ineligible models)
    launch: date | None
    end_of_support: date | None
    serial_kind: str  # see scale.SERIAL_FORMATS
    weight: float


@dataclass(slots=True)
class BusinessSeed:
    """A business as written, with what later tables need about it."""

    id: int
    name: str
    country: str
    language: str
    currency: str
    vat_number: str
    street: str
    postal_code: str
    city: str
    created: datetime
    owner_id: int
    user_ids: list[int]
    balance: int = 0
    invited_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Event:
    """Something that happened to a business, for its audit entry and its bell entries.
    `kind` names the event (see scale_events); `data` holds what its rows need."""

    at: datetime
    kind: str
    business: int  # index into Context.businesses
    data: tuple[Any, ...]


@dataclass
class Context:
    options: ScaleOptions
    rng: random.Random
    writer: TableWriter
    program: Program
    now: datetime
    today: date
    due: date
    tz: tzinfo
    window_start: date  # invoices and memberships start at most three years back
    password: str  # the one hashed password of the logins
    terms_version: str  # the membership terms a checkout accepts
    business_terms_version: str  # the business account terms an application accepts
    privacy_version: str
    countries: list[str] = field(default_factory=list)  # of the businesses, drawn before they are made
    products: list[ProductInfo] = field(default_factory=list)
    # Models old enough and worth enough that a member's registrations reach its tier with them.
    boost: list[ProductInfo] = field(default_factory=list)
    boost_points: int = 0
    tiers: list[Tier] = field(default_factory=list)  # on sale, cheapest first
    prices: dict[tuple[int, str, int], Decimal] = field(default_factory=dict)  # (tier, currency, years)
    staff: dict[str, list[tuple[int, str]]] = field(default_factory=dict)  # group -> [(id, email)]
    businesses: list[BusinessSeed] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    _sellers: dict[str, SellerEntity] = field(default_factory=dict)
    _vat: dict[tuple[str, bool], VatDecision] = field(default_factory=dict)

    def seller(self, country: str) -> SellerEntity:
        if country not in self._sellers:
            self._sellers[country] = seller_for(country=country)
        return self._sellers[country]

    def vat(self, business: BusinessSeed) -> VatDecision:
        """The VAT decision of billing.vat for the business (the same for every business of a
        country with or without a VAT number, so it is asked once for each)."""
        key = (business.country, bool(business.vat_number))
        if key not in self._vat:
            self._vat[key] = vat_decide(business=Business(country=business.country, vat_number=business.vat_number))
        return self._vat[key]

    def at(self, day: date, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
        """An aware moment of `day` in the installation's time zone."""
        return datetime.combine(day, time(hour, minute, second), tzinfo=self.tz)

    def daytime(self, day: date) -> datetime:
        """A moment of office hours on `day`, never later than now."""
        moment = self.at(day, self.rng.randint(8, 19), self.rng.randint(0, 59), self.rng.randint(0, 59))
        return min(moment, self.now - timedelta(seconds=self.rng.randint(60, 3600)))

    def day_between(self, first: date, last: date) -> date:
        return first + timedelta(days=self.rng.randint(0, max((last - first).days, 0)))

    def staff_member(self, group: str) -> tuple[int, str]:
        return self.rng.choice(self.staff[group])
