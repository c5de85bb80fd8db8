"""A business with a record in every table that holds a business's or a person's data, for
the personal-data export and erasure tests. Needs the program, sellers and tiers seeded."""

from dataclasses import dataclass

from propass.accounts.models import Business, User
from propass.accounts.services import business_user_invite
from propass.accounts.tests.factories import PASSWORD
from propass.billing.collection import invoice_collect_due
from propass.billing.models import Invoice
from propass.memberships.models import Subscription
from propass.onboarding.models import Application
from propass.onboarding.services import application_approve
from propass.onboarding.tests.helpers import submit
from propass.products.models import LegacyAccount, LegacyRegistration, Registration
from propass.products.tests.helpers import camera, register
from propass.support.models import Ticket, TicketMessage
from propass.support.services import ticket_open, ticket_reply_staff
from propass.testing.files import pdf
from propass.testing.shop import buy, morning
from propass.testing.staff import staff_user

# Values the tests search the database and the archive for, per business.
PEOPLE = {
    "a": {
        "company_name": "Aurora Lenses S.r.l.", "country": "IT", "vat_number": "IT00743110157",
        "phone": "+39 02 8765 4321", "first_name": "Ottavia", "last_name": "Quintiliani",
        "email": "ottavia@aurora-lenses.example", "admin_email": "admin@aurora-lenses.example",
        "serial": "111111111111", "legacy_email": "old-aurora@cps.example", "subject": "Aurora shutter noise",
    },
    "b": {
        "company_name": "Borealis Bildwerk GmbH", "country": "DE", "vat_number": "DE136695976",
        "phone": "+49 30 901820", "first_name": "Wilhelmina", "last_name": "Zwanziger",
        "email": "wilhelmina@borealis-bild.example", "admin_email": "admin@borealis-bild.example",
        "serial": "999999999999", "legacy_email": "old-borealis@cps.example", "subject": "Borealis lens fog",
    },
}  # fmt: skip


@dataclass
class Populated:
    business: Business
    owner: User
    admin: User
    application: Application
    subscription: Subscription
    invoice: Invoice
    ticket: Ticket
    internal_note: TicketMessage
    values: dict[str, str]

    def unique_strings(self) -> list[str]:
        """Strings that only this business's records contain."""
        v = self.values
        return [
            v["company_name"], v["email"], v["admin_email"], v["serial"], v["legacy_email"], v["subject"],
            v["last_name"], self.invoice.number, self.subscription.membership_number,
        ]  # fmt: skip


def staff_member(email: str, group: str) -> User:
    return staff_user(email, group, first_name="Stella")


def populated_business(key: str, *, validator: User, agent: User) -> Populated:
    """Apply, get approved, invite an administrator, register products (one from the old CPS),
    buy a membership, pay its invoice by card and open a ticket with an attachment, which an
    agent answers and annotates internally."""
    v = PEOPLE[key]
    application = submit(
        company_name=v["company_name"], country=v["country"], vat_number=v["vat_number"], phone=v["phone"],
        first_name=v["first_name"], last_name=v["last_name"], email=v["email"], legacy_email=v["legacy_email"],
        document=pdf(f"{key}-vat-certificate.pdf"),
    )  # fmt: skip
    application = application_approve(application_id=application.pk, agent=validator)
    business = application.business
    assert business is not None
    Business.objects.filter(pk=business.pk).update(points_balance=600)
    business.refresh_from_db()
    owner = User.objects.get(email=v["email"])
    owner.set_password(PASSWORD)
    owner.save()
    admin = business_user_invite(
        business=business, actor=owner, email=v["admin_email"], first_name="Ada", last_name="Admin", role="admin"
    )
    register(business, camera(), serial=v["serial"], actor=owner)
    register(business, camera(), serial="", actor=owner)  # incomplete
    legacy = LegacyAccount.objects.create(email=v["legacy_email"], account_name=v["company_name"], migrated_to=business)
    LegacyRegistration.objects.create(account=legacy, key=f"{v['serial']}|EOS-R5", serial_number=v["serial"])
    subscription, invoice = buy(business, owner)
    invoice_collect_due(at=morning(invoice.due_date))
    ticket = ticket_open(
        business=business, author=owner, category="repair", subject=v["subject"],
        body=f"{v['subject']}: please help.", attachment=pdf(f"{key}-photo.pdf"),
    )  # fmt: skip
    ticket_reply_staff(agent=agent, ticket_id=ticket.pk, body="We are on it.")
    note = ticket_reply_staff(
        agent=agent, ticket_id=ticket.pk, body=f"INTERNAL {key}: customer sounds upset", internal=True
    )
    assert Registration.objects.filter(business=business).count() == 2
    return Populated(
        business=business, owner=owner, admin=admin, application=application, subscription=subscription,
        invoice=Invoice.objects.get(pk=invoice.pk), ticket=ticket, internal_note=note, values=v,
    )  # fmt: skip
