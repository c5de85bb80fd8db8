"""A program at scale for `propass seed-scale`: by default 150,000 businesses with a million
product registrations, 30,000 memberships, 100,000 invoices, 200,000 audit entries and 50,000
bell entries, for measuring pages and batch jobs on a realistic database.

Every row is what the services would have written, without running them row by row: the
points ledger holds one credit per credited registration (and the debit of one whose model
reached its end of support), each cached balance is its ledger's sum, serial numbers are
unique per model, statuses move only as their tables allow, with the dates that go with them
(scale_billing for memberships and invoices). Rows come from a seeded random generator, so the
same options on the same database give the same data, and go in table by table with COPY on
PostgreSQL (bulk.TableWriter), in one transaction: a run that fails leaves nothing."""

import random
import time
from bisect import bisect
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import accumulate

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX, UNUSABLE_PASSWORD_SUFFIX_LENGTH, make_password
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify
from django_otp.plugins.otp_totp.models import TOTPDevice

from propass.accounts.enums import BusinessRole
from propass.accounts.models import Business, BusinessMembership, User
from propass.accounts.services import staff_groups_ensure
from propass.catalog.models import ProductModel
from propass.core.models import LegalTextKind
from propass.core.selectors import legal_text_current, program_current
from propass.core.services import business_days_after
from propass.demo.bulk import Progress, TableWriter
from propass.demo.demo import DEMO_PASSWORD, DEMO_TOTP_KEY, catalog_seed
from propass.demo.scale_base import BusinessSeed, Context, Event, ProductInfo, ScaleOptions, ScaleSeedError
from propass.demo.scale_billing import memberships_plan, memberships_write
from propass.demo.scale_events import events_write
from propass.demo.scale_names import (
    COMPANY_NAMES,
    COUNTRIES,
    DEALERS,
    FIRST_NAMES,
    LAST_NAMES,
    OTHER_DEALERS,
    STAFF,
    STREETS,
    Country,
)
from propass.memberships.models import Tier, TierPrice
from propass.memberships.services import add_years
from propass.onboarding.enums import ApplicationStatus
from propass.onboarding.models import Application
from propass.points.enums import LedgerReason
from propass.points.models import LedgerEntry
from propass.products.enums import RegistrationStatus
from propass.products.models import Registration
from propass.program_admin.setup import installation_setup

__all__ = ["ScaleLogins", "ScaleOptions", "ScaleSeedError", "scale_seed"]

# A database with more businesses than this already holds a program: seed-scale adds to it only with --force.
HANDFUL = 10
LARGEST = 2_600  # registrations of the largest business at the default size
FLUSH_EVERY = 100_000  # registrations generated between two writes of the buffered tables
# Registrations: shares of products bought long before, missing details, bought elsewhere.
MISSING_DEALER, MISSING_DATE = 0.06, 0.02
STAFF_DOMAIN = "scale.propass.test"


@dataclass(frozen=True)
class ScaleLogins:
    """The logins to try the scale program with (all with `password`; staff also need a code)."""

    password: str
    member_small: str
    member_large: str
    business_large_id: int
    staff: dict[str, str]

    def as_json(self) -> dict[str, object]:
        return {
            "password": self.password,
            "member_small": self.member_small,
            "member_large": self.member_large,
            "business_large_id": self.business_large_id,
            "staff": self.staff,
        }


