from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from propass.core.countries import country_choices
from propass.onboarding.enums import NON_VAT_DOCUMENTS, VAT_DOCUMENTS, DocumentType


class ApplicationForm(forms.Form):
    """Parses the application; the rules (VAT, documents, duplicates) are in the service."""

    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    email = forms.EmailField(
        label=_("E-mail"),
        help_text=_("This will be your login."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label=_("Phone"), max_length=32, widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"})
    )
    language = forms.ChoiceField(label=_("Preferred language"), choices=settings.LANGUAGES)
    company_name = forms.CharField(label=_("Company name"), max_length=200)
    street = forms.CharField(label=_("Street and number"), max_length=200)
    postal_code = forms.CharField(label=_("Postal code"), max_length=20)
    city = forms.CharField(label=_("City"), max_length=100)
    country = forms.ChoiceField(label=_("Country"))
    vat_registered = forms.TypedChoiceField(
        label=_("VAT status"),
        choices=[("true", _("The company is VAT-registered")), ("false", _("The company has no VAT number"))],
        coerce=lambda value: value == "true",
        widget=forms.RadioSelect,
    )
    vat_number = forms.CharField(label=_("VAT number"), max_length=30, required=False)
    document_type = forms.ChoiceField(
        label=_("Document"),
        choices=DocumentType.choices,
        help_text=_(
            "VAT-registered: a VAT certificate or a commercial invoice showing the VAT number and company name. "
            "Not VAT-registered: ONE business invoice (not older than 3 months), business or professional licence, "
            "or chamber-of-commerce certificate showing the company name and address."
        ),
    )
    document = forms.FileField(
        label=_("File (PDF, JPEG or PNG, up to 10 MB)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}),
    )
    legacy_email = forms.EmailField(
        label=_("E-mail of your old CPS account"),
        required=False,
        help_text=_("So that previously registered products are available for migration."),
    )
    authorised = forms.BooleanField(label=_("I am authorised to provide these details for the company."))
    accept_terms = forms.BooleanField(label=_("I accept the business account terms and the privacy notice."))

    def __init__(self, *args: object, participating: list[str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["country"].choices = country_choices(participating)  # type: ignore[attr-defined]
        # Required when the company is VAT-registered; the service enforces it.
        self.fields["vat_number"].conditional = True  # type: ignore[attr-defined]
        self.vat_document_types = VAT_DOCUMENTS
        self.non_vat_document_types = NON_VAT_DOCUMENTS


class AdditionalDocumentForm(forms.Form):
    document_type = forms.ChoiceField(label=_("Document"), choices=DocumentType.choices)
    document = forms.FileField(label=_("File (PDF, JPEG or PNG, up to 10 MB)"))


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason (sent to the applicant)"), widget=forms.Textarea(attrs={"rows": 3}))


class RequestInfoForm(forms.Form):
    message = forms.CharField(
        label=_("What is missing (sent to the applicant)"), widget=forms.Textarea(attrs={"rows": 3})
    )
