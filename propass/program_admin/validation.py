"""Whether the program's data makes a program that works: `program_validate` reads only
what it is given, so an edit can be checked before it is saved."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise

from django.utils.translation import gettext as _
from django_countries import countries

from propass.billing.models import SellerEntity, VatRate
from propass.billing.vat import EU, seller_among
from propass.core.models import LegalText, LegalTextKind, Program
from propass.core.selectors import program_current
from propass.memberships.benefits import benefit_line
from propass.memberships.enums import KIND_PARAMETERS, REQUIRED_PARAMETER, TierFamily
from propass.memberships.models import Benefit, Tier, TierBenefit, TierPrice
from propass.onboarding.enums import NON_VAT_DOCUMENTS, VAT_DOCUMENTS

NON_FIELD = "__all__"
# The settings `program_update` changes; the rest of the row is bookkeeping.
PROGRAM_FIELDS = (
    "name", "short_name", "sender_name", "sender_email", "operator_country", "validation_sla_days",
    "participating_countries", "accepted_document_types", "set_password_link_hours", "max_upload_mb",
    "business_invoice_max_age_days", "invitation_threshold", "payment_grace_days", "refund_window_days",
)  # fmt: skip
TIER_FIELDS = ("name", "family", "min_points", "position", "active")
TERMS = (1, 2, 3)
REFUND_WINDOW_MAX_DAYS = 365


@dataclass(frozen=True)
class Problem:
    """One inconsistency. `key` names it independently of the wording (so the same problem
    with other numbers is still the same problem); `field` is the form field it is about."""

    key: tuple[str, ...]
    message: str
    field: str = NON_FIELD


@dataclass
class ProgramState:
    """Everything `program_validate` looks at, as stored or as an edit proposes it."""

    program: Program
    tiers: list[Tier]
    prices: list[TierPrice]
    sellers: list[SellerEntity]
    vat_rates: list[VatRate]
    legal_texts: list[LegalText]
    benefits: list[Benefit] = field(default_factory=list)
    tier_benefits: list[TierBenefit] = field(default_factory=list)

    def problems(self) -> list[Problem]:
        return program_problems(
            program=self.program,
            tiers=self.tiers,
            prices=self.prices,
            sellers=self.sellers,
            vat_rates=self.vat_rates,
            legal_texts=self.legal_texts,
            benefits=self.benefits,
            tier_benefits=self.tier_benefits,
        )


def program_state() -> ProgramState:
    """The stored program with its tiers, prices, sellers, VAT rates, legal texts, benefits
    and what each tier gives (8 queries)."""
    return ProgramState(
        program=program_current(),
        tiers=list(Tier.objects.order_by("position", "min_points", "code")),
        prices=list(TierPrice.objects.order_by("tier_id", "currency", "term_years")),
        sellers=list(SellerEntity.objects.order_by("code")),
        vat_rates=list(VatRate.objects.order_by("country")),
        legal_texts=list(LegalText.objects.order_by("kind", "-published_at", "-pk")),
        benefits=list(Benefit.objects.order_by("position", "code")),
        tier_benefits=list(TierBenefit.objects.order_by("tier_id", "benefit_id")),
    )


def program_validate(
    *,
    program: Program,
    tiers: Sequence[Tier],
    prices: Sequence[TierPrice],
    sellers: Sequence[SellerEntity],
    vat_rates: Sequence[VatRate],
    legal_texts: Sequence[LegalText],
    benefits: Sequence[Benefit] = (),
    tier_benefits: Sequence[TierBenefit] = (),
) -> list[str]:
    """What is wrong with a program made of this data, in the reader's language; an empty
    list means it is consistent. Reads nothing from the database, so an edit can be checked
    before it is saved."""
    return [
        problem.message
        for problem in program_problems(
            program=program, tiers=tiers, prices=prices, sellers=sellers, vat_rates=vat_rates,
            legal_texts=legal_texts, benefits=benefits, tier_benefits=tier_benefits,
        )
    ]  # fmt: skip


def program_problems(
    *,
    program: Program,
    tiers: Sequence[Tier],
    prices: Sequence[TierPrice],
    sellers: Sequence[SellerEntity],
    vat_rates: Sequence[VatRate],
    legal_texts: Sequence[LegalText],
    benefits: Sequence[Benefit] = (),
    tier_benefits: Sequence[TierBenefit] = (),
) -> list[Problem]:
    """`program_validate` with each problem's identity and form field."""
    return [
        *_settings_problems(program),
        *_tier_problems(program, tiers, prices, sellers),
        *_country_problems(program, sellers, vat_rates),
        *_legal_text_problems(legal_texts),
        *_benefit_problems(tiers, benefits, tier_benefits),
    ]


