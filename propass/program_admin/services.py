"""The edits of program administration. Each loads the whole program under one lock, applies
the edit to a copy and refuses it when the result has a problem the program did not have
before; a problem that was already there (an old install, an edit in the raw data
administration) does not block the edits that fix it one at a time."""

import copy
from collections import defaultdict
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_countries import countries

from propass.accounts.models import User
from propass.billing.models import SellerEntity, VatRate
from propass.core.enums import AuditAction
from propass.core.errors import Conflict, InvalidInput, NotFound
from propass.core.models import LegalText, LegalTextKind, Program
from propass.core.selectors import program_current
from propass.core.services import audit_record
from propass.memberships.enums import BenefitKind
from propass.memberships.models import AllowanceEntry, Benefit, Tier, TierBenefit, TierPrice
from propass.onboarding.enums import DocumentType
from propass.program_admin.validation import (
    PROGRAM_FIELDS,
    TERMS,
    TIER_FIELDS,
    ProgramState,
    program_state,
)


def _locked_state() -> ProgramState:
    """The stored program with its row locked: every program edit takes this lock first, so
    two edits that are each fine cannot together leave the program inconsistent."""
    program = Program.objects.select_for_update().get(pk=program_current().pk)
    state = program_state()
    state.program = program
    return state


def _refuse_new_problems(before: ProgramState, after: ProgramState) -> None:
    known = {problem.key for problem in before.problems()}
    new = [problem for problem in after.problems() if problem.key not in known]
    if not new:
        return
    fields: dict[str, list[str]] = defaultdict(list)
    for problem in new:
        fields[problem.field].append(problem.message)
    raise InvalidInput(
        _("The program would not be consistent: %(problems)s"),
        code="inconsistent_program",
        fields=dict(fields),
        problems=" ".join(problem.message for problem in new),
    )


def _clean(instance: models.Model, **kwargs: Any) -> None:
    try:
        instance.full_clean(**kwargs)
    except ValidationError as error:
        fields = {name: [str(m) for m in messages] for name, messages in error.message_dict.items()}
        raise InvalidInput(fields=fields) from None


