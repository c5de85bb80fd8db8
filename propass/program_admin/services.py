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
from propass.memberships.models import Tier, TierPrice
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


def _benefits_clean(benefits: Any) -> dict[str, list[str]]:
    languages = dict(settings.LANGUAGES)
    if not isinstance(benefits, dict) or any(language not in languages for language in benefits):
        raise InvalidInput(fields={"benefits": [_("Give the benefits per language of the program.")]})
    cleaned = {}
    for language, lines in benefits.items():
        items = [line.strip() for line in ([lines] if isinstance(lines, str) else lines or []) if line.strip()]
        if items:
            cleaned[language] = items
    return cleaned


def tier_save(
    *,
    actor: User,
    code: str,
    name: str,
    family: str,
    min_points: int,
    position: int,
    active: bool,
    benefits: dict[str, list[str]],
    new: bool = False,
) -> Tier:
    """Create a tier (`new`: its code must be free) or change the one with this code;
    refused with the problems when the program would no longer be consistent (a new tier
    goes on sale once it has its prices). Audited with the tier before and after."""
    code = code.strip().lower()
    benefits = _benefits_clean(benefits)
    with transaction.atomic():
        before = _locked_state()
        stored = Tier.objects.select_for_update().filter(code=code).first()
        if new and stored is not None:
            raise Conflict(fields={"code": [_("Another tier has this code.")]})
        tier = copy.copy(stored) if stored is not None else Tier(code=code)
        tier.name, tier.family, tier.min_points = name.strip(), family, min_points
        tier.position, tier.active, tier.benefits = position, active, benefits
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
    after = ProgramState(
        program=before.program, tiers=before.tiers, prices=before.prices, sellers=[*others, seller],
        vat_rates=before.vat_rates, legal_texts=before.legal_texts,
    )  # fmt: skip
    _refuse_new_problems(before, after)