def _settings_problems(program: Program) -> list[Problem]:
    problems = []
    if program.validation_sla_days < 1:
        problems.append(
            Problem(("sla",), _("The validation time must be at least one business day."), "validation_sla_days")
        )
    if program.refund_window_days > REFUND_WINDOW_MAX_DAYS:
        problems.append(
            Problem(
                ("refund_window",),
                _("A refund window of %(days)s days is longer than a year.") % {"days": program.refund_window_days},
                "refund_window_days",
            )
        )
    accepted = set(program.accepted_document_types or [])
    if not accepted:
        problems.append(
            Problem(("documents",), _("At least one document type must be accepted."), "accepted_document_types")
        )
    else:
        if not accepted & set(VAT_DOCUMENTS):
            problems.append(
                Problem(
                    ("documents_vat",),
                    _(
                        "VAT-registered applicants could not send any document: accept a VAT certificate or a "
                        "commercial invoice."
                    ),
                    "accepted_document_types",
                )
            )
        if not accepted & set(NON_VAT_DOCUMENTS):
            problems.append(
                Problem(
                    ("documents_non_vat",),
                    _(
                        "Applicants without a VAT number could not send any document: accept a business invoice, a "
                        "licence or a chamber of commerce certificate."
                    ),
                    "accepted_document_types",
                )
            )
    if not program.participating_countries:
        problems.append(Problem(("countries",), _("No country takes part in the program."), "participating_countries"))
    return problems


def _tier_problems(
    program: Program, tiers: Sequence[Tier], prices: Sequence[TierPrice], sellers: Sequence[SellerEntity]
) -> list[Problem]:
    problems = []
    on_sale = sorted(
        (tier for tier in tiers if tier.active), key=lambda tier: (tier.position, tier.min_points, tier.code)
    )
    names = {tier.pk: tier.name for tier in tiers if tier.pk is not None}
    if not on_sale:
        problems.append(Problem(("no_tier",), _("No tier is on sale."), "active"))
    threshold = program.invitation_threshold
    for tier in on_sale:
        if tier.min_points < threshold:
            problems.append(
                Problem(
                    ("below_threshold", tier.code),
                    _("%(tier)s starts at %(points)s points, below the invitation threshold of %(threshold)s points.")
                    % {"tier": tier.name, "points": tier.min_points, "threshold": threshold},
                    "min_points",
                )
            )
    # The standard tiers are a ladder of levels, each opened by more points; the Corporate
    # tiers open together above one threshold and differ by size (PRODUCT.md §7).
    by_minimum: dict[int, list[Tier]] = defaultdict(list)
    for tier in on_sale:
        if tier.family == TierFamily.STANDARD:
            by_minimum[tier.min_points].append(tier)
    for minimum, same in sorted(by_minimum.items()):
        for first, other in pairwise(same):
            problems.append(
                Problem(
                    ("same_minimum", *sorted((first.code, other.code))),
                    _("%(tier)s and %(other)s both start at %(points)s points.")
                    % {"tier": first.name, "other": other.name, "points": minimum},
                    "min_points",
                )
            )
    terms: dict[tuple[int | None, str], set[int]] = defaultdict(set)
    for price in prices:
        terms[(price.tier_id, price.currency)].add(price.term_years)
        if price.amount is None or price.amount <= 0:
            problems.append(
                Problem(
                    ("price_not_positive", str(price.tier_id), price.currency, str(price.term_years)),
                    _("The %(years)s-year price of %(tier)s in %(currency)s must be more than zero.")
                    % {"years": price.term_years, "tier": names.get(price.tier_id, "?"), "currency": price.currency},
                    "amount",
                )
            )
    for currency in sorted({seller.currency for seller in sellers}):
        for tier in on_sale:
            offered = terms.get((tier.pk, currency), set()) if tier.pk is not None else set()
            if not offered:
                problems.append(
                    Problem(
                        ("no_price", tier.code, currency),
                        _("%(tier)s has no price in %(currency)s.") % {"tier": tier.name, "currency": currency},
                        "active",
                    )
                )
            elif 1 not in offered:
                problems.append(
                    Problem(
                        ("no_yearly_price", tier.code, currency),
                        _("%(tier)s has no 1-year price in %(currency)s.") % {"tier": tier.name, "currency": currency},
                        "active",
                    )
                )
    return problems


