"""Back-office page for program admins: erase a person on request."""

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from propass.accounts.enums import StaffGroup
from propass.accounts.permissions import staff_required
from propass.core.errors import DomainError, NotFound
from propass.core.forms import form_add_domain_error
from propass.privacy.erasure import person_erase, person_erasure_plan

program_admin = staff_required(group=StaffGroup.PROGRAM_ADMIN)


class EraseForm(forms.Form):
    # Both are checked by the service, so the page shows the service's own messages.
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("For the audit log, e.g. the date and channel of the person's request."),
    )
    confirm = forms.CharField(
        label=gettext_lazy("Type the person's e-mail address to confirm"), required=False, max_length=254
    )


@program_admin
def person_erase_view(request: HttpRequest, user_id: int) -> HttpResponse:
    try:
        plan = person_erasure_plan(user_id=user_id)
    except NotFound:
        raise Http404 from None
    form = EraseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            person_erase(
                user_id=user_id,
                actor=request.user,  # type: ignore[arg-type]
                reason=form.cleaned_data["reason"],
                confirm_email=form.cleaned_data["confirm"],
            )
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("The person's data was erased."))
            return redirect("backoffice:person_erase", user_id=user_id)
    return render(request, "backoffice/person_erase.html", {"plan": plan, "form": form})
