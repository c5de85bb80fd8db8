"""Demo data for `propass seed-demo`: the demo catalog and old CPS records, staff logins and
a business with its people and products. It installs the defaults first (`propass setup`);
idempotent, so running it again changes nothing."""

import io
from base64 import b32encode
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from propass.accounts.enums import BusinessRole, StaffGroup
from propass.accounts.models import Business, BusinessMembership, User
from propass.accounts.services import staff_groups_ensure
from propass.catalog.models import Dealer, ProductModel
from propass.catalog.services import catalog_import_file
from propass.products.legacy import legacy_import
from propass.products.models import Registration
from propass.products.services import RegistrationInput, registration_create
from propass.program_admin.setup import installation_setup

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


@transaction.atomic
def demo_seed() -> list[DemoLogin]:
    installation_setup()
    catalog_seed()
    legacy_seed()
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