def _country_problems(program: Program, sellers: Sequence[SellerEntity], vat_rates: Sequence[VatRate]) -> list[Problem]:
    problems = []
    rated = {rate.country for rate in vat_rates}
    for country in program.participating_countries or []:
        named = f"{countries.name(country) or country} ({country})"
        # The same choice as billing.vat.seller_for, over data that may not be stored yet.
        seller = seller_among(sellers, country)
        if seller is None:
            problems.append(
                Problem(
                    ("no_seller", country),
                    _("No seller entity sells to %(country)s.") % {"country": named},
                    "participating_countries",
                )
            )
        # vat_decide charges EU buyers without a VAT number their own country's rate when
        # an EU seller in another country sells to them.
        elif country in EU and seller.country in EU and seller.country != country and country not in rated:
            problems.append(
                Problem(
                    ("no_vat_rate", country),
                    _("%(country)s has no VAT rate: its buyers without a VAT number pay their own country's VAT.")
                    % {"country": named},
                    "participating_countries",
                )
            )
    return problems


def _legal_text_problems(legal_texts: Sequence[LegalText]) -> list[Problem]:
    # legal_text_current shows the newest version, in the reader's language or in English.
    problems = []
    by_kind: dict[str, list[LegalText]] = defaultdict(list)
    for text in legal_texts:
        by_kind[text.kind].append(text)
    for kind in LegalTextKind:
        texts = by_kind.get(kind.value, [])
        if not texts:
            problems.append(
                Problem(("legal_text", kind.value), _("%(kind)s has no version in English.") % {"kind": kind.label})
            )
            continue
        newest = max(texts, key=lambda text: (text.published_at, text.pk or 0))
        if not any(text.version == newest.version and text.language == "en" for text in texts):
            problems.append(
                Problem(
                    ("legal_text", kind.value),
                    _("%(kind)s version %(version)s has no English text.")
                    % {"kind": kind.label, "version": newest.version},
                    "language",
                )
            )
    return problems


def _parameter_label(name: str) -> str:
    return str(getattr(TierBenefit._meta.get_field(name), "verbose_name", name))


def _parameter_given(tier_benefit: TierBenefit, name: str) -> bool:
    return bool(getattr(tier_benefit, name))  # 0 days, 0 uses, 0 % or no caps: not given


def _benefit_problems(
    tiers: Sequence[Tier], benefits: Sequence[Benefit], tier_benefits: Sequence[TierBenefit]
) -> list[Problem]:
    """Every benefit has an English name (the fallback of every language); a tier gives a
    benefit with the parameters of its kind and no others, a percent within 0-100, and at
    most one benefit of each kind (a repair has one turnaround, a quote one discount)."""
    problems = []
    for benefit in benefits:
        if not str((benefit.names or {}).get("en", "")).strip():
            problems.append(
                Problem(
                    ("benefit_name", benefit.code),
                    _("The benefit %(code)s has no name in English.") % {"code": benefit.code},
                    "name_en",
                )
            )
    by_pk = {each.pk: each for each in benefits}
    tiers_by_pk = {tier.pk: tier for tier in tiers}
    kinds: dict[tuple[Tier, str], list[Benefit]] = defaultdict(list)
    for given in tier_benefits:
        found, tier = by_pk.get(given.benefit_id), tiers_by_pk.get(given.tier_id)
        if found is None or tier is None:
            continue
        benefit = found
        kinds[(tier, benefit.kind)].append(benefit)
        names = {"tier": tier.name, "benefit": benefit.name_for()}
        applies = KIND_PARAMETERS.get(benefit.kind, ())
        required = REQUIRED_PARAMETER.get(benefit.kind)
        if required and not _parameter_given(given, required):
            problems.append(
                Problem(
                    ("benefit_parameter_missing", tier.code, benefit.code),
                    _("%(tier)s: %(benefit)s needs a value for “%(parameter)s”.")
                    % {**names, "parameter": _parameter_label(required)},
                    required,
                )
            )
        for name in ("days", "count", "percent", "caps", "per_body"):
            if name not in applies and _parameter_given(given, name):
                problems.append(
                    Problem(
                        ("benefit_parameter_unused", tier.code, benefit.code, name),
                        _("%(tier)s: “%(parameter)s” does not apply to %(benefit)s (%(kind)s).")
                        % {**names, "parameter": _parameter_label(name), "kind": benefit.get_kind_display()},
                        name,
                    )
                )
        if given.percent and not 0 < given.percent <= 100:
            problems.append(
                Problem(
                    ("benefit_percent", tier.code, benefit.code),
                    _("%(tier)s: the percent of %(benefit)s must be more than 0 and at most 100.") % names,
                    "percent",
                )
            )
    for (tier, kind), same in sorted(kinds.items(), key=lambda item: (item[0][0].code, item[0][1])):
        if len(same) > 1:
            problems.append(
                Problem(
                    ("benefit_kind_twice", tier.code, kind),
                    _("%(tier)s gives more than one benefit of the kind %(kind)s: %(benefits)s.")
                    % {
                        "tier": tier.name,
                        "kind": same[0].get_kind_display(),
                        "benefits": ", ".join(benefit.name_for() for benefit in same),
                    },
                    "benefit",
                )
            )
    return problems


