from django import forms
from django.utils.translation import gettext_lazy as _

from propass.catalog.models import ProductModel
from propass.core.countries import country_choices
from propass.core.forms import DatePicker
from propass.products.services import RegistrationInput


class ProductModelChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: ProductModel) -> str:  # type: ignore[override]
        # The same label as the catalog search's answer (products/_catalog_options.html).
        return f"{obj.name} ({obj.get_category_display()})"


class RegistrationForm(forms.Form):
    """All five details are needed for points; a best guess for the date or dealer is fine."""

    product = ProductModelChoiceField(
        label=_("Model"),
        queryset=ProductModel.objects.order_by("name"),
        required=False,
        empty_label=_("Choose a model"),
    )
    serial_number = forms.CharField(label=_("Serial number"), max_length=100, required=False)
    purchase_date = forms.DateField(
        label=_("Purchase date"),
        required=False,
        widget=DatePicker(),
        help_text=_("Not sure? Your best guess is enough."),
    )
    country_of_purchase = forms.ChoiceField(label=_("Country of purchase"), required=False)
    dealer = forms.CharField(
        label=_("Dealer"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"list": "dealers", "autocomplete": "off"}),
        help_text=_("Pick one from the list or type the name."),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["country_of_purchase"].choices = [("", "—"), *country_choices()]  # type: ignore[attr-defined]
        for name in ("product", "serial_number", "purchase_date", "country_of_purchase", "dealer"):
            self.fields[name].conditional = True  # type: ignore[attr-defined]

    def mark_missing(self, names: list[str]) -> None:
        """Show the details a saved registration still lacks as fields in error (red, with
        aria-invalid), before the member submits anything."""
        errors = self.errors  # an unbound form's errors are empty, and stay so unless added here
        for name in names:
            if name in self.fields:
                # field_id: the list gets the id the field's aria-describedby names.
                errors[name] = self.error_class([str(_("Needed for points."))], field_id=self[name].auto_id)

    def to_input(self) -> RegistrationInput:
        data = self.cleaned_data
        return RegistrationInput(
            product_id=data["product"].pk if data.get("product") else None,
            serial_number=data.get("serial_number", ""),
            purchase_date=data.get("purchase_date"),
            country_of_purchase=data.get("country_of_purchase", ""),
            dealer=data.get("dealer", ""),
        )


class TransferOfferForm(forms.Form):
    recipient = forms.CharField(
        label=_("E-mail of one of its users, or its VAT number"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text=_("The business must be in the program; it accepts the product with the date it bought it."),
    )


class TransferAcceptForm(forms.Form):
    purchase_date = forms.DateField(label=_("The date you bought it"), widget=DatePicker())
    proof = forms.FileField(
        label=_("Proof of purchase (optional)"),
        required=False,
        help_text=_("PDF, JPEG or PNG."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}),
    )
