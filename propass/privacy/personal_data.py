"""The personal-data export: everything the program holds about one business, as a ZIP of
JSON files with the business's documents, attachments and invoice PDFs.

Every query is filtered by the business. The archive is written to a spooled temporary file
(memory first, disk once it grows) and querysets are read with `.iterator()`, so a business
with thousands of registrations and invoices does not need them all in memory at once.
"""

import io
import json
import logging
import re
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import reduce
from operator import or_
from typing import IO, Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import CharField, Q, QuerySet
from django.db.models.fields.files import FieldFile
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from propass.accounts.models import Business, BusinessMembership, User
from propass.accounts.permissions import has_billing_rights
from propass.billing.models import BankLine, Invoice, Payment
from propass.billing.pdf import invoice_pdf_render
from propass.core.enums import AuditAction
from propass.core.errors import DomainError, Forbidden
from propass.core.models import AuditLog
from propass.core.ratelimit import rate_limit_hit
from propass.core.services import audit_record
from propass.memberships.models import PlanChange, RenewalNotice, Subscription
from propass.notifications.models import Notification, OutboxMessage
from propass.onboarding.models import Application, ApplicationDocument
from propass.points.models import LedgerEntry
from propass.products.models import LegacyAccount, LegacyRegistration, ProductTransfer, Registration
from propass.support.models import Ticket, TicketAttachment, TicketMessage

logger = logging.getLogger(__name__)

EXPORTS_PER_HOUR = 5
CHUNK = 500
# Kept in memory up to this size, then on disk.
SPOOL_BYTES = 16 * 1024 * 1024


class TooManyExports(DomainError):
    code = "rate_limited"
    http_status = 429
    default_message = _("You have downloaded your data several times in the last hour. Please try again later.")


@dataclass
class DataExport:
    """A finished archive: `file` is positioned at its start; the caller closes it."""

    file: IO[bytes]
    filename: str
    counts: dict[str, int]


def business_data_export(*, business: Business, actor: User) -> DataExport:
    """Put every record the program holds about the business into one ZIP: the business, its
    users, application and documents, products, points, memberships, invoices (with PDFs),
    payments, support tickets (without the agents' internal notes), notifications, e-mails
    and the activity log. Only the business superuser or an administrator may export, at most
    five times an hour per business."""
    if not has_billing_rights(user=actor, business=business):
        raise Forbidden(_("Only the business superuser or an administrator can download the business's data."))
    if rate_limit_hit(key=f"personal-data-export:{business.pk}", limit=EXPORTS_PER_HOUR, seconds=3600):
        raise TooManyExports()
    now = timezone.now()
    spool: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (returned open)
    try:
        with translation.override(actor.language), zipfile.ZipFile(spool, "w", zipfile.ZIP_DEFLATED) as archive:
            counts = _ExportWriter(archive, business).write_all(generated_at=now, actor=actor)
        spool.seek(0)
    except BaseException:
        spool.close()
        raise
    audit_record(actor=actor, action=AuditAction.PERSONAL_DATA_EXPORT, target=business, data={"counts": counts})
    local = timezone.localtime(now)
    return DataExport(
        file=spool,
        filename=f"propass-data-{slugify(business.name) or business.pk}-{local:%Y-%m-%d}.zip",
        counts=counts,
    )


# --- Writing ------------------------------------------------------------------------------

_UNSAFE = re.compile(r"[^\w.\- ]+")


def _safe_name(name: str, fallback: str) -> str:
    """A file name that stays inside its folder of the archive."""
    cleaned = _UNSAFE.sub("_", name.replace("\\", "/").rsplit("/", 1)[-1]).strip(" .")
    return cleaned[:150] or fallback


def _dumps(value: Any) -> str:
    return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)


def _rows(queryset: QuerySet[Any], fields: str) -> Iterator[dict[str, Any]]:
    """Rows of a queryset as dictionaries, read in chunks. `fields` are separated by spaces;
    each is a model lookup, or `name=lookup` to give it another name in the export."""
    names = [field.partition("=") for field in fields.split()]
    lookups = [lookup or name for name, _eq, lookup in names]
    for row in queryset.values_list(*lookups).iterator(chunk_size=CHUNK):
        yield {name: value for (name, _eq, _lookup), value in zip(names, row, strict=True)}


