"""Demo data for `propass seed-demo`: idempotent, so running it again changes nothing.

Later capabilities add their own part (program, catalog, legacy records) here.
"""

import io
from base64 import b32encode
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from propass.accounts.enums import BusinessRole, StaffGroup
from propass.accounts.models import Business, BusinessMembership, User
from propass.accounts.services import staff_groups_ensure
from propass.billing.models import SellerEntity, VatRate
from propass.catalog.models import Dealer, ProductModel
from propass.catalog.services import catalog_import_file
from propass.core.models import LegalText, LegalTextKind, Program
from propass.core.selectors import program_current
from propass.memberships.models import Tier, TierPrice
from propass.onboarding.enums import DocumentType
from propass.products.legacy import legacy_import
from propass.products.models import Registration
from propass.products.services import RegistrationInput, registration_create

DEMO_PASSWORD = "ProPass-demo-2026"
# The demo staff's two-factor secret (TOTP): in an authenticator app it reads
# DEMO_TOTP_SECRET; `propass two-factor-code EMAIL` prints the current code.
DEMO_TOTP_KEY = b"propass-demo-2fa-key"
DEMO_TOTP_SECRET = b32encode(DEMO_TOTP_KEY).decode()


@dataclass(frozen=True)
class DemoLogin:
    email: str
    password: str
    who: str


