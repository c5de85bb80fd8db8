"""The defaults of a fresh installation, installed by `propass setup`: the program and its
legal texts, the staff roles, the sellers and VAT rates, the tiers and their prices, the
support answer times and canned replies, and the FAQ. Every step only adds what is missing,
so running it again changes nothing and what the operator edited stays as it is. Nothing
else writes these defaults: reads such as `program_current` and `seller_for` only read."""

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from django.db import transaction

from propass.accounts.services import staff_groups_ensure
from propass.billing.models import SellerEntity, VatRate
from propass.core.models import LegalText, LegalTextKind, Program
from propass.faq.seed import faq_seed
from propass.memberships.enums import BenefitKind
from propass.memberships.models import Benefit, Tier, TierBenefit, TierPrice
from propass.onboarding.enums import DocumentType
from propass.service.seed import service_seed
from propass.support.defaults import CANNED_REPLIES
from propass.support.models import CannedReply, SupportSla
from propass.support.services import DEFAULT_SLA_HOURS, NO_MEMBERSHIP_SLA_HOURS, TIER_SLA_FALLBACK_HOURS

PARTICIPATING_COUNTRIES = [
    "AT", "BE", "BG", "CH", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GB", "GR", "HR", "HU", "IE", "IS", "IT",
    "LI", "LT", "LU", "LV", "MT", "NL", "NO", "PL", "PT", "RO", "SE", "SI", "SK",
]  # fmt: skip


DEFAULT_PROGRAM = {
    "name": "Canon Professional Services",
    "short_name": "CPS",
    "sender_name": "Canon Professional Services",
    "sender_email": "donotreply@canon-europe.com",
    "operator_country": "NL",
    "validation_sla_days": 2,
    "participating_countries": PARTICIPATING_COUNTRIES,
    "accepted_document_types": list(DocumentType.values),
    "set_password_link_hours": 72,
    "invitation_threshold": 500,
}


def program_seed() -> Program:
    """The default program, Canon Professional Services run from the Netherlands, and its
    first legal texts; an installed program is left as edited."""
    program = Program.objects.order_by("pk").first() or Program.objects.create(**DEFAULT_PROGRAM)
    titles = {
        LegalTextKind.BUSINESS_TERMS: {"en": "Business account terms", "it": "Condizioni dell'account Business",
                                       "es": "Condiciones de la cuenta empresarial",
                                       "de": "Bedingungen für den Business Account"},
        LegalTextKind.PRIVACY_NOTICE: {"en": "Privacy notice", "it": "Informativa sulla privacy",
                                       "es": "Aviso de privacidad", "de": "Datenschutzhinweis"},
        LegalTextKind.PROGRAM_TERMS: {"en": "CPS Terms & Conditions", "it": "Termini e condizioni CPS",
                                      "es": "Términos y condiciones de CPS", "de": "CPS-Geschäftsbedingungen"},
        LegalTextKind.LOAN_TERMS: {"en": "Loan equipment terms", "it": "Condizioni dell'attrezzatura in prestito",
                                   "es": "Condiciones de los equipos en préstamo", "de": "Leihbedingungen"},
    }  # fmt: skip
    for kind, by_language in titles.items():
        for language, title in by_language.items():
            LegalText.objects.get_or_create(
                kind=kind,
                version="2026-01",
                language=language,
                defaults={
                    "title": title,
                    "body": f"{title}, version 2026-01. The operator replaces this text in the back office.",
                    "published_at": datetime(2026, 1, 1, tzinfo=UTC),
                },
            )
    return program


# PRODUCT.md §7: prices excluding VAT per year; 2- and 3-year terms at a discount (5% and 10%).
TIERS = [
    # code, name, family, min points, EUR, GBP (what each tier gives: TIER_BENEFITS below)
    ("silver", "Silver", "standard", 500, "100", "85"),
    ("gold", "Gold", "standard", 1000, "200", "170"),
    ("platinum", "Platinum", "standard", 1600, "350", "300"),
    ("corporate_a", "Corporate A", "corporate", 2501, "1000", "850"),
    ("corporate_b", "Corporate B", "corporate", 2501, "2500", "2100"),
    ("corporate_c", "Corporate C", "corporate", 2501, "5000", "4250"),
]  # fmt: skip


