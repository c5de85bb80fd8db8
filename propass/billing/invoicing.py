"""Issuing invoices: the background step after a purchase, a renewal or an upgrade."""

import logging
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.tasks import task
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stdnum.iso7064 import mod_97_10

from propass.billing.models import Invoice, InvoiceLine, InvoiceRequest, SellerEntity
from propass.billing.pdf import invoice_pdf_render
from propass.billing.vat import VatDecision, VatTreatment, vat_decide
from propass.core.services import sequence_next, sequence_next_block
from propass.core.tasks import in_background
from propass.core.vies import vies_checks_request
from propass.notifications.services import business_notify, businesses_notify

logger = logging.getLogger(__name__)


def structured_reference(number: str) -> str:
    """An ISO 11649 creditor reference ("RF" + check digits + the invoice number's digits)."""
    base = "".join(ch for ch in number if ch.isalnum()).upper()[-21:]
    return f"RF{mod_97_10.calc_check_digits(base + 'RF')}{base}"


SELLER_SNAPSHOT_FIELDS = (
    "name", "address", "street", "postal_code", "city", "country", "vat_number", "registration_number", "legal_info",
    "contact_email", "contact_phone", "peppol_id", "iban", "bic",
)  # fmt: skip


def seller_snapshot(seller: SellerEntity) -> dict[str, str]:
    """The seller as an invoice prints it: kept with the invoice, which never changes."""
    return {field: getattr(seller, field) for field in SELLER_SNAPSHOT_FIELDS}


def invoice_series(*, seller: SellerEntity, day: date) -> str:
    """The series an invoice of `seller` issued on `day` is numbered in: one per seller and year."""
    return f"{seller.invoice_series}-{day.year}"


def invoice_sequence_name(series: str) -> str:
    """The `core.Sequence` that hands out the series' numbers."""
    return f"invoice:{series}"


def invoice_number(*, series: str, value: int) -> str:
    return f"{series}-{value:06d}"


def invoice_issue(*, request_id: int) -> Invoice:
    """Turn an invoice request into a numbered invoice, once. The number comes from the
    seller's series for the year, gap-free: it is drawn in the same transaction that saves
    the invoice, so a failure hands the number out again."""
    with transaction.atomic():
        # Only the request is locked: locking the joined subscription and business too took
        # them in the join's order and deadlocked with a change of plan (business, then subscription).
        request = (
            InvoiceRequest.objects.select_for_update(of=("self",))
            .select_related("subscription__business", "subscription__tier")
            .get(pk=request_id)
        )
        existing = Invoice.objects.filter(request=request).first()
        if existing is not None:
            return existing
        today = timezone.localdate()
        decision = vat_decide(business=request.subscription.business)
        series = invoice_series(seller=decision.seller, day=today)
        invoice, line = _invoice_of(request, decision, series, sequence_next(name=invoice_sequence_name(series)), today)
        _vies_evidence([invoice])
        invoice.save(force_insert=True)
        line.invoice = invoice
        line.save(force_insert=True)
        request.invoiced_at = timezone.now()
        request.save(update_fields=["invoiced_at"])
        _announce(invoice)
        transaction.on_commit(lambda: _enqueue_pdf(invoice.pk))
    return invoice


