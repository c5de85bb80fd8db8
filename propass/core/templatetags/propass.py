from decimal import Decimal

from django import template

from propass.core.money import money_format

register = template.Library()


@register.simple_tag
def money(amount: Decimal | None, currency: str) -> str:
    return "" if amount is None else money_format(Decimal(amount), currency)