def tiers_seed() -> None:
    """The default tiers and prices (PRODUCT.md §7); existing tiers are left as edited."""
    for position, (code, name, family, minimum, eur, gbp) in enumerate(TIERS):
        tier, created = Tier.objects.get_or_create(
            code=code, defaults={"name": name, "family": family, "min_points": minimum, "position": position}
        )
        if not created:
            continue
        for currency, yearly in (("EUR", Decimal(eur)), ("GBP", Decimal(gbp))):
            for years, factor in ((1, Decimal("1")), (2, Decimal("0.95")), (3, Decimal("0.90"))):
                TierPrice.objects.create(
                    tier=tier,
                    currency=currency,
                    term_years=years,
                    amount=(yearly * years * factor).quantize(Decimal("0.01")),
                )


EU_VAT_RATES = {
    "AT": "20", "BE": "21", "BG": "20", "CY": "19", "CZ": "21", "DE": "19", "DK": "25", "EE": "24", "ES": "21",
    "FI": "25.5", "FR": "20", "GR": "24", "HR": "25", "HU": "27", "IE": "23", "IT": "22", "LT": "21", "LU": "17",
    "LV": "21", "MT": "18", "NL": "21", "PL": "23", "PT": "23", "RO": "21", "SE": "25", "SI": "22", "SK": "23",
}  # fmt: skip


def sellers_seed() -> None:
    """The default sellers of PRODUCT.md §9: a UK entity for UK buyers, the European entity
    in the Netherlands for everyone else; EU standard VAT rates."""
    SellerEntity.objects.get_or_create(
        code="uk",
        defaults={"name": "Canon Professional Services UK Ltd", "address": "4 Roundwood Avenue\nUxbridge UB11 1AF",
                  "street": "4 Roundwood Avenue", "postal_code": "UB11 1AF", "city": "Uxbridge",
                  "registration_number": "Company No. 01234567", "legal_info": "Registered in England and Wales",
                  "contact_email": "billing.uk@cps.example", "contact_phone": "+44 20 7946 0000",
                  "peppol_id": "9932:GB980780684",
                  "country": "GB", "currency": "GBP", "vat_number": "GB980780684", "vat_rate": Decimal("20"),
                  "iban": "GB33BUKB20201555555555", "bic": "BUKBGB22", "buyer_countries": ["GB"],
                  "invoice_series": "UK"},
    )  # fmt: skip
    SellerEntity.objects.get_or_create(
        code="eu",
        defaults={"name": "Canon Professional Services Europe B.V.", "address": "Bovenkerkerweg 59\n1185 XB Amstelveen",
                  "street": "Bovenkerkerweg 59", "postal_code": "1185 XB", "city": "Amstelveen",
                  "registration_number": "KvK 12345678", "legal_info": "Registered office Amstelveen",
                  "contact_email": "billing@cps.example", "contact_phone": "+31 20 794 0000",
                  "peppol_id": "9944:NL004495445B01",
                  "country": "NL", "currency": "EUR", "vat_number": "NL004495445B01", "vat_rate": Decimal("21"),
                  "iban": "NL91ABNA0417164300", "bic": "ABNANL2A", "buyer_countries": [],
                  "invoice_series": "EU"},
    )  # fmt: skip
    for country, rate in EU_VAT_RATES.items():
        VatRate.objects.get_or_create(country=country, defaults={"rate": Decimal(rate)})


def support_seed() -> None:
    """An answer time for members without a membership and for every tier; the first canned
    replies when there are none."""
    SupportSla.objects.get_or_create(tier=None, defaults={"response_hours": NO_MEMBERSHIP_SLA_HOURS})
    for tier in Tier.objects.filter(support_sla__isnull=True):
        SupportSla.objects.get_or_create(
            tier=tier, defaults={"response_hours": DEFAULT_SLA_HOURS.get(tier.code, TIER_SLA_FALLBACK_HOURS)}
        )
    if not CannedReply.objects.exists():
        CannedReply.objects.bulk_create(
            CannedReply(language=language, title=title, body=body) for language, title, body in CANNED_REPLIES
        )


