from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from propass.accounts.forms import LanguageForm, LoginForm
from propass.accounts.selectors import business_of
from propass.accounts.services import user_set_language


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


@login_required
def account(request: HttpRequest) -> HttpResponse:
    business = business_of(request.user)  # type: ignore[arg-type]
    if request.method == "POST":
        form = LanguageForm(request.POST)
        if form.is_valid():
            user_set_language(user=request.user, language=form.cleaned_data["language"])  # type: ignore[arg-type]
            messages.success(request, _("Your language was saved."))
            return redirect("accounts:account")
    else:
        form = LanguageForm(initial={"language": request.user.language})  # type: ignore[union-attr]
    team = business.memberships.select_related("user").order_by("user__email") if business else []
    return render(request, "accounts/account.html", {"business": business, "team": team, "form": form})