def _invoice_of(
    request: InvoiceRequest, decision: VatDecision, series: str, sequence: int, today: date
) -> tuple[Invoice, InvoiceLine]:
    """The invoice (and its one line) a request becomes, numbered `sequence` in `series`; unsaved."""
    subscription = request.subscription
    business = subscription.business
    seller = decision.seller
    number = invoice_number(series=series, value=sequence)
    vat = decision.vat_on(request.net)
    invoice = Invoice(
        request=request,
        business=business,
        subscription=subscription,
        series=series,
        number=number,
        issue_date=today,
        due_date=today + timedelta(days=seller.payment_terms_days),
        seller=seller,
        seller_snapshot=seller_snapshot(seller),
        buyer_snapshot={
            "name": business.name, "street": business.street, "postal_code": business.postal_code,
            "city": business.city, "country": str(business.country), "vat_number": business.vat_number,
            "peppol_id": business.peppol_id,
            **({"card_last4": subscription.card_last4} if subscription.payment_method == "card" else {}),
        },
        currency=request.currency,
        net=request.net,
        vat=vat,
        total=request.net + vat,
        vat_rate=decision.rate,
        vat_treatment=decision.treatment,
        vat_note=decision.note,
        po_number=subscription.po_number,
        payment_method=subscription.payment_method,
        reference=structured_reference(number),
        language=business.language,
        next_charge_on=today + timedelta(days=seller.payment_terms_days)
        if subscription.payment_method == "card"
        else None,
    )  # fmt: skip
    line = InvoiceLine(
        description=request.description,
        period_start=request.period_start,
        period_end=request.period_end,
        net=request.net,
        vat=vat,
    )
    return invoice, line


def _vies_evidence(invoices: list[Invoice]) -> None:
    """The reverse charge rests on a VIES check of the buyer's VAT number, with the seller's as
    requester: one is asked for each reverse-charge invoice (unsaved) and linked to it. VIES is
    asked once the invoice is committed; issuing never waits on it, nor fails because of it."""
    charged = [
        invoice
        for invoice in invoices
        if invoice.vat_treatment == VatTreatment.REVERSE_CHARGE and invoice.buyer_snapshot.get("vat_number")
    ]
    if not charged or not settings.VIES_ENABLED:
        return
    items = [
        (invoice.buyer_snapshot["country"], invoice.buyer_snapshot["vat_number"], invoice.seller.vat_number)
        for invoice in charged
    ]
    try:
        with transaction.atomic():
            checks = vies_checks_request(items=items)
    except Exception:
        logger.exception("could not record the VIES checks of %s invoices; they are issued without", len(charged))
        return
    for invoice, check in zip(charged, checks, strict=True):
        invoice.vies_check = check


def invoices_issue(*, request_ids: list[int]) -> list[Invoice]:
    """`invoice_issue` for many requests at once (a renewal day): the requests locked together,
    each series' numbers drawn as one gap-free block in request order, invoices and lines written
    in one INSERT each; every invoice announced as one issued alone would be; the PDFs follow
    in the background. Requests already invoiced are left as they are."""
    today = timezone.localdate()
    with transaction.atomic():
        requests = list(
            InvoiceRequest.objects.select_for_update(of=("self",))
            .select_related("subscription__business", "subscription__tier")
            .prefetch_related("subscription__business__memberships__user")
            .filter(pk__in=request_ids, invoiced_at__isnull=True)
            .order_by("pk")
        )
        done = set(Invoice.objects.filter(request__in=requests).values_list("request_id", flat=True))
        requests = [request for request in requests if request.pk not in done]
        if not requests:
            return []
        decisions: dict[tuple[str, bool], VatDecision] = {}
        by_series: dict[str, list[tuple[InvoiceRequest, VatDecision]]] = {}
        for request in requests:
            business = request.subscription.business
            key = (str(business.country), bool(business.vat_number))
            decision = decisions.get(key) or decisions.setdefault(key, vat_decide(business=business))
            by_series.setdefault(invoice_series(seller=decision.seller, day=today), []).append((request, decision))
        pairs = []
        for series, items in by_series.items():
            first = sequence_next_block(name=invoice_sequence_name(series), count=len(items))
            pairs += [_invoice_of(request, decision, series, first + i, today) for i, (request, decision) in
                      enumerate(items)]  # fmt: skip
        _vies_evidence([invoice for invoice, _line in pairs])
        invoices = Invoice.objects.bulk_create([invoice for invoice, _line in pairs])
        for invoice, line in pairs:
            line.invoice = invoice
        InvoiceLine.objects.bulk_create([line for _invoice, line in pairs])
        InvoiceRequest.objects.filter(pk__in=[request.pk for request in requests]).update(invoiced_at=timezone.now())
        _announce_many(invoices)
        ids = [invoice.pk for invoice in invoices]
        transaction.on_commit(lambda: _enqueue_pdfs(ids))
    return invoices


