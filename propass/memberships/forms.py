from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from propass.core.money import money_format
from propass.memberships.enums import PaymentMethod

SANDBOX_CARDS = [
    ("tok_visa", _("Visa •••• 4242 (sandbox: authorises and charges)")),
    ("tok_insufficientFunds", _("Visa •••• 9995 (sandbox: the charge on the due date fails)")),
    ("tok_chargeDeclined", _("Visa •••• 0002 (sandbox: declined)")),
]


AUTO_RENEWAL = _(
    'Auto-Renewal (You can change your subscription type at any time in "Manage Subscription" in your CPS Dashboard)'
)
CARD_TEXT = _(
    "Credit Card - will be authorized with Zero amount today. "
    "Subscription fee will be charged on the due date indicated on the invoice."
)


class ReviewForm(forms.Form):
    term_years = forms.TypedChoiceField(label=_("Term"), coerce=int, choices=[])
    auto_renew = forms.TypedChoiceField(
        label=_("Subscription Type"),
        coerce=lambda value: value == "true",
        initial="true",
        widget=forms.RadioSelect,
        choices=[
            ("true", AUTO_RENEWAL),
            ("false", _("Single term, without renewal")),
        ],
    )  # fmt: skip
    po_number = forms.CharField(
        label=_("Purchase Order Number"),
        max_length=35,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "eg-0123456789"}),
        help_text=_("Optional; printed on the invoice."),
    )
    accept_terms = forms.BooleanField(label=_("Please accept the CPS Terms & Conditions"), required=False)

    def __init__(self, *args: object, prices: dict[int, Decimal], currency: str, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["term_years"].choices = [  # type: ignore[attr-defined]
            (years, term_label(years, amount, prices.get(1), currency)) for years, amount in prices.items()
        ] or [(1, "1")]


def term_discount(years: int, amount: Decimal, yearly: Decimal | None) -> int:
    """How much less a term of `years` costs than paying the yearly price each year, in whole percent."""
    if not yearly or years <= 1:
        return 0
    return int(((1 - amount / (yearly * years)) * 100).quantize(Decimal("1")))


def term_label(years: int, amount: Decimal, yearly: Decimal | None, currency: str) -> str:
    """ "3 years - £229.50 excl. VAT (10% off)": each term with its price and discount."""
    label = ngettext("%(years)s year – %(price)s excl. VAT", "%(years)s years – %(price)s excl. VAT", years) % {
        "years": years,
        "price": money_format(amount, currency),
    }
    discount = term_discount(years, amount, yearly)
    if discount > 0:
        label += " " + str(_("(%(discount)s%% off)") % {"discount": discount})
    return label


class PaymentForm(forms.Form):
    payment_method = forms.ChoiceField(
        label=_("Please select payment option"),
        widget=forms.RadioSelect,
        initial=PaymentMethod.CARD,
        choices=[
            (PaymentMethod.CARD, CARD_TEXT),
            (PaymentMethod.BANK_TRANSFER, _("Bank Transfer (ADDITIONAL BANK CHARGES MAY APPLY)")),
        ],
    )  # fmt: skip
    payment_token = forms.ChoiceField(label=_("Card"), choices=SANDBOX_CARDS, required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        # Needed for card payments only; the service says so when it is missing.
        self.fields["payment_token"].conditional = True  # type: ignore[attr-defined]
