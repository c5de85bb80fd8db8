from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from propass.core.models import TimeStampedModel
from propass.memberships.enums import TierFamily


class Tier(TimeStampedModel):
    """A paid membership level, open to businesses with at least `min_points`."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    family = models.CharField(_("family"), max_length=12, choices=TierFamily.choices, default=TierFamily.STANDARD)
    min_points = models.PositiveIntegerField(_("minimum points"))
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    benefits = models.JSONField(
        _("benefits"), default=dict, blank=True, help_text=_('Per language: {"en": ["…", "…"], "it": [...]}')
    )
    active = models.BooleanField(_("on sale"), default=True)

    class Meta:
        verbose_name = _("tier")
        verbose_name_plural = _("tiers")
        ordering = ["position", "min_points"]

    def __str__(self) -> str:
        return self.name

    def benefits_for(self, language: str | None = None) -> list[str]:
        language = (language or get_language() or "en")[:2]
        return list(self.benefits.get(language) or self.benefits.get("en") or [])


class TierPrice(models.Model):
    """The price of a tier excluding VAT, for a currency and a term of 1, 2 or 3 years."""

    tier = models.ForeignKey(Tier, on_delete=models.CASCADE, related_name="prices")
    currency = models.CharField(_("currency"), max_length=3)
    term_years = models.PositiveSmallIntegerField(_("term (years)"), choices=[(1, "1"), (2, "2"), (3, "3")])
    amount = models.DecimalField(_("price excl. VAT"), max_digits=10, decimal_places=2)

    class Meta:
        verbose_name = _("tier price")
        verbose_name_plural = _("tier prices")
        constraints = [
            models.UniqueConstraint(fields=["tier", "currency", "term_years"], name="one_price_per_tier_currency_term")
        ]
        ordering = ["tier", "currency", "term_years"]

    def __str__(self) -> str:
        return f"{self.tier} {self.term_years}y {self.amount} {self.currency}"
