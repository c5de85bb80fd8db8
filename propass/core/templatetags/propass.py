"""Formatting for templates, through propass.core.money: `{% money amount currency %}`,
`{% price amount currency %}` (list prices of the levels), `{{ points|points }}`; dates use
`|date:"SHORT_DATE_FORMAT"`, which follows the active language the same way; `{{ code|country_name }}`
names a country (ISO code) in the active language."""

from decimal import Decimal

from django import template
from django.utils.safestring import SafeString, mark_safe
from django_countries import countries

from propass.core.money import money_format, one_period, points_format

register = template.Library()


@register.simple_tag
def money(amount: Decimal | None, currency: str) -> str:
    return "" if amount is None else money_format(Decimal(amount), currency)


@register.simple_tag
def price(amount: Decimal | None, currency: str) -> str:
    return "" if amount is None else money_format(Decimal(amount), currency, price_tag=True)


@register.filter(name="points")
def points_filter(value: int | None) -> str:
    return "" if value is None or value == "" else points_format(value)


@register.filter(name="one_period", is_safe=True)
def one_period_filter(value: str) -> str:
    """`{% blocktranslate asvar sentence %}…{{ company }}.{% endblocktranslate %}{{ sentence|one_period }}`"""
    text = one_period(str(value))
    return mark_safe(text) if isinstance(value, SafeString) else text  # already escaped by blocktranslate


@register.filter(name="country_name")
def country_name(code: str | None) -> str:
    """The country's name in the active language ("Paesi Bassi" for NL in Italian); a code
    that names no country (XI, a stored oddity) as it is."""
    return str(countries.name(code or "") or code or "")