# Serial numbers: the registration's id scrambled by a multiplication that is a bijection modulo
# the format's range (the multiplier is prime to 2, 5 and 13), so they look random and are
# unique per format, hence per model, in this run and any other.
SCRAMBLE = 2_654_435_761
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _letters_digits(n: int) -> str:
    value = n * SCRAMBLE % (26**3 * 10**5)
    head, digits = divmod(value, 10**5)
    return LETTERS[head // 676] + LETTERS[head // 26 % 26] + LETTERS[head % 26] + f"{digits:05d}"


SERIAL_FORMATS: dict[str, Callable[[int], str]] = {
    "12 digits": lambda n: f"{n * SCRAMBLE % 10**12:012d}",
    "10 digits": lambda n: f"{n * SCRAMBLE % 10**10:010d}",
    "3 letters 5 digits": _letters_digits,
    "8 digits": lambda n: f"{n * SCRAMBLE % 10**8:08d}",
}


def _serial_format(product: ProductModel) -> str:
    """The first format whose serial numbers the model's pattern accepts."""
    for name, make in SERIAL_FORMATS.items():
        if all(product.serial_matches(make(n)) for n in (1, 7, 123_456, 99_999_999)):
            return name
    raise ScaleSeedError(f"No serial number format fits the pattern of {product.code}: {product.serial_pattern}")


CATEGORY_WEIGHTS = {"camera": 30, "lens": 40, "video": 8, "printer": 4, "accessory": 18}


def _products(rng: random.Random) -> list[ProductInfo]:
    models = list(ProductModel.objects.order_by("pk"))
    if not models:
        raise ScaleSeedError("The catalog is empty.")
    per_category: dict[str, int] = {}
    for model in models:
        per_category[model.category] = per_category.get(model.category, 0) + 1
    return [
        ProductInfo(
            id=model.pk,
            name=model.name,
            points=model.points_value,
            launch=model.launch_date,
            end_of_support=model.end_of_support,
            serial_kind=_serial_format(model),
            weight=CATEGORY_WEIGHTS.get(model.category, 5) / per_category[model.category] * rng.uniform(0.3, 1.7),
        )
        for model in models
    ]


def _check(options: ScaleOptions, today: date, due: date) -> None:
    counts = (
        options.businesses, options.registrations, options.memberships, options.invoices, options.audit,
        options.notifications, options.renewals_due, options.card_charges_due,
    )  # fmt: skip
    if min(counts) < 0:
        raise ScaleSeedError("Counts cannot be negative.")
    if options.businesses < 2 or options.registrations < 5:
        raise ScaleSeedError("seed-scale needs at least 2 businesses and 5 registrations.")
    if options.memberships > options.businesses - 1:
        raise ScaleSeedError("--memberships must be less than --businesses (the small demo business is no member).")
    if not today < due <= today + timedelta(days=30):
        raise ScaleSeedError("--due-date must be after today and at most 30 days (the payment terms) ahead.")


def scale_seed(*, options: ScaleOptions, progress: Progress) -> ScaleLogins:
    """Fill the database with a program of the size of `options` (see the module doc); refuses
    a database that already holds more than a handful of businesses unless `options.force`."""
    today = timezone.localdate()
    due = options.due_date or today + timedelta(days=1)
    _check(options, today, due)
    writer = TableWriter(progress)
    with transaction.atomic():
        if writer.postgres:
            with connection.cursor() as cursor:
                # Foreign keys checked as each COPY ends (parents are written first), not all at the commit.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        existing = Business.objects.count()
        if existing > HANDFUL and not options.force:
            raise ScaleSeedError(
                f"The database already holds {existing:,} businesses: seed-scale would add a whole program to "
                "them. Use an empty database (migrated), or --force to add anyway."
            )
        with progress.step("setup, catalog and staff"):
            ctx = _context(options, writer, today, due, existing)
            _staff_ensure(ctx)
        with progress.step("planning"):
            counts = _registration_counts(ctx)
            ctx.countries = [_country(ctx.rng).code for _business in range(options.businesses)]
            ctx.countries[1] = "IT"  # the small demo business is Italian, like seed-demo's
            currencies = [ctx.seller(country).currency for country in ctx.countries]
            plans, targets, created_by = memberships_plan(
                ctx, counts=counts, currencies=currencies, boost_points=ctx.boost_points
            )
            targets[1] = ctx.program.invitation_threshold  # invited: the small business may buy a tier
        _businesses_write(ctx, counts, targets, created_by)
        _applications_write(ctx)
        memberships_write(ctx, plans)
        events_write(ctx)
        large, small = ctx.businesses[0], ctx.businesses[1]
        owners = dict(User.objects.filter(pk__in=[large.owner_id, small.owner_id]).values_list("pk", "email"))
        logins = ScaleLogins(
            password=DEMO_PASSWORD,
            member_small=owners[small.owner_id],
            member_large=owners[large.owner_id],
            business_large_id=large.id,
            staff={group: members[0][1] for group, members in ctx.staff.items()},
        )
    if writer.postgres:
        # Statistics and the visibility map for the pages measured next; VACUUM only outside a
        # transaction (a caller's, such as a test's, gets the statistics).
        command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
        with progress.step(command.lower()), connection.cursor() as cursor:
            for table in progress.tables:
                cursor.execute(f'{command} "{table}"')
    return logins


def _context(options: ScaleOptions, writer: TableWriter, today: date, due: date, existing: int) -> Context:
    installation_setup()
    catalog_seed()
    # The same seed on the same database gives the same data; on top of an earlier run, other data.
    rng = random.Random(f"propass-scale:{options.seed}:{existing}")  # noqa: S311 (demo data, not secrets)
    tiers = sorted(Tier.objects.filter(active=True), key=lambda tier: (tier.min_points, tier.position, tier.pk))
    if not tiers:
        raise ScaleSeedError("No tier is on sale.")
    texts = {kind: legal_text_current(kind=kind) for kind in LegalTextKind}
    ctx = Context(
        options=options,
        rng=rng,
        writer=writer,
        program=program_current(),
        now=timezone.now(),
        today=today,
        due=due,
        tz=timezone.get_current_timezone(),
        window_start=add_years(today, -3),
        password=make_password(DEMO_PASSWORD),  # hashed once (Argon2 is slow on purpose), shared by the logins
        terms_version=getattr(texts[LegalTextKind.PROGRAM_TERMS], "version", ""),
        business_terms_version=getattr(texts[LegalTextKind.BUSINESS_TERMS], "version", ""),
        privacy_version=getattr(texts[LegalTextKind.PRIVACY_NOTICE], "version", ""),
        tiers=tiers,
    )
    ctx.products = _products(rng)
    oldest = add_years(today, -4)  # no business is older
    usable = [
        product
        for product in ctx.products
        if (product.launch is None or product.launch <= oldest)
        and (product.end_of_support is None or product.end_of_support >= today)
    ]
    best = max((product.points for product in usable), default=0)
    ctx.boost = [product for product in usable if product.points >= best * 0.8]
    if best < 100:
        raise ScaleSeedError("The catalog has no model worth 100 points or more launched four years ago.")
    ctx.boost_points = min(product.points for product in ctx.boost)
    ctx.prices = {
        (tier, currency, years): amount
        for tier, currency, years, amount in TierPrice.objects.values_list(
            "tier_id", "currency", "term_years", "amount"
        )
    }
    return ctx


STAFF_LANGUAGES = ("en", "de", "it", "fr", "es", "nl")


def _staff_ensure(ctx: Context) -> None:
    """Staff in every back-office role, with the demo password and the demo authenticator."""
    groups = {str(role): group for role, group in staff_groups_ensure().items()}
    for position, (role, people) in enumerate(STAFF.items()):
        for n, (first, last) in enumerate(people, start=1):
            email = f"{role.replace('_', '-')}{'' if n == 1 else n}@{STAFF_DOMAIN}"
            user, _created = User.objects.get_or_create(
                email=email,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "language": STAFF_LANGUAGES[(position + n) % len(STAFF_LANGUAGES)],
                    "is_staff": True,
                },
            )
            User.objects.filter(pk=user.pk).update(password=ctx.password)
            user.groups.add(groups[role])
            # The demo staff's authenticator: a published secret, like the demo password.
            TOTPDevice.objects.get_or_create(
                user=user, name="demo", defaults={"key": DEMO_TOTP_KEY.hex(), "confirmed": True}
            )
            ctx.staff.setdefault(role, []).append((user.pk, email))