def _user(email: str, *, first: str, last: str, language: str, staff: bool = False) -> User:
    user, created = User.objects.get_or_create(
        email=email, defaults={"first_name": first, "last_name": last, "language": language, "is_staff": staff}
    )
    if created or not user.has_usable_password():
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


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
    """The seeds' program: Canon Professional Services, run from the Netherlands."""
    program = program_current()
    titles = {
        LegalTextKind.BUSINESS_TERMS: {"en": "Business account terms", "it": "Condizioni dell'account Business",
                                       "es": "Condiciones de la cuenta empresarial",
                                       "de": "Bedingungen für den Business Account"},
        LegalTextKind.PRIVACY_NOTICE: {"en": "Privacy notice", "it": "Informativa sulla privacy",
                                       "es": "Aviso de privacidad", "de": "Datenschutzhinweis"},
        LegalTextKind.PROGRAM_TERMS: {"en": "CPS Terms & Conditions", "it": "Termini e condizioni CPS",
                                      "es": "Términos y condiciones de CPS", "de": "CPS-Geschäftsbedingungen"},
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


LEGACY_DEMO = (
    (
        "legacy_email,account_name,country,membership_number,level,product_code,product_name,serial_number,"
        "purchase_date,country_of_purchase,dealer\n"
    )
    + """old.rossi@example.com,Rossi Foto,IT,100200300,Gold,EOS-5D-MARK-IV,,031018000555,2018-05-02,IT,Foto Milano
old.rossi@example.com,Rossi Foto,IT,100200300,Gold,,EF 70-200mm f/2.8L IS III USM,7701234,2019-02-11,IT,Foto Milano
old.rossi@example.com,Rossi Foto,IT,100200300,Gold,EOS-R,,012018004242,,IT,
"""
)


def legacy_seed() -> None:
    """An old CPS account with three products (one without date and dealer), so that an
    applicant or a business can give a matching old e-mail."""
    legacy_import(stream=io.BytesIO(LEGACY_DEMO.encode()))


DEMO_CATALOG = Path(__file__).resolve().parent.parent / "catalog" / "data" / "demo_catalog.csv"
DEALERS = [
    ("Foto Milano", "Milano", "IT"), ("Fotoservice Roma", "Roma", "IT"), ("Calumet", "Hamburg", "DE"),
    ("Foto Koch", "Düsseldorf", "DE"), ("Fnac", "Paris", "FR"), ("Cámara Madrid", "Madrid", "ES"),
    ("Park Cameras", "Burgess Hill", "GB"), ("Wex Photo Video", "Norwich", "GB"), ("Kamera Express", "Rotterdam", "NL"),
    ("CEWE", "Oldenburg", "DE"),
]  # fmt: skip


def catalog_seed() -> None:
    """The demo catalog (about 190 models) and a few dealers; importing again changes nothing."""
    catalog_import_file(path=str(DEMO_CATALOG))
    for name, city, country in DEALERS:
        Dealer.objects.get_or_create(name=name, country=country, defaults={"city": city})


def registrations_seed(business: Business, owner: User) -> None:
    if Registration.objects.filter(business=business).exists():
        return
    today = date(2025, 5, 10)
    demo = [
        ("EOS-R5", "032021000123", "Foto Milano"),
        ("RF-24-70MM-F2-8-L-IS-USM", "4410023", "Foto Milano"),
        ("EOS-R6-MARK-II", "072022004567", ""),  # no dealer yet: missing details
    ]
    for code, serial, dealer in demo:
        product = ProductModel.objects.get(code=code)
        registration_create(
            business=business,
            actor=owner,
            data=RegistrationInput(
                product_id=product.pk,
                serial_number=serial,
                purchase_date=today,
                country_of_purchase="IT",
                dealer=dealer,
            ),
        )


# PRODUCT.md §7: prices excluding VAT per year; 2- and 3-year terms at a discount (5% and 10%).
TIERS = [
    # code, name, family, min points, EUR, GBP, benefits key
    ("silver", "Silver", "standard", 500, "100", "85", "silver"),
    ("gold", "Gold", "standard", 1000, "200", "170", "gold"),
    ("platinum", "Platinum", "standard", 1600, "350", "300", "platinum"),
    ("corporate_a", "Corporate A", "corporate", 2501, "1000", "850", "corporate_a"),
    ("corporate_b", "Corporate B", "corporate", 2501, "2500", "2100", "corporate_b"),
    ("corporate_c", "Corporate C", "corporate", 2501, "5000", "4250", "corporate_c"),
]  # fmt: skip
BENEFITS = {
    "silver": {
        "en": ["Priority repairs", "Loan equipment", "Sensor cleaning"],
        "it": ["Riparazioni prioritarie", "Attrezzatura in prestito", "Pulizia del sensore"],
        "es": ["Reparaciones prioritarias", "Equipos en préstamo", "Limpieza del sensor"],
        "de": ["Bevorzugte Reparaturen", "Leihgeräte", "Sensorreinigung"],
    },
    "gold": {
        "en": ["Everything in Silver", "Faster repairs", "Event support"],
        "it": ["Tutto ciò che offre Silver", "Riparazioni più rapide", "Supporto agli eventi"],
        "es": ["Todo lo de Silver", "Reparaciones más rápidas", "Asistencia en eventos"],
        "de": ["Alles aus Silver", "Schnellere Reparaturen", "Event-Support"],
    },
    "platinum": {
        "en": ["Everything in Gold", "Fastest repairs", "Free return shipping"],
        "it": ["Tutto ciò che offre Gold", "Riparazioni più rapide in assoluto", "Spedizione di ritorno gratuita"],
        "es": ["Todo lo de Gold", "Las reparaciones más rápidas", "Envío de vuelta gratuito"],
        "de": ["Alles aus Gold", "Schnellste Reparaturen", "Kostenloser Rückversand"],
    },
    "corporate_a": {
        "en": ["Up to 5 users", "Account manager"],
        "it": ["Fino a 5 utenti", "Account manager dedicato"],
        "es": ["Hasta 5 usuarios", "Gestor de cuenta"],
        "de": ["Bis zu 5 Nutzer", "Persönlicher Ansprechpartner"],
    },
    "corporate_b": {
        "en": ["Up to 15 users", "Account manager", "On-site days"],
        "it": ["Fino a 15 utenti", "Account manager dedicato", "Giornate in sede"],
        "es": ["Hasta 15 usuarios", "Gestor de cuenta", "Jornadas in situ"],
        "de": ["Bis zu 15 Nutzer", "Persönlicher Ansprechpartner", "Vor-Ort-Tage"],
    },
    "corporate_c": {
        "en": ["Unlimited users", "Dedicated support team"],
        "it": ["Utenti illimitati", "Team di assistenza dedicato"],
        "es": ["Usuarios ilimitados", "Equipo de asistencia dedicado"],
        "de": ["Unbegrenzte Nutzer", "Eigenes Support-Team"],
    },
}


def tiers_seed() -> None:
    """The default tiers and prices (PRODUCT.md §7); existing tiers are left as edited."""
    for position, (code, name, family, minimum, eur, gbp, benefits_key) in enumerate(TIERS):
        benefits = BENEFITS[benefits_key]
        tier, created = Tier.objects.get_or_create(
            code=code,
            defaults={"name": name, "family": family, "min_points": minimum, "position": position,
                      "benefits": benefits},
        )  # fmt: skip
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
                  "country": "GB", "currency": "GBP", "vat_number": "GB980780684", "vat_rate": Decimal("20"),
                  "iban": "GB33BUKB20201555555555", "bic": "BUKBGB22", "buyer_countries": ["GB"],
                  "invoice_series": "UK"},
    )  # fmt: skip
    SellerEntity.objects.get_or_create(
        code="eu",
        defaults={"name": "Canon Professional Services Europe B.V.", "address": "Bovenkerkerweg 59\n1185 XB Amstelveen",
                  "country": "NL", "currency": "EUR", "vat_number": "NL004495445B01", "vat_rate": Decimal("21"),
                  "iban": "NL91ABNA0417164300", "bic": "ABNANL2A", "buyer_countries": [],
                  "invoice_series": "EU"},
    )  # fmt: skip
    for country, rate in EU_VAT_RATES.items():
        VatRate.objects.get_or_create(country=country, defaults={"rate": Decimal(rate)})


