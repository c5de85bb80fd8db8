"""Back-office pages for program administration: settings, tiers and prices, benefits and
what each tier gives, VAT rates, legal text versions and e-mail previews. Every edit goes through a service of
`propass.program_admin`, which refuses one that would leave the program inconsistent."""

from typing import Any

from csp.decorators import csp_exempt
from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from propass.accounts.enums import StaffGroup
from propass.accounts.permissions import staff_required
from propass.backoffice.previews import email_preview, email_templates
from propass.core.countries import country_choices
from propass.core.errors import DomainError, NotFound
from propass.core.forms import form_add_domain_error
from propass.core.models import LegalText, LegalTextKind
from propass.memberships.enums import BenefitKind, TierFamily
from propass.memberships.models import Benefit, Tier
from propass.onboarding.enums import DocumentType
from propass.program_admin.services import (
    benefit_save,
    legal_text_publish,
    program_update,
    tier_benefit_delete,
    tier_benefit_save,
    tier_price_delete,
    tier_price_save,
    tier_save,
    vat_rate_delete,
    vat_rate_save,
)
from propass.program_admin.validation import (
    PROGRAM_FIELDS,
    TERMS,
    ProgramState,
    benefit_grid,
    price_grid,
    program_state,
    tier_benefit_rows,
)
from propass.support.models import SupportSla

program_admins = staff_required(group=StaffGroup.PROGRAM_ADMIN)


def _number(label: Any, **kwargs: Any) -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=0, max_value=32767, **kwargs)


class ProgramForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Program name"), max_length=200)
    short_name = forms.CharField(label=gettext_lazy("Short name"), max_length=30)
    sender_name = forms.CharField(label=gettext_lazy("Sender name"), max_length=100)
    sender_email = forms.EmailField(label=gettext_lazy("Sender address (no-reply)"))
    operator_country = forms.ChoiceField(label=gettext_lazy("Operator country"), choices=country_choices)
    validation_sla_days = _number(gettext_lazy("Validation time in business days"))
    invitation_threshold = forms.IntegerField(label=gettext_lazy("Points for the invitation"), min_value=0)
    set_password_link_hours = _number(gettext_lazy("Set-password link valid for (hours)"))
    max_upload_mb = _number(gettext_lazy("Largest upload (MB)"))
    business_invoice_max_age_days = _number(gettext_lazy("Business invoice not older than (days)"))
    payment_grace_days = _number(gettext_lazy("Grace period for bank transfers (days)"))
    refund_window_days = _number(gettext_lazy("Refund window (days)"), help_text=gettext_lazy("0 means no refunds."))
    participating_countries = forms.MultipleChoiceField(
        label=gettext_lazy("Participating countries"),
        choices=country_choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    accepted_document_types = forms.MultipleChoiceField(
        label=gettext_lazy("Accepted proofs of business"),
        choices=DocumentType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class TierForm(forms.Form):
    code = forms.SlugField(label=gettext_lazy("Code"), max_length=30)
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    family = forms.ChoiceField(label=gettext_lazy("Family"), choices=TierFamily.choices)
    min_points = forms.IntegerField(label=gettext_lazy("Minimum points"), min_value=0)
    position = _number(gettext_lazy("Order"))
    active = forms.BooleanField(label=gettext_lazy("On sale"), required=False)

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            self.fields["code"].disabled = True


class BenefitForm(forms.Form):
    code = forms.SlugField(label=gettext_lazy("Code"), max_length=40)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=BenefitKind.choices)
    position = _number(gettext_lazy("Order"))

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            self.fields["code"].disabled = True
        for code, language in settings.LANGUAGES:
            self.fields[f"name_{code}"] = forms.CharField(
                label=_("Name (%(language)s)") % {"language": language},
                max_length=200,
                required=False,
                help_text=_("Readers of a language without a name see the English one.") if code == "en" else "",
            )
            self.fields[f"description_{code}"] = forms.CharField(
                label=_("Description (%(language)s)") % {"language": language},
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def names(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        """The name and description fields, language by language."""
        return [(self[f"name_{code}"], self[f"description_{code}"]) for code, _name in settings.LANGUAGES]


class TierBenefitForm(forms.Form):
    """One row of a tier's benefits; the caps come as `cap_<CURRENCY>` fields."""

    benefit = forms.SlugField(max_length=40)
    days = forms.IntegerField(min_value=1, max_value=32767, required=False)
    count = forms.IntegerField(min_value=1, max_value=32767, required=False)
    percent = forms.DecimalField(max_digits=5, decimal_places=2, required=False)
    per_body = forms.BooleanField(required=False)


class PriceForm(forms.Form):
    currency = forms.CharField(label=gettext_lazy("Currency"), max_length=3)
    term_years = forms.TypedChoiceField(
        label=gettext_lazy("Term"), choices=[(years, years) for years in TERMS], coerce=int
    )
    amount = forms.DecimalField(label=gettext_lazy("Price excl. VAT"), max_digits=10, decimal_places=2, required=False)


class VatRateForm(forms.Form):
    country = forms.CharField(label=gettext_lazy("Country code"), max_length=2)
    rate = forms.DecimalField(label=gettext_lazy("Rate (%)"), max_digits=5, decimal_places=2, required=False)


class LegalTextForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Text"), choices=LegalTextKind.choices)
    language = forms.ChoiceField(label=gettext_lazy("Language"), choices=settings.LANGUAGES)
    version = forms.CharField(
        label=gettext_lazy("Version"),
        max_length=20,
        help_text=gettext_lazy("The same for every language, e.g. 2026-07."),
    )
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    body = forms.CharField(label=gettext_lazy("Text"), widget=forms.Textarea(attrs={"rows": 14}))


def _problems(state: ProgramState) -> list[str]:
    return [problem.message for problem in state.problems()]


@program_admins
def program(request: HttpRequest) -> HttpResponse:
    state = program_state()
    initial = {name: getattr(state.program, name) for name in PROGRAM_FIELDS}
    form = ProgramForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            program_update(actor=request.user, **form.cleaned_data)  # type: ignore[arg-type]
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("The program settings are saved."))
            return redirect("backoffice:program")
    columns, rows = price_grid(state)
    return render(
        request,
        "backoffice/program.html",
        {
            "state": state,
            "problems": _problems(state),
            "form": form,
            "columns": columns,
            "rows": rows,
            "vat_form": VatRateForm(),
            "benefit_rows": benefit_grid(state),
            "slas": SupportSla.objects.select_related("tier").order_by("tier__position", "tier__min_points"),
        },
    )


def _tier_initial(tier: Tier) -> dict[str, Any]:
    return {name: getattr(tier, name) for name in ("code", "name", "family", "min_points", "position", "active")}


def _tier_page(request: HttpRequest, state: ProgramState, tier: Tier | None) -> HttpResponse:
    initial = _tier_initial(tier) if tier else {"family": TierFamily.STANDARD, "active": False}
    form = TierForm(request.POST or None, initial=initial, editing=tier is not None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = tier_save(
                actor=request.user,  # type: ignore[arg-type]
                code=tier.code if tier else data["code"],
                name=data["name"],
                family=data["family"],
                min_points=data["min_points"],
                position=data["position"],
                active=data["active"],
                new=tier is None,
            )
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("%(tier)s is saved.") % {"tier": saved.name})
            return redirect("backoffice:program_tier", code=saved.code)
    prices: list[tuple[str, list[tuple[int, Any]]]] = []
    if tier is not None:
        columns, rows = price_grid(state)
        cells = next(row.cells for row in rows if row.tier.pk == tier.pk)
        for currency in dict.fromkeys(currency for currency, _years in columns):
            prices.append(
                (currency, [(years, cell) for (c, years), cell in zip(columns, cells, strict=True) if c == currency])
            )
    return render(
        request,
        "backoffice/program_tier.html",
        {
            "tier": tier, "form": form, "prices": prices, "problems": _problems(state), "price_form": PriceForm(),
            "benefits": tier_benefit_rows(state, tier) if tier is not None else [],
        },
    )  # fmt: skip


@program_admins
def program_tier_new(request: HttpRequest) -> HttpResponse:
    return _tier_page(request, program_state(), None)


@program_admins
def program_tier(request: HttpRequest, code: str) -> HttpResponse:
    state = program_state()
    tier = next((tier for tier in state.tiers if tier.code == code), None)
    if tier is None:
        raise Http404
    return _tier_page(request, state, tier)


@require_POST
@program_admins
def program_price_save(request: HttpRequest, code: str) -> HttpResponse:
    form = PriceForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    else:
        data = form.cleaned_data
        try:
            if request.POST.get("delete"):
                tier_price_delete(
                    actor=request.user,  # type: ignore[arg-type]
                    tier_code=code,
                    currency=data["currency"],
                    term_years=data["term_years"],
                )
                messages.success(request, _("The price is deleted."))
            elif data["amount"] is None:
                messages.error(request, _("Enter an amount, e.g. 85.00."))
            else:
                price = tier_price_save(
                    actor=request.user,  # type: ignore[arg-type]
                    tier_code=code,
                    currency=data["currency"],
                    term_years=data["term_years"],
                    amount=data["amount"],
                )
                messages.success(
                    request,
                    _("The %(years)s-year price in %(currency)s is saved.")
                    % {"years": price.term_years, "currency": price.currency},
                )
        except NotFound:
            raise Http404 from None
        except DomainError as error:
            messages.error(request, error.summary())
    return redirect("backoffice:program_tier", code=code)


def _tier_page_benefits(code: str) -> str:
    return reverse("backoffice:program_tier", args=[code]) + "#benefits-heading"


@require_POST
@program_admins
def program_tier_benefit(request: HttpRequest, code: str) -> HttpResponse:
    """Give a benefit to a tier with its parameters, change them, or take it off the tier."""
    form = TierBenefitForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect(_tier_page_benefits(code))
    data = form.cleaned_data
    try:
        if request.POST.get("delete"):
            tier_benefit_delete(actor=request.user, tier_code=code, benefit_code=data["benefit"])  # type: ignore[arg-type]
            messages.success(request, _("The tier no longer gives this benefit."))
        else:
            given = tier_benefit_save(
                actor=request.user,  # type: ignore[arg-type]
                tier_code=code,
                benefit_code=data["benefit"],
                days=data["days"],
                count=data["count"],
                percent=data["percent"],
                caps={key.removeprefix("cap_"): value for key, value in request.POST.items() if key.startswith("cap_")},
                per_body=data["per_body"],
            )
            saved = {"benefit": given.benefit.name_for(), "tier": given.tier.name}
            messages.success(request, _("%(benefit)s is saved for %(tier)s.") % saved)
    except NotFound:
        raise Http404 from None
    except DomainError as error:
        messages.error(request, error.summary())
    return redirect(_tier_page_benefits(code))


def _benefit_initial(benefit: Benefit) -> dict[str, Any]:
    initial: dict[str, Any] = {"code": benefit.code, "kind": benefit.kind, "position": benefit.position}
    for code, _name in settings.LANGUAGES:
        initial[f"name_{code}"] = benefit.names.get(code, "")
        initial[f"description_{code}"] = benefit.descriptions.get(code, "")
    return initial


def _benefit_page(request: HttpRequest, state: ProgramState, benefit: Benefit | None) -> HttpResponse:
    initial = _benefit_initial(benefit) if benefit else {"position": len(state.benefits)}
    form = BenefitForm(request.POST or None, initial=initial, editing=benefit is not None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = benefit_save(
                actor=request.user,  # type: ignore[arg-type]
                code=benefit.code if benefit else data["code"],
                kind=data["kind"],
                names={code: data[f"name_{code}"] for code, _name in settings.LANGUAGES},
                descriptions={code: data[f"description_{code}"] for code, _name in settings.LANGUAGES},
                position=data["position"],
                new=benefit is None,
            )
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("%(benefit)s is saved.") % {"benefit": saved.name_for()})
            return redirect("backoffice:program_benefit", code=saved.code)
    givers = []
    if benefit is not None:
        row = next(row for row in benefit_grid(state) if row.benefit.pk == benefit.pk)
        givers = [(tier, cell) for tier, cell in zip(state.tiers, row.cells, strict=True) if cell is not None]
    return render(
        request,
        "backoffice/program_benefit.html",
        {"benefit": benefit, "form": form, "givers": givers, "problems": _problems(state)},
    )


@program_admins
def program_benefit_new(request: HttpRequest) -> HttpResponse:
    return _benefit_page(request, program_state(), None)


@program_admins
def program_benefit(request: HttpRequest, code: str) -> HttpResponse:
    state = program_state()
    benefit = next((benefit for benefit in state.benefits if benefit.code == code), None)
    if benefit is None:
        raise Http404
    return _benefit_page(request, state, benefit)


@require_POST
@program_admins
def program_vat_save(request: HttpRequest) -> HttpResponse:
    form = VatRateForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("backoffice:program")
    data = form.cleaned_data
    try:
        if request.POST.get("delete"):
            vat_rate_delete(actor=request.user, country=data["country"])  # type: ignore[arg-type]
            messages.success(request, _("The VAT rate of %(country)s is deleted.") % {"country": data["country"]})
        elif data["rate"] is None:
            messages.error(request, _("Enter a rate, e.g. 21."))
        else:
            vat = vat_rate_save(actor=request.user, country=data["country"], rate=data["rate"])  # type: ignore[arg-type]
            messages.success(request, _("The VAT rate of %(country)s is saved.") % {"country": vat.country})
    except DomainError as error:
        messages.error(request, error.summary())
    return redirect("backoffice:program")


@program_admins
def legal_texts(request: HttpRequest) -> HttpResponse:
    groups: dict[tuple[str, str], list[LegalText]] = {}
    for text in LegalText.objects.order_by("kind", "language", "-published_at", "-pk"):
        groups.setdefault((text.kind, text.language), []).append(text)
    # "New version" links start from the newest text of that kind and language (or English).
    kind, language = request.GET.get("kind", ""), request.GET.get("language", "")
    latest = next(iter(groups.get((kind, language)) or groups.get((kind, "en")) or []), None)
    initial = {"kind": kind, "language": language}
    if latest is not None:
        initial.update(title=latest.title, body=latest.body)
    form = LegalTextForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            text = legal_text_publish(actor=request.user, **form.cleaned_data)  # type: ignore[arg-type]
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(
                request,
                _("Version %(version)s of %(title)s is published.") % {"version": text.version, "title": text.title},
            )
            return redirect("backoffice:legal_texts")
    languages = dict(settings.LANGUAGES)
    kinds = [
        (each, [(code, languages[code], groups.get((each.value, code), [])) for code in languages])
        for each in LegalTextKind
    ]
    return render(request, "backoffice/program_legal.html", {"form": form, "kinds": kinds})


@program_admins
def email_previews(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "backoffice/program_emails.html",
        {"templates": email_templates(), "languages": settings.LANGUAGES},
    )


@program_admins
def email_preview_page(request: HttpRequest, template: str, language: str) -> HttpResponse:
    try:
        preview = email_preview(template=template, language=language)
    except NotFound:
        raise Http404 from None
    return render(
        request,
        "backoffice/program_email.html",
        {"preview": preview, "languages": settings.LANGUAGES, "templates": email_templates()},
    )


@csp_exempt()  # type: ignore[arg-type]
@program_admins
def email_preview_html(request: HttpRequest, template: str, language: str) -> HttpResponse:
    """The HTML version of a preview, for the sandboxed frame: its inline styles are allowed
    here only, scripts nowhere."""
    try:
        preview = email_preview(template=template, language=language)
    except NotFound:
        raise Http404 from None
    response = HttpResponse(preview.html)
    response["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'; sandbox"
    )
    response["X-Frame-Options"] = "SAMEORIGIN"
    return response
