from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from propass.core.models import TimeStampedModel


class FaqCategory(models.Model):
    """A group of questions on the FAQ page, named in every language (English as fallback)."""

    slug = models.SlugField(_("slug"), max_length=50, unique=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    names = models.JSONField(
        _("names"), default=dict, blank=True, help_text=_('Per language: {"en": "Support", "it": "Assistenza"}')
    )

    class Meta:
        verbose_name = _("FAQ category")
        verbose_name_plural = _("FAQ categories")
        ordering = ["position", "slug"]

    def __str__(self) -> str:
        return self.name_for("en")

    def name_for(self, language: str | None = None) -> str:
        language = (language or get_language() or "en")[:2]
        return str(self.names.get(language) or self.names.get("en") or self.slug)

    @property
    def name(self) -> str:
        """The name in the active language."""
        return self.name_for()


class FaqEntry(TimeStampedModel):
    """One question and its answer in one language; `key` joins the languages of a question
    and is the anchor other pages link to (/faq/#key)."""

    category = models.ForeignKey(
        FaqCategory, verbose_name=_("category"), on_delete=models.PROTECT, related_name="entries"
    )
    key = models.SlugField(_("key"), max_length=80, help_text=_("The same for every language of a question."))
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    question = models.CharField(_("question"), max_length=300)
    answer = models.TextField(_("answer"), help_text=_("Plain text; separate paragraphs with a blank line."))
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    published = models.BooleanField(_("published"), default=True)

    class Meta:
        verbose_name = _("FAQ entry")
        verbose_name_plural = _("FAQ entries")
        ordering = ["category__position", "position", "key", "language"]
        constraints = [models.UniqueConstraint(fields=["key", "language"], name="faq_entry_one_per_key_language")]
        indexes = [models.Index(fields=["language", "published"])]

    def __str__(self) -> str:
        return f"{self.key} [{self.language}]"
