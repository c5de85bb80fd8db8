from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from propass.core.models import TimeStampedModel

# The words for the codes of `billing.vat.VatTreatment` (which imports this module).
VAT_TREATMENT_LABELS = {
    "domestic": _("Domestic VAT"),
    "reverse_charge": _("Reverse charge"),
    "buyer_country": _("VAT of the buyer's country"),
    "outside_scope": _("Outside the scope of EU VAT"),
}


class SellerEntity(TimeStampedModel):
    """A company of the operator that sells memberships and issues invoices."""

    code = models.SlugField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=200)
    address = models.TextField(_("address"))
    # The address again in its parts, for e-invoices (EN 16931 BT-35 to BT-40).
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2)
    registration_number = models.CharField(
        _("company registration number"),
        max_length=50,
        blank=True,
        help_text=_("As printed on invoices, e.g. the Chamber of Commerce or Companies House number."),
    )
    legal_info = models.CharField(
        _("legal information"),
        max_length=200,
        blank=True,
        help_text=_("Registered office, register and share capital, as the law of the seller's country asks."),
    )
    contact_email = models.EmailField(_("billing contact e-mail"), blank=True)
    contact_phone = models.CharField(_("billing contact telephone"), max_length=40, blank=True)
    peppol_id = models.CharField(
        _("Peppol participant ID"),
        max_length=60,
        blank=True,
        help_text=_('Scheme and identifier, e.g. "0106:12345678".'),
    )
    currency = models.CharField(_("currency"), max_length=3)
    vat_number = models.CharField(_("VAT number"), max_length=20)
    vat_rate = models.DecimalField(_("domestic VAT rate (%)"), max_digits=5, decimal_places=2)
    invoice_series = models.CharField(_("invoice series"), max_length=10, default="INV")
    credit_note_series = models.CharField(_("credit note series"), max_length=10, default="CN")
    payment_terms_days = models.PositiveSmallIntegerField(_("days to pay"), default=30)
    iban = models.CharField(_("IBAN"), max_length=34, blank=True)
    bic = models.CharField(_("BIC"), max_length=11, blank=True)
    buyer_countries = models.JSONField(
        _("sells to"), default=list, blank=True, help_text=_("Buyer countries; empty means every other country.")
    )

    class Meta:
        verbose_name = _("seller entity")
        verbose_name_plural = _("seller entities")

    def __str__(self) -> str:
        return self.name


class VatRate(models.Model):
    """The standard VAT rate of an EU country, for buyers without a VAT number."""

    country = models.CharField(_("country"), max_length=2, unique=True)
    rate = models.DecimalField(_("rate (%)"), max_digits=5, decimal_places=2)

    class Meta:
        verbose_name = _("VAT rate")
        verbose_name_plural = _("VAT rates")
        ordering = ["country"]

    def __str__(self) -> str:
        return f"{self.country} {self.rate}%"