CARD_BODY = _("%(total)s %(currency)s, charged to your card on the due date, %(due)s.")
TRANSFER_BODY = _(
    "%(total)s %(currency)s, due on %(due)s. Please transfer it to IBAN %(iban)s, BIC %(bic)s, with the "
    "reference %(reference)s."
)
ISSUED_TITLE = _("Invoice %(number)s is ready")


def _announce_params(invoice: Invoice) -> dict:
    return {
        "number": invoice.number,
        "total": invoice.total,
        "currency": invoice.currency,
        "due": invoice.due_date.isoformat(),
        "reference": invoice.reference,
        "iban": invoice.seller_snapshot.get("iban", ""),
        "bic": invoice.seller_snapshot.get("bic", ""),
    }


def _announce(invoice: Invoice) -> None:
    business_notify(
        business=invoice.business,
        kind="invoice_issued",
        title=ISSUED_TITLE,
        body=CARD_BODY if invoice.payment_method == "card" else TRANSFER_BODY,
        url=reverse("memberships:subscriptions"),
        params=_announce_params(invoice),
        billing_only=True,
    )


def _announce_many(invoices: list[Invoice]) -> None:
    """`_announce` for a batch (the businesses' users prefetched)."""
    for card in (True, False):
        chosen = [invoice for invoice in invoices if (invoice.payment_method == "card") == card]
        if chosen:
            businesses_notify(
                entries=[(invoice.business, _announce_params(invoice)) for invoice in chosen],
                kind="invoice_issued",
                title=ISSUED_TITLE,
                body=CARD_BODY if card else TRANSFER_BODY,
                url=reverse("memberships:subscriptions"),
                billing_only=True,
            )


def _enqueue_pdf(invoice_id: int) -> None:
    try:
        in_background(invoice_pdf_task).enqueue(invoice_id)
    except Exception:
        logger.exception("could not enqueue the PDF of invoice %s; it is rendered when first opened", invoice_id)


def invoice_issue_pending(*, limit: int = 500) -> int:
    """Issue every request still waiting (the periodic catch-up after an outage)."""
    pending = list(InvoiceRequest.objects.filter(invoiced_at__isnull=True).values_list("pk", flat=True)[:limit])
    for request_id in pending:
        invoice_issue(request_id=request_id)
    return len(pending)


def invoice_request_create(**fields: object) -> InvoiceRequest:
    """Record what must be invoiced, in the caller's transaction; the invoice is issued by the
    worker once that transaction commits (and by the periodic catch-up if enqueuing fails)."""
    request = InvoiceRequest.objects.create(**fields)
    transaction.on_commit(lambda: _enqueue(request.pk))
    return request


def invoice_requests_create(rows: list[dict[str, object]]) -> list[InvoiceRequest]:
    """Record many invoice requests in one INSERT, in the caller's transaction, for a caller
    that issues them itself right after (`invoices_issue`); the periodic catch-up issues any
    a crash left behind."""
    return InvoiceRequest.objects.bulk_create([InvoiceRequest(**row) for row in rows])


def _enqueue(request_id: int) -> None:
    try:
        invoice_issue_task.enqueue(request_id)
    except Exception:
        logger.exception("could not enqueue invoice request %s; the periodic job will issue it", request_id)


@task()
def invoice_issue_task(request_id: int) -> None:
    invoice_issue(request_id=request_id)


@task()
def invoice_pdf_task(invoice_id: int) -> None:
    invoice_pdf_render(invoice_id=invoice_id)


@task()
def invoice_pdfs_task(invoice_ids: list[int]) -> None:
    for invoice_id in invoice_ids:
        invoice_pdf_render(invoice_id=invoice_id)


def _enqueue_pdfs(invoice_ids: list[int]) -> None:
    try:
        in_background(invoice_pdfs_task).enqueue(invoice_ids)
    except Exception:
        logger.exception(
            "could not enqueue the PDFs of %s invoices; each is rendered when first opened", len(invoice_ids)
        )
