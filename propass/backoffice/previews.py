"""E-mail previews for the back office: every template rendered in every language with
sample data, exactly as `email_send` renders it, without storing or sending anything."""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from propass.accounts.models import Business, User
from propass.core.errors import NotFound
from propass.core.selectors import program_current
from propass.memberships.models import Subscription, Tier
from propass.notifications.services import email_render
from propass.onboarding.models import Application

EMAIL_TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "emails"


@dataclass(frozen=True)
class EmailPreview:
    template: str
    language: str
    subject: str
    text: str
    html: str


def email_templates() -> list[str]:
    """The name of every e-mail template (a folder of emails/ with a subject.txt)."""
    return sorted(path.parent.name for path in EMAIL_TEMPLATES.glob("*/subject.txt"))


def _sample_context(language: str) -> dict[str, Any]:
    # Unsaved objects: the templates read attributes only, so nothing touches the database.
    program = program_current()
    user = User(first_name="Maria", last_name="Rossi", email="maria.rossi@example.com", language=language)
    business = Business(name="Rossi Foto", country="IT", currency="EUR", language=language, points_balance=1250)
    tier = Tier(code="gold", name="Gold", min_points=1000)
    today = timezone.localdate()
    application = Application(
        first_name="Maria",
        last_name="Rossi",
        email=user.email,
        language=language,
        company_name=business.name,
        info_request_message=str(_("Please send a VAT certificate that shows the company name.")),
        rejection_reason=str(_("The document does not show the company's name or VAT number.")),
    )
    subscription = Subscription(
        tier=tier,
        membership_number="151335488",
        term_years=1,
        starts_on=today,
        expires_on=today + timedelta(days=365),
        price=Decimal("200.00"),
        currency="EUR",
        payment_method="card",
    )
    return {
        "user": user,
        "program": program,
        "business": business,
        "application": application,
        "subscription": subscription,
        "inviter": User(first_name="Luca", last_name="Bianchi", email="luca.bianchi@example.com"),
        "hours": program.set_password_link_hours,
        "link_path": reverse("accounts:set_password", args=["sample-link"]),
        "status_path": reverse("onboarding:status", args=["sample-status"]),
        "title": str(_("Your invoice is ready")),
        "body": str(_("Invoice EU-2026-000123 of 200 € is due on the date shown on it.")),
        "url": reverse("memberships:subscriptions"),
    }


def email_preview(*, template: str, language: str) -> EmailPreview:
    """One e-mail template rendered in one language with sample data, as `email_send`
    would store it."""
    if template not in email_templates() or language not in dict(settings.LANGUAGES):
        raise NotFound()
    with translation.override(language):
        context = _sample_context(language)
    subject, text, html = email_render(template=template, context=context, language=language)
    return EmailPreview(template=template, language=language, subject=subject, text=text, html=html)