class InvoiceRequest(models.Model):
    """What is owed and must be invoiced: written in the same transaction as the purchase
    or the upgrade, so that no sale is ever without its invoice. The invoicing worker of
    the billing capability turns each into a numbered invoice once."""

    class Kind(models.TextChoices):
        MEMBERSHIP = "membership", _("Membership")
        UPGRADE = "upgrade", _("Upgrade")
        RENEWAL = "renewal", _("Renewal")
        LOAN_FEE = "loan_fee", _("Loan fee")

    subscription = models.ForeignKey(
        "memberships.Subscription", on_delete=models.PROTECT, related_name="invoice_requests"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    description = models.CharField(_("description"), max_length=200)
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    net = models.DecimalField(_("net"), max_digits=10, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    created_at = models.DateTimeField(auto_now_add=True)
    invoiced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("invoice request")
        verbose_name_plural = _("invoice requests")

    def __str__(self) -> str:
        return f"{self.description} {self.net} {self.currency}"


class InvoiceKind(models.TextChoices):
    INVOICE = "invoice", _("Invoice")
    CREDIT_NOTE = "credit_note", _("Credit note")


class InvoiceStatus(models.TextChoices):
    ISSUED = "issued", _("Issued")
    PAID = "paid", _("Paid")
    OVERDUE = "overdue", _("Overdue")
    VOID = "void", _("Void")


# An invoice is paid, or falls overdue (a failed card charge, a transfer past its due date)
# and is paid later; an unpaid invoice credited in full is void. A paid invoice stays paid
# (a refund is a credit note). A credit note that owes money back is issued and becomes paid
# when the refund is made; one that owes nothing is created paid.
INVOICE_TRANSITIONS: dict[str, set[str]] = {
    InvoiceStatus.ISSUED: {InvoiceStatus.PAID, InvoiceStatus.OVERDUE, InvoiceStatus.VOID},
    InvoiceStatus.OVERDUE: {InvoiceStatus.PAID, InvoiceStatus.VOID},
    InvoiceStatus.PAID: set(),
    InvoiceStatus.VOID: set(),
}


class Invoice(models.Model):
    """An issued invoice: numbered without gaps per series and year, never edited afterwards
    (corrections are credit notes). Seller and buyer are copied as they were on the day."""

    request = models.OneToOneField(
        InvoiceRequest, null=True, blank=True, on_delete=models.PROTECT, related_name="invoice"
    )
    business = models.ForeignKey("accounts.Business", on_delete=models.PROTECT, related_name="invoices")
    subscription = models.ForeignKey(
        "memberships.Subscription", null=True, blank=True, on_delete=models.PROTECT, related_name="invoices"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=InvoiceKind.choices, default=InvoiceKind.INVOICE)
    STATUS_TRANSITIONS = INVOICE_TRANSITIONS
    status = models.CharField(_("status"), max_length=10, choices=InvoiceStatus.choices, default=InvoiceStatus.ISSUED)
    series = models.CharField(_("series"), max_length=20)
    number = models.CharField(_("number"), max_length=30, unique=True)
    issue_date = models.DateField(_("issue date"))
    due_date = models.DateField(_("due date"))
    seller = models.ForeignKey(SellerEntity, on_delete=models.PROTECT)
    seller_snapshot = models.JSONField(default=dict)
    buyer_snapshot = models.JSONField(default=dict)
    currency = models.CharField(_("currency"), max_length=3)
    net = models.DecimalField(_("net"), max_digits=12, decimal_places=2)
    vat = models.DecimalField(_("VAT"), max_digits=12, decimal_places=2)
    total = models.DecimalField(_("total"), max_digits=12, decimal_places=2)
    vat_rate = models.DecimalField(_("VAT rate (%)"), max_digits=5, decimal_places=2)
    vat_treatment = models.CharField(_("VAT treatment"), max_length=20)
    vat_note = models.CharField(_("VAT note"), max_length=300, blank=True)
    po_number = models.CharField(_("purchase order number"), max_length=35, blank=True)
    payment_method = models.CharField(_("payment method"), max_length=16)
    reference = models.CharField(_("payment reference"), max_length=35, unique=True)
    language = models.CharField(_("language"), max_length=8, default="en")
    pdf = models.FileField(upload_to="invoices/", max_length=200, blank=True)
    credited_invoice = models.ForeignKey(
        "self", verbose_name=_("credits invoice"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="credit_notes",
    )  # fmt: skip
    credit_reason = models.CharField(_("reason for the credit"), max_length=300, blank=True)
    vies_check = models.ForeignKey(
        "core.ViesCheck", verbose_name=_("VIES check"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", help_text=_("The buyer's VAT number, asked of VIES when the invoice was issued."),
    )  # fmt: skip
    reminders_sent = models.PositiveSmallIntegerField(_("payment reminders sent"), default=0)
    charge_attempts = models.PositiveSmallIntegerField(default=0)
    next_charge_on = models.DateField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-issue_date", "-id"]
        indexes = [
            # Finance's list, newest first, without sorting every invoice.
            models.Index(fields=["-issue_date", "-id"], name="invoice_newest"),
            # Card invoices to charge on a day (the collection job).
            models.Index(
                fields=["next_charge_on", "id"],
                condition=models.Q(payment_method="card", status__in=["issued", "overdue"]),
                name="invoice_card_due",
            ),
            # What is still owed, by currency and due date (finance's aging): open invoices only.
            models.Index(
                fields=["currency", "due_date"],
                condition=models.Q(kind="invoice", status__in=["issued", "overdue"]),
                name="invoice_open_aging",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def vat_treatment_label(self) -> str:
        """The VAT treatment in words (the field keeps the code `billing.vat.VatTreatment` decides)."""
        return str(VAT_TREATMENT_LABELS.get(self.vat_treatment, self.vat_treatment))


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    description = models.CharField(_("description"), max_length=200)
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    net = models.DecimalField(_("net"), max_digits=12, decimal_places=2)
    vat = models.DecimalField(_("VAT"), max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.description


class Payment(models.Model):
    """One attempt to collect an invoice. The idempotency key (invoice number and attempt)
    is unique, so a job run twice, or restarted after a crash, never charges twice."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    class Method(models.TextChoices):
        CARD = "card", _("Card")
        BANK_TRANSFER = "bank_transfer", _("Bank transfer")
        MANUAL = "manual", _("Marked paid by finance")
        REFUND = "refund", _("Refund")

    # A charge or a refund succeeds or fails once; a card payment recorded as failed that the
    # gateway later reports as succeeded is succeeded (the money arrived; that wins).
    STATUS_TRANSITIONS = {
        Status.PENDING: {Status.SUCCEEDED, Status.FAILED},
        Status.FAILED: {Status.SUCCEEDED},
        Status.SUCCEEDED: set(),
    }

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="payments")
    attempt = models.PositiveSmallIntegerField(default=1)
    method = models.CharField(_("method"), max_length=16, choices=Method.choices)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    idempotency_key = models.CharField(max_length=80, unique=True)
    gateway_reference = models.CharField(max_length=100, blank=True)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["-created_at", "-id"], name="payment_newest")]  # finance's list

    def __str__(self) -> str:
        return self.idempotency_key


class PaymentEvent(models.Model):
    """A webhook event from the payment provider, stored once by its id: a redelivery finds
    the stored row and changes nothing."""

    provider = models.CharField(max_length=20)
    event_id = models.CharField(max_length=100)
    type = models.CharField(max_length=100)
    occurred_at = models.DateTimeField(null=True, blank=True)
    payload = models.JSONField(default=dict)
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-received_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["provider", "event_id"], name="payment_event_once")]

    def __str__(self) -> str:
        return f"{self.provider} {self.event_id} {self.type}"


class BankStatement(models.Model):
    """An imported ISO 20022 camt.053 statement; the same statement is imported once."""

    account_iban = models.CharField(_("account"), max_length=34)
    statement_id = models.CharField(_("statement"), max_length=100)
    message_id = models.CharField(max_length=100, blank=True)
    created_on = models.DateTimeField(_("statement date"), null=True, blank=True)
    file_name = models.CharField(_("file"), max_length=200, blank=True)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("bank statement")
        verbose_name_plural = _("bank statements")
        ordering = ["-imported_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["account_iban", "statement_id"], name="bank_statement_once")]

    def __str__(self) -> str:
        return f"{self.account_iban} {self.statement_id}"


class BankLineStatus(models.TextChoices):
    MATCHED = "matched", _("Matched")
    SUGGESTED = "suggested", _("Suggested match")
    UNMATCHED = "unmatched", _("Unmatched")
    IGNORED = "ignored", _("Ignored")


BANK_LINE_TRANSITIONS: dict[str, set[str]] = {
    BankLineStatus.UNMATCHED: {BankLineStatus.MATCHED, BankLineStatus.IGNORED},
    BankLineStatus.SUGGESTED: {BankLineStatus.MATCHED, BankLineStatus.UNMATCHED, BankLineStatus.IGNORED},
    BankLineStatus.IGNORED: {BankLineStatus.UNMATCHED},
    BankLineStatus.MATCHED: set(),
}


class BankLine(models.Model):
    """One credit entry of a statement, matched to an invoice by its RF reference, suggested
    by amount and name, or left for finance."""

    statement = models.ForeignKey(BankStatement, on_delete=models.PROTECT, related_name="lines")
    position = models.PositiveIntegerField()
    entry_reference = models.CharField(_("bank reference"), max_length=100, blank=True)
    booking_date = models.DateField(_("booked"), null=True, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    debtor_name = models.CharField(_("from"), max_length=200, blank=True)
    debtor_iban = models.CharField(_("from account"), max_length=34, blank=True)
    reference = models.CharField(_("structured reference"), max_length=35, blank=True)
    remittance = models.TextField(_("remittance information"), blank=True)
    STATUS_TRANSITIONS = BANK_LINE_TRANSITIONS
    status = models.CharField(_("status"), max_length=10, choices=BankLineStatus.choices)
    invoice = models.ForeignKey(Invoice, null=True, blank=True, on_delete=models.PROTECT, related_name="bank_lines")
    suggested_invoice = models.ForeignKey(Invoice, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("bank line")
        verbose_name_plural = _("bank lines")
        ordering = ["statement", "position"]
        constraints = [models.UniqueConstraint(fields=["statement", "position"], name="bank_line_position")]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency} {self.reference or self.remittance[:30]}"