@transaction.atomic
def demo_seed() -> list[DemoLogin]:
    program_seed()
    sellers_seed()
    tiers_seed()
    catalog_seed()
    legacy_seed()
    from propass.faq.seed import faq_seed

    faq_seed()
    groups = staff_groups_ensure()
    staff = _user("staff@propass.test", first="Sam", last="Staff", language="en", staff=True)
    staff.groups.add(*(group for role, group in groups.items() if role != StaffGroup.AUDITOR))
    auditor = _user("auditor@propass.test", first="Otto", last="Auditor", language="en", staff=True)
    auditor.groups.add(groups[StaffGroup.AUDITOR])
    admin = _user("admin@propass.test", first="Ada", last="Admin", language="en", staff=True)
    if not admin.is_superuser:
        admin.is_superuser = True
        admin.save(update_fields=["is_superuser"])
    for user in (staff, auditor, admin):
        # The demo staff's authenticator: a published secret, like the demo password.
        TOTPDevice.objects.get_or_create(
            user=user, name="demo", defaults={"key": DEMO_TOTP_KEY.hex(), "confirmed": True}
        )

    business, _ = Business.objects.get_or_create(
        name="Studio Fotografico Rossi",
        defaults={
            "street": "Via Roma 12",
            "postal_code": "20121",
            "city": "Milano",
            "country": "IT",
            "vat_number": "IT00743110157",
            "language": "it",
            "currency": "EUR",
        },
    )
    owner = _user("owner@studio-rossi.test", first="Giulia", last="Rossi", language="it")
    member = _user("member@studio-rossi.test", first="Marco", last="Bianchi", language="en")
    BusinessMembership.objects.get_or_create(
        user=owner, defaults={"business": business, "role": BusinessRole.SUPERUSER}
    )
    BusinessMembership.objects.get_or_create(user=member, defaults={"business": business, "role": BusinessRole.MEMBER})
    registrations_seed(business, owner)

    return [
        DemoLogin(owner.email, DEMO_PASSWORD, "member, business superuser (Italian)"),
        DemoLogin(member.email, DEMO_PASSWORD, "member, business user (English)"),
        DemoLogin(staff.email, DEMO_PASSWORD, "staff: validation, support, finance, program admin"),
        DemoLogin(auditor.email, DEMO_PASSWORD, "staff: read-only auditor"),
        DemoLogin(admin.email, DEMO_PASSWORD, "staff superuser (Django admin too)"),
    ]
