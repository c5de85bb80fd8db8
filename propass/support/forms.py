from django import forms
from django.utils.translation import gettext_lazy as _

from propass.support.enums import TicketCategory


class TicketForm(forms.Form):
    category = forms.ChoiceField(label=_("About"), choices=TicketCategory.choices)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 6}))