@dataclass(frozen=True)
class PriceRow:
    tier: Tier
    cells: list[TierPrice | None]  # one per column of the grid


def price_grid(state: ProgramState) -> tuple[list[tuple[str, int]], list[PriceRow]]:
    """Every tier's prices as a grid: one column per currency (the sellers' first) and term."""
    selling = sorted({seller.currency for seller in state.sellers})
    others = sorted({price.currency for price in state.prices} - set(selling))
    columns = [(currency, years) for currency in [*selling, *others] for years in TERMS]
    prices = {(price.tier_id, price.currency, price.term_years): price for price in state.prices}
    rows = [
        PriceRow(tier=tier, cells=[prices.get((tier.pk, currency, years)) for currency, years in columns])
        for tier in state.tiers
    ]
    return columns, rows


@dataclass(frozen=True)
class BenefitGridRow:
    benefit: Benefit
    cells: list[str | None]  # per tier: what it gives (its summary, "" for no parameters), None: not given


def _given(state: ProgramState) -> dict[tuple[int | None, int | None], TierBenefit]:
    benefits = {benefit.pk: benefit for benefit in state.benefits}
    given: dict[tuple[int | None, int | None], TierBenefit] = {}
    for tier_benefit in state.tier_benefits:
        if tier_benefit.benefit_id in benefits:
            tier_benefit.benefit = benefits[tier_benefit.benefit_id]  # the state's copy, no query
            given[(tier_benefit.tier_id, tier_benefit.benefit_id)] = tier_benefit
    return given


def benefit_grid(state: ProgramState) -> list[BenefitGridRow]:
    """Every benefit against every tier, in the reader's language; money caps in the first
    sellers' currency (the tier page has them all)."""
    currency = min((seller.currency for seller in state.sellers), default="")
    given = _given(state)
    rows = []
    for benefit in state.benefits:
        cells: list[str | None] = []
        for tier in state.tiers:
            tier_benefit = given.get((tier.pk, benefit.pk))
            cells.append(None if tier_benefit is None else benefit_line(tier_benefit, currency=currency).summary)
        rows.append(BenefitGridRow(benefit=benefit, cells=cells))
    return rows


@dataclass(frozen=True)
class TierBenefitRow:
    benefit: Benefit
    given: TierBenefit | None
    parameters: tuple[str, ...]  # the fields the benefit's kind takes
    caps: list[tuple[str, str]]  # (currency, cap or "") for every currency of the program


def tier_benefit_rows(state: ProgramState, tier: Tier) -> list[TierBenefitRow]:
    """Every benefit of the program for one tier's page: given or not, with its parameters."""
    currencies = sorted(
        {seller.currency for seller in state.sellers}
        | {price.currency for price in state.prices}
        | {currency for given in state.tier_benefits for currency in (given.caps or {})}
    )
    given = _given(state)
    rows = []
    for benefit in state.benefits:
        tier_benefit = given.get((tier.pk, benefit.pk))
        parameters = KIND_PARAMETERS.get(benefit.kind, ())
        caps = (tier_benefit.caps or {}) if tier_benefit is not None else {}
        cap_cells = [(currency, str(caps.get(currency, ""))) for currency in currencies] if "caps" in parameters else []
        rows.append(TierBenefitRow(benefit=benefit, given=tier_benefit, parameters=parameters, caps=cap_cells))
    return rows