def _jsonable(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value


def _country_codes(codes: Any, field: str) -> list[str]:
    known = dict(countries)
    cleaned = sorted({str(code).strip().upper() for code in codes or []})
    unknown = [code for code in cleaned if code not in known]
    if unknown:
        raise InvalidInput(fields={field: [_("Unknown country codes: %(codes)s.") % {"codes": ", ".join(unknown)}]})
    return cleaned


def program_update(*, actor: User, **fields: Any) -> Program:
    """Change the program's settings; refused with the problems when the program would no
    longer be consistent. Audited with the changed settings before and after."""
    unknown = sorted(set(fields) - set(PROGRAM_FIELDS))
    if unknown:
        raise InvalidInput(_("These settings cannot be changed here: %(names)s."), fields={}, names=", ".join(unknown))
    if "participating_countries" in fields:
        fields["participating_countries"] = _country_codes(fields["participating_countries"], "participating_countries")
    if "operator_country" in fields:
        fields["operator_country"] = _country_codes([fields["operator_country"]], "operator_country")[0]
    if "accepted_document_types" in fields:
        types = list(dict.fromkeys(fields["accepted_document_types"] or []))
        unknown_types = [kind for kind in types if kind not in DocumentType.values]
        if unknown_types:
            message = _("Unknown document types: %(types)s.") % {"types": ", ".join(unknown_types)}
            raise InvalidInput(fields={"accepted_document_types": [message]})
        fields["accepted_document_types"] = [kind for kind in DocumentType.values if kind in types]
    with transaction.atomic():
        before = _locked_state()
        program = copy.copy(before.program)
        changed = {name: value for name, value in fields.items() if getattr(program, name) != value}
        if not changed:
            return before.program
        for name, value in changed.items():
            setattr(program, name, value)
        _clean(program, exclude=["participating_countries", "accepted_document_types"])
        _refuse_new_problems(before, replace(before, program=program))
        program.save(update_fields=[*changed, "updated_at"])
        audit_record(
            actor=actor,
            action=AuditAction.PROGRAM_UPDATE,
            target=program,
            data={
                "before": {name: _jsonable(getattr(before.program, name)) for name in changed},
                "after": {name: _jsonable(value) for name, value in changed.items()},
            },
        )
    return program


def _tier_data(tier: Tier | None) -> dict[str, Any] | None:
    return None if tier is None else {"code": tier.code, **{name: getattr(tier, name) for name in TIER_FIELDS}}


def tier_save(
    *,
    actor: User,
    code: str,
    name: str,
    family: str,
    min_points: int,
    position: int,
    active: bool,
    new: bool = False,
) -> Tier:
    """Create a tier (`new`: its code must be free) or change the one with this code;
    refused with the problems when the program would no longer be consistent (a new tier
    goes on sale once it has its prices). Audited with the tier before and after."""
    code = code.strip().lower()
    with transaction.atomic():
        before = _locked_state()
        stored = Tier.objects.select_for_update().filter(code=code).first()
        if new and stored is not None:
            raise Conflict(fields={"code": [_("Another tier has this code.")]})
        tier = copy.copy(stored) if stored is not None else Tier(code=code)
        tier.name, tier.family, tier.min_points = name.strip(), family, min_points
        tier.position, tier.active = position, active
        _clean(tier, validate_unique=stored is None)
        _refuse_new_problems(before, replace(before, tiers=_with(before.tiers, stored, tier)))
        if stored is not None and _tier_data(stored) == _tier_data(tier):
            return stored
        tier.save()
        audit_record(
            actor=actor,
            action=AuditAction.TIER_UPDATE,
            target=tier,
            data={"before": _tier_data(stored), "after": _tier_data(tier)},
        )
    return tier


def _tier_for(code: str) -> Tier:
    tier = Tier.objects.filter(code=code).first()
    if tier is None:
        raise NotFound(_("No tier has the code %(code)s."), code=code)
    return tier


def _currency_clean(currency: str) -> str:
    currency = currency.strip().upper()
    if len(currency) != 3 or not currency.isalpha() or not currency.isascii():
        raise InvalidInput(fields={"currency": [_("Give the currency as its three-letter ISO code, e.g. EUR.")]})
    return currency


def _term_clean(term_years: int) -> int:
    if term_years not in TERMS:
        raise InvalidInput(fields={"term_years": [_("A term is 1, 2 or 3 years.")]})
    return term_years


def _with(rows: list[Any], old: Any, new: Any) -> list[Any]:
    """`rows` with `old` taken out (when there is one) and `new` put in (when there is one)."""
    return [*(row for row in rows if old is None or row.pk != old.pk), *([new] if new is not None else [])]


def _price_locked(tier_code: str, currency: str, term_years: int) -> tuple[Tier, TierPrice | None]:
    tier = _tier_for(tier_code)
    price = TierPrice.objects.select_for_update().filter(tier=tier, currency=currency, term_years=term_years).first()
    return tier, price


def _price_audit(actor: User, action: AuditAction, old: TierPrice | None, new: TierPrice | None) -> None:
    price = new or old
    assert price is not None
    audit_record(
        actor=actor,
        action=action,
        target=price,
        data={
            "tier": price.tier.code,
            "currency": price.currency,
            "term_years": price.term_years,
            "before": {"amount": str(old.amount)} if old is not None else None,
            "after": {"amount": str(new.amount)} if new is not None else None,
        },
    )


def tier_price_save(*, actor: User, tier_code: str, currency: str, term_years: int, amount: Decimal) -> TierPrice:
    """Set the price excluding VAT of a tier for a currency and a term; refused with the
    problems when the program would no longer be consistent (e.g. a price of zero).
    Audited with the amount before and after."""
    currency, term_years = _currency_clean(currency), _term_clean(term_years)
    try:
        amount = Decimal(amount)
    except (InvalidOperation, TypeError, ValueError):
        raise InvalidInput(fields={"amount": [_("Enter an amount, e.g. 85.00.")]}) from None
    with transaction.atomic():
        before = _locked_state()
        tier, stored = _price_locked(tier_code, currency, term_years)
        price = copy.copy(stored) if stored else TierPrice(tier=tier, currency=currency, term_years=term_years)
        price.amount = amount
        _clean(price, validate_unique=False)
        _refuse_new_problems(before, replace(before, prices=_with(before.prices, stored, price)))
        if stored is not None and stored.amount == price.amount:
            return stored
        price.save()
        _price_audit(actor, AuditAction.PRICE_UPDATE, stored, price)
    return price


def tier_price_delete(*, actor: User, tier_code: str, currency: str, term_years: int) -> None:
    """Stop offering a tier for a currency and term; refused when a tier on sale would be
    left without a price its buyers need. Audited with the amount it had."""
    currency, term_years = _currency_clean(currency), _term_clean(term_years)
    with transaction.atomic():
        before = _locked_state()
        _tier, stored = _price_locked(tier_code, currency, term_years)
        if stored is None:
            raise NotFound(_("This tier has no such price."))
        _refuse_new_problems(before, replace(before, prices=_with(before.prices, stored, None)))
        _price_audit(actor, AuditAction.PRICE_DELETE, stored, None)
        stored.delete()


def _rate_clean(rate: Decimal) -> Decimal:
    try:
        rate = Decimal(rate)
    except (InvalidOperation, TypeError, ValueError):
        rate = Decimal(-1)
    if not Decimal(0) <= rate < Decimal(100):
        raise InvalidInput(fields={"rate": [_("A VAT rate is a percentage from 0 to 99.99.")]})
    return rate


def _vat_audit(actor: User, action: AuditAction, old: VatRate | None, new: VatRate | None) -> None:
    vat = new or old
    assert vat is not None
    audit_record(
        actor=actor,
        action=action,
        target=vat,
        data={
            "country": vat.country,
            "before": {"rate": str(old.rate)} if old is not None else None,
            "after": {"rate": str(new.rate)} if new is not None else None,
        },
    )


def vat_rate_save(*, actor: User, country: str, rate: Decimal) -> VatRate:
    """Set the standard VAT rate of a country, charged to its buyers without a VAT number.
    Audited with the rate before and after."""
    country = _country_codes([country], "country")[0]
    rate = _rate_clean(rate)
    with transaction.atomic():
        before = _locked_state()
        stored = VatRate.objects.select_for_update().filter(country=country).first()
        vat = copy.copy(stored) if stored is not None else VatRate(country=country)
        vat.rate = rate
        _clean(vat, validate_unique=False)
        _refuse_new_problems(before, replace(before, vat_rates=_with(before.vat_rates, stored, vat)))
        if stored is not None and stored.rate == vat.rate:
            return stored
        vat.save()
        _vat_audit(actor, AuditAction.VAT_UPDATE, stored, vat)
    return vat


def vat_rate_delete(*, actor: User, country: str) -> None:
    """Remove a country's VAT rate; refused while buyers of a participating country need it."""
    country = country.strip().upper()
    with transaction.atomic():
        before = _locked_state()
        stored = VatRate.objects.select_for_update().filter(country=country).first()
        if stored is None:
            raise NotFound(_("This country has no VAT rate."))
        _refuse_new_problems(before, replace(before, vat_rates=_with(before.vat_rates, stored, None)))
        _vat_audit(actor, AuditAction.VAT_DELETE, stored, None)
        stored.delete()


def legal_text_publish(*, actor: User, kind: str, language: str, version: str, title: str, body: str) -> LegalText:
    """Publish a new version of a legal text in one language, in force from now; a published
    version is never edited, and the English text of a new version comes first (readers of
    a language without it see the English one). Audited with the version it replaces."""
    version, title, body = version.strip(), title.strip(), body.strip().replace("\r\n", "\n")
    errors: dict[str, list[str]] = {}
    if kind not in LegalTextKind.values:
        errors["kind"] = [_("Choose a kind of legal text.")]
    if language not in dict(settings.LANGUAGES):
        errors["language"] = [_("Choose one of the program's languages.")]
    for name, value in (("version", version), ("title", title), ("body", body)):
        if not value:
            errors[name] = [_("This field is required.")]
    if errors:
        raise InvalidInput(fields=errors)
    with transaction.atomic():
        before = _locked_state()
        if LegalText.objects.filter(kind=kind, version=version, language=language).exists():
            raise Conflict(
                _("Version %(version)s of this text is already published in this language: give the new text a new "
                  "version."),
                fields={"version": [_("This version is already published in this language.")]},
                version=version,
            )  # fmt: skip
        text = LegalText(
            kind=kind, version=version, language=language, title=title, body=body, published_at=timezone.now()
        )
        _clean(text, validate_unique=False)
        _refuse_new_problems(before, replace(before, legal_texts=[*before.legal_texts, text]))
        replaced = next((t for t in before.legal_texts if t.kind == kind and t.language == language), None)
        text.save()
        audit_record(
            actor=actor,
            action=AuditAction.LEGAL_TEXT_PUBLISH,
            target=text,
            data={
                "kind": kind,
                "language": language,
                "before": {"version": replaced.version, "title": replaced.title} if replaced is not None else None,
                "after": {"version": version, "title": title},
            },
        )
    return text


def seller_entity_check(*, seller: SellerEntity) -> None:
    """A seller entity as the data administration is about to save it (new or changed) must not
    make the program inconsistent (e.g. a currency without prices for the tiers on sale)."""
    before = program_state()
    others = [existing for existing in before.sellers if existing.pk != seller.pk or seller.pk is None]
    _refuse_new_problems(before, replace(before, sellers=[*others, seller]))


# Benefits ---------------------------------------------------------------------------------------

BENEFIT_FIELDS = ("kind", "names", "descriptions", "position")
TIER_BENEFIT_FIELDS = ("days", "count", "percent", "caps", "per_body")


def _texts_clean(texts: Any, field: str, *, lines: bool) -> dict[str, str]:
    """Texts per language of the program; empty ones dropped (the reader then sees English)."""
    languages = dict(settings.LANGUAGES)
    if not isinstance(texts, dict) or any(language not in languages for language in texts):
        raise InvalidInput(fields={field: [_("Give the texts per language of the program.")]})
    cleaned = {}
    for language, text in texts.items():
        text = str(text or "").replace("\r\n", "\n").strip() if lines else " ".join(str(text or "").split())
        if text:
            cleaned[language] = text
    return cleaned


def _benefit_data(benefit: Benefit | None) -> dict[str, Any] | None:
    if benefit is None:
        return None
    return {"code": benefit.code, **{name: getattr(benefit, name) for name in BENEFIT_FIELDS}}


def _benefit_kind_change_check(state: ProgramState, stored: Benefit) -> None:
    """What members used was counted the old kind's way, and each tier gave it with the old
    kind's parameters: the kind changes only before either happened."""
    givers = [
        tier.name
        for tier in state.tiers
        if any(given.tier_id == tier.pk and given.benefit_id == stored.pk for given in state.tier_benefits)
    ]
    if givers:
        message = _("%(tiers)s give this benefit: take it off these tiers before changing its kind.") % {
            "tiers": ", ".join(givers)
        }
        raise Conflict(fields={"kind": [message]})
    if AllowanceEntry.objects.filter(benefit=stored).exists():
        message = _("Members have used this benefit: its kind cannot change. Add a new benefit instead.")
        raise Conflict(fields={"kind": [message]})


def benefit_save(
    *,
    actor: User,
    code: str,
    kind: str,
    names: dict[str, str],
    descriptions: dict[str, str],
    position: int,
    new: bool = False,
) -> Benefit:
    """Create a benefit (`new`: its code must be free) or change the one with this code: its
    name and description per language, its kind and its place in the list. The kind changes
    only while no tier gives the benefit and no member has used it. Refused with the problems
    when the program would no longer be consistent (a benefit needs an English name);
    audited with the benefit before and after."""
    code = code.strip().lower()
    names = _texts_clean(names, "names", lines=False)
    descriptions = _texts_clean(descriptions, "descriptions", lines=True)
    if kind not in BenefitKind.values:
        raise InvalidInput(fields={"kind": [_("Choose a kind of benefit.")]})
    with transaction.atomic():
        before = _locked_state()
        stored = Benefit.objects.select_for_update().filter(code=code).first()
        if new and stored is not None:
            raise Conflict(fields={"code": [_("Another benefit has this code.")]})
        if stored is not None and stored.kind != kind:
            _benefit_kind_change_check(before, stored)
        benefit = copy.copy(stored) if stored is not None else Benefit(code=code)
        benefit.kind, benefit.names, benefit.descriptions, benefit.position = kind, names, descriptions, position
        _clean(benefit, exclude=["names", "descriptions"], validate_unique=stored is None)
        _refuse_new_problems(before, replace(before, benefits=_with(before.benefits, stored, benefit)))
        if stored is not None and _benefit_data(stored) == _benefit_data(benefit):
            return stored
        benefit.save()
        audit_record(
            actor=actor,
            action=AuditAction.BENEFIT_SAVE,
            target=benefit,
            data={"before": _benefit_data(stored), "after": _benefit_data(benefit)},
        )
    return benefit


def _benefit_for(code: str) -> Benefit:
    benefit = Benefit.objects.filter(code=code).first()
    if benefit is None:
        raise NotFound(_("No benefit has the code %(code)s."), code=code)
    return benefit


def _whole_clean(value: Any, field: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if number < 1:
        raise InvalidInput(fields={field: [_("Enter a whole number of at least 1.")]})
    return number


def _percent_clean(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise InvalidInput(fields={"percent": [_("Enter a percent, e.g. 15.")]}) from None


def _caps_clean(caps: Any) -> dict[str, str]:
    """A yearly cap per currency, as the ledger reads it: {"EUR": "300.00"}; empty ones dropped."""
    if not isinstance(caps, dict):
        raise InvalidInput(fields={"caps": [_("Give the caps per currency, e.g. EUR 300.00.")]})
    cleaned = {}
    for currency, amount in caps.items():
        if amount in (None, ""):
            continue
        code = str(currency).strip().upper()
        if len(code) != 3 or not code.isalpha() or not code.isascii():
            raise InvalidInput(fields={"caps": [_("Give the currency as its three-letter ISO code, e.g. EUR.")]})
        try:
            value = Decimal(str(amount)).quantize(Decimal("0.01"))
        except InvalidOperation:
            value = Decimal(0)
        if value <= 0:
            message = _("The yearly cap in %(currency)s must be an amount more than zero.") % {"currency": code}
            raise InvalidInput(fields={"caps": [message]})
        cleaned[code] = str(value)
    return dict(sorted(cleaned.items()))


def _tier_benefit_data(given: TierBenefit | None) -> dict[str, Any] | None:
    if given is None:
        return None
    return {name: _jsonable(getattr(given, name)) for name in TIER_BENEFIT_FIELDS}


def _tier_benefit_audit(actor: User, action: AuditAction, old: TierBenefit | None, new: TierBenefit | None) -> None:
    given = new or old
    assert given is not None
    audit_record(
        actor=actor,
        action=action,
        target=given.tier,
        data={
            "tier": given.tier.code,
            "benefit": given.benefit.code,
            "before": _tier_benefit_data(old),
            "after": _tier_benefit_data(new),
        },
    )


def tier_benefit_save(
    *,
    actor: User,
    tier_code: str,
    benefit_code: str,
    days: int | None = None,
    count: int | None = None,
    percent: Decimal | None = None,
    caps: dict[str, Any] | None = None,
    per_body: bool = False,
) -> TierBenefit:
    """A tier gives a benefit with the parameters of its kind: `days` (repair turnaround in
    business days, longest loan), `count` (uses per membership year, `per_body`: per registered
    camera body), `percent` and `caps` (repair discount, a yearly cap per currency). What
    members have left this year follows at once. Refused with the problems when the program
    would no longer be consistent (a parameter missing or not of the kind, two benefits of one
    kind); audited with the parameters before and after."""
    days, count = _whole_clean(days, "days"), _whole_clean(count, "count")
    percent, caps = _percent_clean(percent), _caps_clean(caps or {})
    with transaction.atomic():
        before = _locked_state()
        tier, benefit = _tier_for(tier_code), _benefit_for(benefit_code)
        stored = TierBenefit.objects.select_for_update().filter(tier=tier, benefit=benefit).first()
        given = copy.copy(stored) if stored is not None else TierBenefit(tier=tier, benefit=benefit)
        given.days, given.count, given.percent, given.caps, given.per_body = days, count, percent, caps, per_body
        _clean(given, exclude=["caps"], validate_unique=False)
        _refuse_new_problems(before, replace(before, tier_benefits=_with(before.tier_benefits, stored, given)))
        if stored is not None and _tier_benefit_data(stored) == _tier_benefit_data(given):
            return stored
        given.save()
        _tier_benefit_audit(actor, AuditAction.TIER_BENEFIT_SAVE, stored, given)
    return given


def tier_benefit_delete(*, actor: User, tier_code: str, benefit_code: str) -> None:
    """A tier stops giving a benefit (what members used of it stays in the ledger). Audited
    with the parameters it had."""
    with transaction.atomic():
        before = _locked_state()
        tier, benefit = _tier_for(tier_code), _benefit_for(benefit_code)
        stored = TierBenefit.objects.select_for_update().filter(tier=tier, benefit=benefit).first()
        if stored is None:
            raise NotFound(_("This tier does not give this benefit."))
        _refuse_new_problems(before, replace(before, tier_benefits=_with(before.tier_benefits, stored, None)))
        _tier_benefit_audit(actor, AuditAction.TIER_BENEFIT_DELETE, stored, None)
        stored.delete()
