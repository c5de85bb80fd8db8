"""Back-office pages for the FAQ: every question with its languages, and the forms that
write one language of a question or a category."""

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from propass.accounts.enums import StaffGroup
from propass.accounts.permissions import staff_required
from propass.core.errors import DomainError
from propass.core.forms import form_add_domain_error
from propass.faq.models import FaqCategory, FaqEntry
from propass.faq.selectors import faq_keys
from propass.faq.services import FaqCategoryInput, FaqEntryInput, faq_category_save, faq_entry_save

faq_editors = staff_required(groups=(StaffGroup.SUPPORT, StaffGroup.PROGRAM_ADMIN))


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.name


class FaqEntryForm(forms.Form):
    category = CategoryChoiceField(label=gettext_lazy("Category"), queryset=FaqCategory.objects.all())
    key = forms.SlugField(
        label=gettext_lazy("Key"),
        max_length=80,
        help_text=gettext_lazy("The same for every language of a question; pages link to /faq/#key."),
    )
    language = forms.ChoiceField(label=gettext_lazy("Language"), choices=settings.LANGUAGES)
    question = forms.CharField(label=gettext_lazy("Question"), max_length=300)
    answer = forms.CharField(
        label=gettext_lazy("Answer"),
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=gettext_lazy("Plain text; separate paragraphs with a blank line."),
    )
    position = forms.IntegerField(label=gettext_lazy("Order"), min_value=0, initial=0)
    published = forms.BooleanField(label=gettext_lazy("Published"), required=False, initial=True)


class FaqCategoryForm(forms.Form):
    slug = forms.SlugField(label=gettext_lazy("Slug"), max_length=50)
    position = forms.IntegerField(label=gettext_lazy("Order"), min_value=0, initial=0)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for code, name in settings.LANGUAGES:
            self.fields[f"name_{code}"] = forms.CharField(
                label=_("Name (%(language)s)") % {"language": name}, max_length=100, required=code == "en"
            )


@faq_editors
def faq(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "backoffice/faq.html",
        {"rows": faq_keys(), "categories": FaqCategory.objects.all(), "languages": settings.LANGUAGES},
    )


@faq_editors
def faq_entry_new(request: HttpRequest) -> HttpResponse:
    return _entry_page(request, None)


@faq_editors
def faq_entry_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _entry_page(request, get_object_or_404(FaqEntry, pk=pk))


def _entry_page(request: HttpRequest, entry: FaqEntry | None) -> HttpResponse:
    if entry is not None:
        initial: dict[str, Any] = {
            "category": entry.category_id, "key": entry.key, "language": entry.language, "question": entry.question,
            "answer": entry.answer, "position": entry.position, "published": entry.published,
        }  # fmt: skip
    else:
        # "Add a language" links on the list prefill the key, the language and the category.
        initial = {
            name: request.GET[name] for name in ("key", "language", "category", "position") if request.GET.get(name)
        }
        initial.setdefault("published", True)
    form = FaqEntryForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = faq_entry_save(
                actor=request.user,  # type: ignore[arg-type]
                entry_id=entry.pk if entry else None,
                data=FaqEntryInput(
                    category_id=data["category"].pk,
                    key=data["key"],
                    language=data["language"],
                    question=data["question"],
                    answer=data["answer"],
                    position=data["position"],
                    published=data["published"],
                ),
            )
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(
                request, _("Saved: %(key)s (%(language)s).") % {"key": saved.key, "language": saved.language}
            )
            return redirect("backoffice:faq")
    key = entry.key if entry else initial.get("key", "")
    reference = (
        FaqEntry.objects.filter(key=key, language="en").exclude(pk=entry.pk if entry else 0).first() if key else None
    )
    return render(request, "backoffice/faq_entry.html", {"form": form, "entry": entry, "reference": reference})


@faq_editors
def faq_category_new(request: HttpRequest) -> HttpResponse:
    return _category_page(request, None)


@faq_editors
def faq_category_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _category_page(request, get_object_or_404(FaqCategory, pk=pk))


def _category_page(request: HttpRequest, category: FaqCategory | None) -> HttpResponse:
    initial: dict[str, Any] = {}
    if category is not None:
        initial = {"slug": category.slug, "position": category.position}
        initial.update({f"name_{code}": name for code, name in category.names.items()})
    form = FaqCategoryForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            faq_category_save(
                actor=request.user,  # type: ignore[arg-type]
                category_id=category.pk if category else None,
                data=FaqCategoryInput(
                    slug=data["slug"],
                    position=data["position"],
                    names={code: data[f"name_{code}"] for code, _name in settings.LANGUAGES},
                ),
            )
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("The category is saved."))
            return redirect("backoffice:faq")
    return render(request, "backoffice/faq_category.html", {"form": form, "category": category})