def _secret_links() -> re.Pattern[str]:
    """Paths of links whose last part is a secret token (set password, application status)."""
    marker = "TOKEN"
    prefixes = [
        reverse(name, args=[marker]).rsplit(marker, 1)[0] for name in ("accounts:set_password", "onboarding:status")
    ]
    return re.compile("(" + "|".join(re.escape(prefix) for prefix in prefixes) + r")[\w\-]+")


def _ids(queryset: QuerySet[Any]) -> QuerySet[Any]:
    """Primary keys as text, to match the audit log's object ids."""
    return queryset.annotate(text_id=Cast("pk", CharField())).values("text_id")


class _ExportWriter:
    def __init__(self, archive: zipfile.ZipFile, business: Business) -> None:
        self.archive = archive
        self.business = business
        self.counts: dict[str, int] = {}
        # Files to copy once the JSON that names them is written: (path in the archive, stored file).
        self.files: list[tuple[str, FieldFile]] = []
        self.used_paths: set[str] = set()
        self.user_ids = list(BusinessMembership.objects.filter(business=business).values_list("user_id", flat=True))

    def write_all(self, *, generated_at: datetime, actor: User) -> dict[str, int]:
        for write in (
            self.write_business, self.write_users, self.write_applications, self.write_products, self.write_points,
            self.write_memberships, self.write_invoices, self.write_payments, self.write_tickets,
            self.write_notifications, self.write_emails, self.write_activity, self.copy_files,
        ):  # fmt: skip
            write()
        self.write_readme(generated_at=generated_at, actor=actor)
        return self.counts

    def json_file(self, name: str, sections: dict[str, Iterable[dict[str, Any]]]) -> None:
        """A JSON object whose values are lists of records, streamed into the archive."""
        with self.archive.open(name, "w") as raw, io.TextIOWrapper(raw, encoding="utf-8") as out:
            out.write("{")
            for index, (key, rows) in enumerate(sections.items()):
                out.write(("," if index else "") + f"\n  {_dumps(key)}: [")
                count = 0
                for row in rows:
                    out.write(("," if count else "") + "\n    " + _dumps(row))
                    count += 1
                out.write("\n  ]" if count else "]")
                self.counts[key] = self.counts.get(key, 0) + count
            out.write("\n}\n")

    def add_file(self, folder: str, name: str, fallback: str, stored: FieldFile) -> str | None:
        """Queue a stored file for the archive; returns its path there (a repeated name gets
        a number)."""
        if not stored:
            return None
        base = _safe_name(name, fallback)
        stem, dot, extension = base.rpartition(".") if "." in base else (base, "", "")
        path, number = f"{folder}/{base}", 1
        while path in self.used_paths:
            number += 1
            path = f"{folder}/{stem}-{number}{dot}{extension}"
        self.used_paths.add(path)
        self.files.append((path, stored))
        return path

    def copy_files(self) -> None:
        copied = 0
        for path, stored in self.files:
            try:
                with stored.storage.open(stored.name or "", "rb") as source, self.archive.open(path, "w") as target:
                    while chunk := source.read(1024 * 1024):
                        target.write(chunk)
            except OSError:
                # A stored file that went missing must not stop the rest of the export.
                logger.exception("personal-data export: file %s is missing", stored.name)
                self.archive.writestr(f"{path}.missing.txt", gettext("This file could not be found in storage."))
            else:
                copied += 1
        self.counts["files"] = copied

    # --- One method per file ------------------------------------------------------------

    def write_business(self) -> None:
        fields = (
            "id name street postal_code city country vat_number language currency legacy_email points_balance "
            "invited_at created_at updated_at"
        )
        self.json_file("business.json", {"business": _rows(Business.objects.filter(pk=self.business.pk), fields)})

    def write_users(self) -> None:
        memberships = BusinessMembership.objects.filter(business=self.business).order_by("user_id")
        fields = (
            "id=user_id email=user__email first_name=user__first_name last_name=user__last_name "
            "language=user__language role emails_switched_off=user__email_opt_out active=user__is_active "
            "joined=user__date_joined last_login=user__last_login member_since=created_at"
        )
        self.json_file("users.json", {"users": _rows(memberships, fields)})

    def write_applications(self) -> None:
        applications = Application.objects.filter(business=self.business).order_by("pk")
        documents = ApplicationDocument.objects.filter(application__business=self.business).order_by("pk")

        def document_rows() -> Iterator[dict[str, Any]]:
            for document in documents.iterator(chunk_size=CHUNK):
                folder = f"applications/{document.application_id}"
                yield {
                    "id": document.pk, "application_id": document.application_id,
                    "document_type": document.document_type, "original_name": document.original_name,
                    "content_type": document.content_type, "size": document.size, "uploaded_at": document.uploaded_at,
                    "file": self.add_file(folder, document.original_name, f"document-{document.pk}", document.file),
                }  # fmt: skip

        fields = (
            "id status first_name last_name email phone language company_name street postal_code city country "
            "vat_registered vat_number vat_check authorised legacy_email terms_version privacy_version submitted_at "
            "information_requested=info_request_message rejection_reason decided_at"
        )
        self.json_file("applications.json", {"applications": _rows(applications, fields), "documents": document_rows()})

    def write_products(self) -> None:
        registrations = Registration.objects.filter(business=self.business).order_by("pk")
        legacy = Q(migrated_to=self.business)
        if self.business.legacy_email:
            # Linked by staff but not migrated yet.
            legacy |= Q(email=self.business.legacy_email.strip().lower(), migrated_to__isnull=True)
        accounts = LegacyAccount.objects.filter(legacy).order_by("pk")
        legacy_registrations = LegacyRegistration.objects.filter(account__in=accounts).order_by("pk")
        self.json_file(
            "products.json",
            {
                "registrations": _rows(
                    registrations,
                    "id product_id product_code=product__code product_name=product__name serial_number purchase_date "
                    "country_of_purchase dealer status points_value points_credited review_note "
                    "registered_by=created_by_id created_at updated_at",
                ),
                # Offered by the business: what it typed, never which business (if any) that names
                # until one accepted; offered to it: who offered.
                "transfers_out": _rows(
                    ProductTransfer.objects.filter(from_business=self.business).order_by("pk"),
                    "id registration_id product_code=product__code serial_number recipient status "
                    "offered_by=created_by_id points_debited created_at decided_at",
                ),
                "transfers_in": _rows(
                    ProductTransfer.objects.filter(to_business=self.business).order_by("pk"),
                    "id registration_id product_code=product__code serial_number from_business=from_business__name "
                    "status accepted_by=accepted_by_id purchase_date proof_name points_credited created_at decided_at",
                ),
                "legacy_accounts": _rows(accounts, "id email account_name country membership_number level migrated_at"),
                "legacy_registrations": _rows(
                    legacy_registrations,
                    "id account_id product_code product_name serial_number purchase_date country_of_purchase dealer",
                ),
            },
        )

    def write_points(self) -> None:
        ledger = LedgerEntry.objects.filter(business=self.business).order_by("pk")
        fields = "id amount reason registration_id reference note created_at"
        self.json_file("points.json", {"ledger": _rows(ledger, fields)})

    def write_memberships(self) -> None:
        self.json_file(
            "memberships.json",
            {
                "subscriptions": _rows(
                    Subscription.objects.filter(business=self.business).order_by("pk"),
                    "id tier=tier__code status membership_number term_years starts_on expires_on auto_renew "
                    "renewal_cancelled_at=cancelled_at tier_from_renewal=next_tier__code po_number price currency "
                    "payment_method card_last4 terms_version terms_accepted_at terms_accepted_by=terms_accepted_by_id "
                    "terms_accepted_ip created_at",
                ),
                "plan_changes": _rows(
                    PlanChange.objects.filter(subscription__business=self.business).order_by("pk"),
                    "id subscription_id from_tier=from_tier__code to_tier=to_tier__code effective_on amount_due "
                    "currency applied created_at",
                ),
                "renewal_notices": _rows(
                    RenewalNotice.objects.filter(subscription__business=self.business).order_by("pk"),
                    "id subscription_id kind term_expires_on created_at",
                ),
            },
        )

    def write_invoices(self) -> None:
        invoices = Invoice.objects.filter(business=self.business).order_by("pk")
        # PDFs are rendered when an invoice is issued; any still missing is rendered now.
        for invoice_id in list(invoices.filter(pdf="").values_list("pk", flat=True)):
            invoice_pdf_render(invoice_id=invoice_id)

        def invoice_rows() -> Iterator[dict[str, Any]]:
            rows = invoices.select_related("credited_invoice").prefetch_related("lines")
            for invoice in rows.iterator(chunk_size=CHUNK):
                lines = [
                    {"description": line.description, "from": line.period_start, "to": line.period_end,
                     "net": line.net, "vat": line.vat}
                    for line in invoice.lines.all()
                ]  # fmt: skip
                yield {
                    "id": invoice.pk, "number": invoice.number, "kind": invoice.kind, "status": invoice.status,
                    "issue_date": invoice.issue_date, "due_date": invoice.due_date,
                    "subscription_id": invoice.subscription_id, "seller": invoice.seller_snapshot,
                    "buyer": invoice.buyer_snapshot, "currency": invoice.currency, "net": invoice.net,
                    "vat": invoice.vat, "total": invoice.total, "vat_rate": invoice.vat_rate,
                    "vat_treatment": invoice.vat_treatment, "vat_note": invoice.vat_note,
                    "po_number": invoice.po_number, "payment_method": invoice.payment_method,
                    "payment_reference": invoice.reference, "language": invoice.language,
                    "credits_invoice": invoice.credited_invoice.number if invoice.credited_invoice else None,
                    "credit_reason": invoice.credit_reason, "reminders_sent": invoice.reminders_sent,
                    "paid_at": invoice.paid_at, "lines": lines,
                    "pdf": self.add_file("invoices", f"{invoice.number}.pdf", f"invoice-{invoice.pk}.pdf", invoice.pdf),
                }  # fmt: skip

        self.json_file("invoices.json", {"invoices": invoice_rows()})

    def write_payments(self) -> None:
        self.json_file(
            "payments.json",
            {
                "payments": _rows(
                    Payment.objects.filter(invoice__business=self.business).order_by("pk"),
                    "id invoice=invoice__number attempt method amount currency status gateway_reference error "
                    "created_at finished_at",
                ),
                "bank_transfers": _rows(
                    BankLine.objects.filter(invoice__business=self.business).order_by("pk"),
                    "id invoice=invoice__number booked=booking_date amount currency from_name=debtor_name "
                    "from_account=debtor_iban reference remittance",
                ),
            },
        )

    def write_tickets(self) -> None:
        # The agents' internal notes, and files attached to them, are never part of the export.
        tickets = Ticket.objects.filter(business=self.business).order_by("pk")
        messages = TicketMessage.objects.filter(ticket__business=self.business, internal=False).order_by("pk")
        attachments = TicketAttachment.objects.filter(message__in=messages).select_related("message").order_by("pk")

        def message_rows() -> Iterator[dict[str, Any]]:
            for row in _rows(messages, "id ticket_id author_id from_staff body created_at"):
                if row["from_staff"]:
                    row["author_id"] = None  # an agent's account is not the business's data
                yield row

        def attachment_rows() -> Iterator[dict[str, Any]]:
            for attachment in attachments.iterator(chunk_size=CHUNK):
                folder = f"tickets/{attachment.message.ticket_id}"
                yield {
                    "id": attachment.pk, "message_id": attachment.message_id,
                    "original_name": attachment.original_name, "content_type": attachment.content_type,
                    "size": attachment.size, "uploaded_at": attachment.uploaded_at,
                    "file": self.add_file(
                        folder, attachment.original_name, f"attachment-{attachment.pk}", attachment.file
                    ),
                }  # fmt: skip

        fields = (
            "id category subject status opened_by=created_by_id tier=tier__code answer_due=due_at "
            "last_activity=last_message_at closed_at created_at"
        )
        self.json_file(
            "tickets.json",
            {"tickets": _rows(tickets, fields), "messages": message_rows(), "attachments": attachment_rows()},
        )

    def write_notifications(self) -> None:
        notifications = Notification.objects.filter(user_id__in=self.user_ids).order_by("pk")

        def rows() -> Iterator[dict[str, Any]]:
            # Shown the way the bell shows them, in the requester's language.
            for notification in notifications.iterator(chunk_size=CHUNK):
                yield {
                    "id": notification.pk, "user_id": notification.user_id, "kind": notification.kind,
                    "title": notification.title_text, "message": notification.body_text, "link": notification.url,
                    "created_at": notification.created_at, "read_at": notification.read_at,
                }  # fmt: skip

        self.json_file("notifications.json", {"notifications": rows()})

    def write_emails(self) -> None:
        """E-mails to the business's users and to its application's contact person."""
        found = set(User.objects.filter(pk__in=self.user_ids).values_list("email", flat=True))
        found.update(Application.objects.filter(business=self.business).values_list("email", flat=True))
        addresses = sorted({address.strip().lower() for address in found if address})
        emails = OutboxMessage.objects.none()
        if addresses:
            emails = OutboxMessage.objects.filter(reduce(or_, (Q(to__iexact=address) for address in addresses)))
        fields = "id created_at sender to subject text=body_text language status sent_at"
        secret_links = _secret_links()

        def rows() -> Iterator[dict[str, Any]]:
            # A set-password link in an invitation would let whoever holds the archive take
            # over another user's login: single-use links are left out.
            for row in _rows(emails.order_by("pk"), fields):
                row["text"] = secret_links.sub(r"\1[link removed]", row["text"])
                yield row

        self.json_file("emails.json", {"emails": rows()})

    def write_activity(self) -> None:
        """Audit entries whose object is the business, one of its users or one of its records.
        The data of entries written by staff or the system stays out: it may be staff-internal."""
        business = self.business
        targets = {
            "accounts.business": Business.objects.filter(pk=business.pk),
            "accounts.user": User.objects.filter(pk__in=self.user_ids),
            "onboarding.application": Application.objects.filter(business=business),
            "products.registration": Registration.objects.filter(business=business),
            "products.producttransfer": ProductTransfer.objects.filter(
                Q(from_business=business) | Q(to_business=business)
            ),
            "memberships.subscription": Subscription.objects.filter(business=business),
            "billing.invoice": Invoice.objects.filter(business=business),
            "support.ticket": Ticket.objects.filter(business=business),
        }
        about = reduce(or_, (Q(target_type=label, target_id__in=_ids(rows)) for label, rows in targets.items()))
        entries = AuditLog.objects.filter(about).exclude(action=AuditAction.SUPPORT_NOTE).order_by("pk")
        own = set(self.user_ids)
        fields = (
            "id created_at action object_type=target_type object_id=target_id object=target_repr actor_id "
            "actor_email=actor__email actor_is_staff=actor__is_staff data"
        )

        def rows() -> Iterator[dict[str, Any]]:
            for row in _rows(entries, fields):
                by_business = row.pop("actor_id") in own
                email, is_staff = row.pop("actor_email"), row.pop("actor_is_staff")
                row["by"] = email if by_business else ("staff" if is_staff else "system")
                if not by_business:
                    row["data"] = None
                yield row

        self.json_file("activity.json", {"activity": rows()})

    def write_readme(self, *, generated_at: datetime, actor: User) -> None:
        files = [
            ("business.json", gettext("The business: name, address, VAT number, language, points balance.")),
            ("users.json", gettext("The users of the business, their roles and e-mail preferences.")),
            ("applications.json", gettext("The business account application; its documents are in applications/.")),
            ("products.json", gettext("Registered products, and the old CPS program's products of the business.")),
            ("points.json", gettext("Every credit and debit of points.")),
            ("memberships.json", gettext("Memberships, changes of tier and renewal reminders.")),
            ("invoices.json", gettext("Invoices and credit notes with their lines; the PDFs are in invoices/.")),
            ("payments.json", gettext("Card payments, refunds and bank transfers received for the invoices.")),
            ("tickets.json", gettext("Support requests and their messages; attachments are in tickets/.")),
            ("notifications.json", gettext("The notifications shown to the users under the bell.")),
            ("emails.json", gettext("The e-mails sent to the users of the business.")),
            ("activity.json", gettext("The activity log of the business's records.")),
        ]  # fmt: skip
        when = timezone.localtime(generated_at).isoformat(timespec="seconds")
        lines = [
            gettext("Personal data of %(business)s") % {"business": self.business.name},
            "",
            gettext("Generated on %(when)s for %(user)s.") % {"when": when, "user": actor.email},
            gettext("Dates and times are ISO 8601; amounts are decimal strings; countries are ISO 3166 codes."),
            "",
            *(f"{name}: {text}" for name, text in files),
            "",
            gettext("Invoices are kept for as long as the law requires, even after a person's data is erased."),
        ]
        self.archive.writestr("README.txt", "\n".join(lines) + "\n")