# Issue 16: what each tier gives, as data (the program admin edits it). Canon's CPS European terms
# promised repairs in 5, 3 and 2 working days for its three levels.
BENEFIT_DEFAULTS = [
    ("priority-repair", BenefitKind.REPAIR_TURNAROUND, {
        "en": "Priority repairs", "it": "Riparazioni prioritarie", "es": "Reparaciones prioritarias",
        "de": "Bevorzugte Reparaturen", "fr": "Réparations prioritaires", "nl": "Voorrang bij reparaties"}),
    ("maintenance-checks", BenefitKind.MAINTENANCE_CHECKS, {
        "en": "Free maintenance checks and sensor cleans",
        "it": "Controlli di manutenzione e pulizie del sensore gratuiti",
        "es": "Revisiones de mantenimiento y limpiezas del sensor gratuitas",
        "de": "Kostenlose Wartungschecks und Sensorreinigungen",
        "fr": "Contrôles d’entretien et nettoyages du capteur gratuits",
        "nl": "Gratis onderhoudscontroles en sensorreinigingen"}),
    ("repair-discount", BenefitKind.REPAIR_DISCOUNT, {
        "en": "Discount on repairs", "it": "Sconto sulle riparazioni", "es": "Descuento en reparaciones",
        "de": "Rabatt auf Reparaturen", "fr": "Remise sur les réparations", "nl": "Korting op reparaties"}),
    ("loan-equipment", BenefitKind.LOANS, {
        "en": "Loan equipment", "it": "Attrezzatura in prestito", "es": "Equipos en préstamo",
        "de": "Leihgeräte", "fr": "Matériel de prêt", "nl": "Leenapparatuur"}),
    ("return-shipping", BenefitKind.RETURN_SHIPPING, {
        "en": "Free return shipping", "it": "Spedizione di ritorno gratuita", "es": "Envío de vuelta gratuito",
        "de": "Kostenloser Rückversand", "fr": "Retour gratuit", "nl": "Gratis retourzending"}),
    ("event-support", BenefitKind.EVENT_SUPPORT, {
        "en": "Event support", "it": "Supporto agli eventi", "es": "Asistencia en eventos",
        "de": "Event-Support", "fr": "Assistance lors d’événements", "nl": "Ondersteuning bij evenementen"}),
    ("late-repair-days", BenefitKind.PROMISE_COMPENSATION, {
        "en": "Days added for a late repair", "it": "Giorni aggiunti per una riparazione in ritardo",
        "es": "Días añadidos por una reparación con retraso", "de": "Zusätzliche Tage bei verspäteter Reparatur",
        "fr": "Jours ajoutés pour une réparation en retard", "nl": "Extra dagen bij een te late reparatie"}),
]  # fmt: skip
# tier: {benefit code: parameters}. Caps of the repair discount per membership year (decided).
_PLATINUM: dict[str, dict[str, Any]] = {
    "priority-repair": {"days": 2},
    "maintenance-checks": {"count": 4},
    "repair-discount": {"percent": Decimal("20"), "caps": {"EUR": "600.00", "GBP": "520.00"}},
    "loan-equipment": {"days": 21},
    "return-shipping": {},
    "event-support": {},
    "late-repair-days": {"days": 20},
}
TIER_BENEFITS: dict[str, dict[str, dict[str, Any]]] = {
    "silver": {
        "priority-repair": {"days": 5},
        "maintenance-checks": {"count": 1},
        "repair-discount": {"percent": Decimal("10"), "caps": {"EUR": "150.00", "GBP": "130.00"}},
    },
    "gold": {
        "priority-repair": {"days": 3},
        "maintenance-checks": {"count": 2},
        "repair-discount": {"percent": Decimal("15"), "caps": {"EUR": "300.00", "GBP": "260.00"}},
        "loan-equipment": {"days": 10},
        "event-support": {},
        "late-repair-days": {"days": 10},
    },
    "platinum": _PLATINUM,
    # Corporate levels: as Platinum, the maintenance checks counted per registered camera body.
    **{
        code: {**_PLATINUM, "maintenance-checks": {"count": 4, "per_body": True}}
        for code in ("corporate_a", "corporate_b", "corporate_c")
    },
}


def benefits_seed() -> None:
    """The default benefits and what each default tier gives; a tier that already has benefits
    is left as edited, and a benefit already there keeps its texts."""
    benefits = {}
    for position, (code, kind, names) in enumerate(BENEFIT_DEFAULTS):
        benefits[code], _created = Benefit.objects.get_or_create(
            code=code, defaults={"kind": kind, "names": names, "position": position}
        )
    for tier in Tier.objects.filter(code__in=TIER_BENEFITS):
        if tier.tier_benefits.exists():
            continue
        TierBenefit.objects.bulk_create(
            TierBenefit(tier=tier, benefit=benefits[code], **parameters)
            for code, parameters in TIER_BENEFITS[tier.code].items()
        )


@transaction.atomic
def installation_setup() -> Program:
    """Install what a fresh installation needs before anyone uses it; idempotent."""
    program = program_seed()
    staff_groups_ensure()
    sellers_seed()
    tiers_seed()
    benefits_seed()
    support_seed()
    service_seed()
    faq_seed()
    return program
