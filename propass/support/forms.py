from django import forms
from django.utils.translation import gettext_lazy as _

from propass.support.enums import TicketCategory

ATTACHMENT_ACCEPT = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"


def _attachment_field() -> forms.FileField:
    # The content checks (type, size, no active content) are in the service.
    return forms.FileField(
        label=_("Attachment (PDF, JPEG or PNG, up to 10 MB)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ATTACHMENT_ACCEPT}),
    )


class TicketForm(forms.Form):
    category = forms.ChoiceField(label=_("About"), choices=TicketCategory.choices)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 6}))
    attachment = _attachment_field()


class ReplyForm(forms.Form):
    body = forms.CharField(label=_("Your reply"), widget=forms.Textarea(attrs={"rows": 5}))
    attachment = _attachment_field()


class StaffReplyForm(forms.Form):
    body = forms.CharField(label=_("Answer to the member"), widget=forms.Textarea(attrs={"rows": 8}))
    attachment = _attachment_field()


class NoteForm(forms.Form):
    body = forms.CharField(
        label=_("Internal note (agents only)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The member never sees internal notes."),
    )