def _country(rng: random.Random) -> Country:
    return rng.choices(COUNTRIES, weights=[country.share for country in COUNTRIES])[0]


def _registration_counts(ctx: Context) -> list[int]:
    """Registrations per business: the largest (index 0) has about 2,600 at the default size,
    the small demo business (index 1) four, a few dozen have hundreds, and the rest a few
    each with a long tail; they add up to --registrations."""
    rng, total, size = ctx.rng, ctx.options.registrations, ctx.options.businesses
    largest = min(LARGEST, max(1, total // 10))
    counts = [0] * size
    counts[0], counts[1] = largest, min(4, total - largest)
    left = total - counts[0] - counts[1]
    big = range(2, 2 + min(size // 5000, 30, size - 2))
    for index in big:
        counts[index] = min(rng.randint(300, 1500), largest - 1, left // (4 * len(big)))
    left -= sum(counts[index] for index in big)
    others = range(2 + len(big), size)
    if not others:
        counts[0] += left
        return counts
    # A long tail (Pareto), cut at a random height; a few new businesses registered nothing yet.
    weights = [0.0 if rng.random() < 0.03 else min(rng.paretovariate(1.4), rng.uniform(40, 160)) for _index in others]
    scale = left / sum(weights)
    shares = [int(weight * scale) for weight in weights]
    for position in rng.sample(range(len(shares)), left - sum(shares)):
        shares[position] += 1
    # Nobody but the largest business reaches its size.
    cap, excess = max(largest - 1, 1), 0
    for position, share in enumerate(shares):
        if share > cap:
            excess, shares[position] = excess + share - cap, cap
    below = [position for position, share in enumerate(shares) if share < cap]
    while excess and below:
        position = rng.choice(below)
        shares[position] += 1
        excess -= 1
        if shares[position] == cap:
            below.remove(position)
    counts[0] += excess
    for index, share in zip(others, shares, strict=True):
        counts[index] = share
    return counts


COUNTRY = {country.code: country for country in COUNTRIES}
USER_FIELDS = [
    "id", "password", "last_login", "is_superuser", "email", "first_name", "last_name", "language", "email_opt_out",
    "is_staff", "is_active", "date_joined",
]  # fmt: skip
BUSINESS_FIELDS = [
    "id", "created_at", "updated_at", "name", "street", "postal_code", "city", "country", "vat_number", "language",
    "currency", "legacy_email", "points_balance", "invited_at", "peppol_id",
]  # fmt: skip
APPLICATION_FIELDS = [
    "id", "created_at", "updated_at", "token", "status", "first_name", "last_name", "email", "phone", "language",
    "company_name", "street", "postal_code", "city", "country", "vat_registered", "vat_number", "vat_check",
    "authorised", "legacy_email", "terms_version", "privacy_version", "submitted_at", "sla_started_at",
    "sla_deadline", "info_request_message", "rejection_reason", "decided_at", "decided_by_id", "business_id",
]  # fmt: skip
REGISTRATION_FIELDS = [
    "id", "created_at", "updated_at", "serial_number", "purchase_date", "country_of_purchase", "dealer", "status",
    "points_value", "points_credited", "review_note", "business_id", "created_by_id", "product_id",
]  # fmt: skip
LEDGER_FIELDS = ["business_id", "amount", "reason", "registration_id", "reference", "note", "actor_id", "created_at"]
MEMBER_FIELDS = ["id", "created_at", "updated_at", "user_id", "business_id", "role"]


@dataclass
class _Company:
    name: str
    country: Country
    language: str
    street: str
    postal_code: str
    city: str
    vat_number: str
    first: str
    last: str


def _company(rng: random.Random, country: Country, language: str | None = None) -> _Company:
    language = language or (
        country.languages[0] if len(country.languages) == 1 or rng.random() < 0.85 else rng.choice(country.languages)
    )
    native = country.languages[0]
    last, other = rng.sample(LAST_NAMES[language], 2)
    city = rng.choice(country.cities)
    if "SW" in country.postal_code or "D{" in country.postal_code:
        postal = country.postal_code.format(rng.randint(1, 20))
    else:
        postal = country.postal_code.format(rng.randint(1000, 9999 if "04d" in country.postal_code else 99999))
    vat = ""
    if country.vat_digits and rng.random() < 0.95:
        vat = f"{country.code}{rng.randrange(10 ** (country.vat_digits - 1), 10**country.vat_digits)}"
    return _Company(
        name=rng.choice(COMPANY_NAMES[language]).format(last=last, other=other, city=city),
        country=country,
        language=language,
        street=STREETS[native].format(n=rng.randint(1, 240)),
        postal_code=postal,
        city=city,
        vat_number=vat,
        first=rng.choice(FIRST_NAMES[language]),
        last=last,
    )


class _Deadlines:
    """Validation deadlines (core.services.business_days_after), computed once per day."""

    def __init__(self, ctx: Context) -> None:
        self.ctx, self.by_day = ctx, dict[date, timedelta]()

    def after(self, moment: datetime) -> datetime:
        local = moment.astimezone(self.ctx.tz)
        day = local.date()
        if day not in self.by_day:
            start = self.ctx.at(day)
            program = self.ctx.program
            end = business_days_after(start=start, days=program.validation_sla_days, country=program.operator_country)
            self.by_day[day] = end - start
        return moment + self.by_day[day]


def _token(rng: random.Random) -> str:
    return f"{rng.getrandbits(256):064x}"


def _unusable(rng: random.Random) -> str:
    return UNUSABLE_PASSWORD_PREFIX + "".join(rng.choices(LETTERS + LETTERS.lower(), k=UNUSABLE_PASSWORD_SUFFIX_LENGTH))


def _businesses_write(ctx: Context, counts: list[int], targets: dict[int, int], created_by: dict[int, date]) -> None:
    """Businesses with their people, approved applications, registrations and points ledger,
    written in slices of about FLUSH_EVERY registrations (parents before children)."""
    rng, writer, progress = ctx.rng, ctx.writer, ctx.writer.progress
    size = len(counts)
    extras = [rng.choices((0, 1, 2, 3, 5, 8), weights=(72, 15, 7, 3, 2, 1))[0] for _business in range(size)]
    extras[0], extras[1] = 23, 1
    first_business, first_application = writer.ids(Business, size), writer.ids(Application, size)
    first_user = writer.ids(User, size + sum(extras))
    first_member = writer.ids(BusinessMembership, size + sum(extras))
    first_registration = writer.ids(Registration, sum(counts))
    buffers: dict[type, list] = {model: [] for model in (User, Business, BusinessMembership, Application)}
    registrations: list[tuple] = []
    ledger: list[tuple] = []
    pick = _product_picker(ctx)
    deadlines = _Deadlines(ctx)
    oldest = add_years(ctx.today, -4)
    threshold = ctx.program.invitation_threshold
    user_id, registration_id = first_user, first_registration
    started, writing = time.perf_counter(), 0.0

    def flush() -> float:
        began = time.perf_counter()
        writer.write(User, USER_FIELDS, buffers[User])
        writer.write(Business, BUSINESS_FIELDS, buffers[Business])
        writer.write(BusinessMembership, MEMBER_FIELDS, buffers[BusinessMembership])
        writer.write(Application, APPLICATION_FIELDS, buffers[Application])
        writer.write(Registration, REGISTRATION_FIELDS, registrations)
        first = writer.ids(LedgerEntry, len(ledger))
        writer.write(LedgerEntry, ["id", *LEDGER_FIELDS], ((first + i, *row) for i, row in enumerate(ledger)))
        for rows in (*buffers.values(), registrations, ledger):
            rows.clear()
        return time.perf_counter() - began

    for index in range(size):
        business_id = first_business + index
        company = _company(rng, COUNTRY[ctx.countries[index]], "it" if index == 1 else None)
        day = ctx.day_between(oldest, ctx.today - timedelta(days=2))
        if index in created_by:
            day = max(min(day, created_by[index]), oldest)
        created = ctx.daytime(day)
        currency = ctx.seller(company.country.code).currency
        # People: the one who applied is the business superuser; the others are invited later.
        people = []
        domain = f"{slugify(company.name)[:40]}-{business_id}.test"
        for n in range(1 + extras[index]):
            language = company.language if n == 0 or rng.random() < 0.8 else "en"
            first = company.first if n == 0 else rng.choice(FIRST_NAMES[language])
            last = company.last if n == 0 else rng.choice(LAST_NAMES[language])
            joined = created if n == 0 else created + (ctx.now - created) * rng.random() * 0.5
            email = f"{slugify(first)}.{slugify(last)}{'' if n == 0 else f'.{n}'}@{domain}"
            usable = n == 0 or rng.random() < 0.85  # the others set their password from the invitation
            password = ctx.password if usable else _unusable(rng)
            buffers[User].append(
                (user_id, password, None, False, email, first, last, language, [], False, True, joined)
            )
            role = BusinessRole.SUPERUSER if n == 0 else rng.choice((BusinessRole.ADMIN, *[BusinessRole.MEMBER] * 4))
            buffers[BusinessMembership].append((first_member + user_id - first_user, joined, joined, user_id,
                                                business_id, role))  # fmt: skip
            if usable:
                moment = min(joined + timedelta(minutes=rng.randint(5, 48 * 60)), ctx.now)
                ctx.events.append(Event(moment, "password.set", index, (user_id,)))
            people.append(user_id)
            user_id += 1
        business = BusinessSeed(
            id=business_id, name=company.name, country=company.country.code, language=company.language,
            currency=currency, vat_number=company.vat_number, street=company.street,
            postal_code=company.postal_code, city=company.city, created=created, owner_id=people[0], user_ids=people,
        )  # fmt: skip
        ctx.businesses.append(business)
        # The application that made the business, approved by a validation agent.
        submitted = created - timedelta(minutes=rng.randint(60, 4 * 24 * 60))
        agent_id, agent_email = ctx.staff_member("validation")
        application_id = first_application + index
        buffers[Application].append((
            application_id, submitted, created, _token(rng), ApplicationStatus.APPROVED, company.first, company.last,
            buffers[User][-len(people)][4], f"+{company.country.phone} {rng.randint(100_000_000, 999_999_999)}",
            company.language, company.name, company.street, company.postal_code, company.city, company.country.code,
            bool(company.vat_number), company.vat_number, {}, True, "", ctx.business_terms_version,
            ctx.privacy_version, submitted, submitted, deadlines.after(submitted), "", "", created, agent_id,
            business_id,
        ))  # fmt: skip
        ctx.events.append(Event(submitted, "application.submit", index, (application_id, company.name)))
        ctx.events.append(Event(created, "application.approve", index, (
            application_id, company.name, business_id, agent_id, agent_email,
        )))  # fmt: skip
        # Registrations and their points, in the order they were made.
        moves = _registrations(ctx, business, counts[index], targets.get(index, 0), registration_id, pick,
                               registrations, ledger)  # fmt: skip
        registration_id += counts[index]
        balance = 0
        for moment, amount in sorted(moves):
            balance += amount
            if business.invited_at is None and amount > 0 and balance >= threshold:
                business.invited_at = moment
                ctx.events.append(Event(moment, "business.invited", index, (balance,)))
        business.balance = balance
        buffers[Business].append((
            business_id, created, max(created, business.invited_at or created), company.name, company.street,
            company.postal_code, company.city, company.country.code, company.vat_number, company.language, currency,
            "", balance, business.invited_at, "",
        ))  # fmt: skip
        if len(registrations) >= FLUSH_EVERY:
            writing += flush()
    writing += flush()
    progress.steps["generating businesses and registrations"] = time.perf_counter() - started - writing


def _product_picker(ctx: Context) -> Callable[[date], ProductInfo]:
    """A model drawn by popularity among those launched by `day`."""
    rng, products = ctx.rng, ctx.products
    weights = list(accumulate(product.weight for product in products))
    oldest = add_years(ctx.today, -4)
    old = [product for product in products if product.launch is None or product.launch <= oldest] or products
    old_weights = list(accumulate(product.weight for product in old))

    def pick(day: date) -> ProductInfo:
        product = products[bisect(weights, rng.random() * weights[-1])]
        if product.launch is not None and product.launch > day:
            product = old[bisect(old_weights, rng.random() * old_weights[-1])]
        return product

    return pick


@dataclass(slots=True)
class _Draft:
    moment: datetime
    product: ProductInfo
    missing: str  # the detail left out ("dealer", "date") or ""


def _registrations(
    ctx: Context,
    business: BusinessSeed,
    count: int,
    target: int,
    first_id: int,
    pick: Callable[[date], ProductInfo],
    rows: list[tuple],
    ledger: list[tuple],
) -> list[tuple[datetime, int]]:
    """The business's registrations and ledger entries, as registration_create and the
    end-of-support job leave them; a member business's reach its tier's points (`target`).
    Returns the points moves (moment, amount)."""
    rng, now, today = ctx.rng, ctx.now, ctx.today
    span = (now - business.created).total_seconds()
    first_month = min(span, 30 * 86400)
    drafts = []
    for _registration in range(count):
        # Many products are registered in the first weeks, the rest over the years since.
        seconds = rng.random() * (first_month if rng.random() < 0.35 else span)
        moment = min(business.created + timedelta(seconds=seconds), now - timedelta(seconds=rng.randint(60, 600)))
        draw = rng.random()
        missing = "dealer" if draw < MISSING_DEALER else "date" if draw < MISSING_DEALER + MISSING_DATE else ""
        drafts.append(_Draft(moment, pick(moment.date()), missing))

    def credited(draft: _Draft) -> int:
        product = draft.product
        ended = product.end_of_support is not None and product.end_of_support < today
        return 0 if draft.missing or ended else product.points

    total = sum(credited(draft) for draft in drafts)
    if total < target:
        for draft in sorted(drafts, key=credited):
            if total >= target:
                break
            total -= credited(draft)
            draft.product, draft.missing = rng.choice(ctx.boost), ""
            total += credited(draft)
        if total < target:
            raise ScaleSeedError(f"A member business could not reach {target} points with {count} registrations.")
    drafts.sort(key=lambda draft: draft.moment)
    moves = []
    for offset, draft in enumerate(drafts):
        moment, product, missing = draft.moment, draft.product, draft.missing
        pk = first_id + offset
        serial = SERIAL_FORMATS[product.serial_kind](pk)
        day = moment.date()
        purchase = None
        if missing != "date":
            purchase = day - timedelta(days=min(int(rng.expovariate(1 / 200)), 3000))
            if product.launch is not None and purchase < product.launch:
                purchase = product.launch if product.launch <= day else day
        bought_in = business.country if rng.random() < 0.92 else rng.choice(COUNTRIES).code
        dealer = "" if missing == "dealer" else rng.choice(DEALERS.get(bought_in, OTHER_DEALERS))
        creator = business.owner_id if rng.random() < 0.8 else rng.choice(business.user_ids)
        status, value, credit, updated = RegistrationStatus.INCOMPLETE, product.points, 0, moment
        reference = f"registration:{pk} {product.name} {serial}"[:200]  # as products.services names it
        if not missing:
            status, credit = RegistrationStatus.COMPLETE, value
            if value:
                ledger.append((business.id, value, LedgerReason.REGISTRATION, pk, reference, "", creator, moment))
                moves.append((moment, value))
            ended = product.end_of_support
            if ended is not None and ended < today:
                # The daily end-of-support job took the points back the night after (or after it was registered).
                debit_day = max(ended, day) + timedelta(days=1)
                debited = ctx.at(debit_day, 0, rng.randint(1, 59))
                if debited < now:
                    status, credit, updated = RegistrationStatus.END_OF_SUPPORT, 0, debited
                    if value:
                        ledger.append((business.id, -value, LedgerReason.END_OF_SUPPORT, pk, reference, "", None,
                                       debited))  # fmt: skip
                        moves.append((debited, -value))
        rows.append((pk, moment, updated, serial, purchase, bought_in, dealer, status, value, credit, "",
                     business.id, creator, product.id))  # fmt: skip
    return moves


def _applications_write(ctx: Context) -> None:
    """Applications still in the validation queue (about 1 % of the businesses, some past their
    deadline) and rejected ones, which made no business."""
    rng, size = ctx.rng, ctx.options.businesses
    waiting, rejected = max(3, size // 100), max(1, size // 40)
    first = ctx.writer.ids(Application, waiting + rejected)
    deadlines = _Deadlines(ctx)
    rows: list[tuple] = []
    for offset in range(waiting + rejected):
        pk = first + offset
        company = _company(rng, _country(rng))
        index = rng.randrange(len(ctx.businesses))  # events are filed under some business; only their time counts
        open_ = offset < waiting
        if open_:
            submitted = ctx.now - timedelta(minutes=rng.randint(10, 12 * 24 * 60))
        else:
            submitted = ctx.daytime(ctx.day_between(ctx.window_start, ctx.today - timedelta(days=3)))
        status, message, reason, decided, agent = ApplicationStatus.SUBMITTED, "", "", None, None
        draw = rng.random()
        if not open_:
            status, decided = ApplicationStatus.REJECTED, submitted + timedelta(hours=rng.randint(2, 40))
            reason = "The documents do not show the company name and VAT number."
            agent = ctx.staff_member("validation")
            ctx.events.append(Event(decided, "application.reject", index, (pk, company.name, *agent, reason)))
        elif draw < 0.2:
            status, agent = ApplicationStatus.IN_REVIEW, ctx.staff_member("validation")
        elif draw < 0.3:
            status = ApplicationStatus.INFO_REQUESTED
            message = "Please upload a VAT certificate that shows the company name."
        ctx.events.append(Event(submitted, "application.submit", index, (pk, company.name)))
        email = f"{slugify(company.first)}.{slugify(company.last)}.{pk}@{slugify(company.name)[:40]}.test"
        rows.append((
            pk, submitted, decided or submitted, _token(rng), status, company.first, company.last, email,
            f"+{company.country.phone} {rng.randint(100_000_000, 999_999_999)}", company.language, company.name,
            company.street, company.postal_code, company.city, company.country.code, bool(company.vat_number),
            company.vat_number, {}, True, "", ctx.business_terms_version, ctx.privacy_version, submitted, submitted,
            deadlines.after(submitted), message, reason, decided, agent[0] if agent else None, None,
        ))  # fmt: skip
    ctx.writer.write(Application, APPLICATION_FIELDS, rows)
