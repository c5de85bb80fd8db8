"""Demo data for `propass seed-demo`: idempotent, so running it again changes nothing.

Later capabilities add their own part (program, catalog, legacy records) here.
"""

from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.db import transaction

from propass.accounts.enums import BusinessRole, StaffGroup
from propass.accounts.models import Business, BusinessMembership, User

DEMO_PASSWORD = "ProPass-demo-2026"


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


@transaction.atomic
def demo_seed() -> list[DemoLogin]:
    groups = {code: Group.objects.get_or_create(name=code)[0] for code in StaffGroup.values}

    staff = _user("staff@propass.test", first="Sam", last="Staff", language="en", staff=True)
    staff.groups.add(*groups.values())
    admin = _user("admin@propass.test", first="Ada", last="Admin", language="en", staff=True)
    if not admin.is_superuser:
        admin.is_superuser = True
        admin.save(update_fields=["is_superuser"])

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

    return [
        DemoLogin(owner.email, DEMO_PASSWORD, "member, business superuser (Italian)"),
        DemoLogin(member.email, DEMO_PASSWORD, "member, business user (English)"),
        DemoLogin(staff.email, DEMO_PASSWORD, "staff: validation, support, finance, program admin"),
        DemoLogin(admin.email, DEMO_PASSWORD, "staff superuser (Django admin too)"),
    ]
