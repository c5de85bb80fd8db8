from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from propass.accounts.models import Business
from propass.products.models import Registration
from propass.service.enums import ServiceKind
from propass.service.selectors import credited_registrations, service_centres

ATTACHMENT_ACCEPT = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field; the content checks (type, size, no active content) are in
    the service."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ATTACHMENT_ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class RegistrationChoiceField(forms.ModelChoiceField[Registration]):
    def label_from_instance(self, obj: Registration) -> str:
        name = obj.product.name if obj.product else ""
        return f"{name} · {obj.serial_number}"


class ServiceRequestForm(forms.Form):
    registration = RegistrationChoiceField(label=_("Product"), queryset=Registration.objects.none())
    kind = forms.ChoiceField(label=_("What it needs"), choices=ServiceKind.choices, widget=forms.RadioSelect)
    description = forms.CharField(
        label=_("Description"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What is wrong, or what you would like checked."),
    )
    centre = forms.ChoiceField(label=_("Service centre"))
    return_name = forms.CharField(label=_("Name"), max_length=200)
    return_street = forms.CharField(label=_("Street and number"), max_length=200)
    return_postal_code = forms.CharField(label=_("Postal code"), max_length=20)
    return_city = forms.CharField(label=_("City"), max_length=100)
    return_country = forms.ChoiceField(label=_("Country"), choices=[])
    attachments = MultipleFileField(
        label=_("Photos or documents (PDF, JPEG or PNG, up to 5 files of 10 MB)"), required=False
    )

    def __init__(self, *args: Any, business: Business, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        registration = self.fields["registration"]
        assert isinstance(registration, RegistrationChoiceField)
        registration.queryset = credited_registrations(business=business)
        centre = self.fields["centre"]
        assert isinstance(centre, forms.ChoiceField)
        centre.choices = [(c.code, f"{c.name} ({c.city}, {countries.name(str(c.country))})") for c in service_centres()]
        country = self.fields["return_country"]
        assert isinstance(country, forms.ChoiceField)
        country.choices = list(countries)


class SentForm(forms.Form):
    tracking = forms.CharField(label=_("Tracking number"), max_length=100, required=False)
