from django.db.models import Count

from propass.products.models import LegacyAccount


def legacy_products_count(*, email: str) -> int | None:
    """How many products the old CPS account with this e-mail had; None if there is none."""
    account = (
        LegacyAccount.objects.filter(email__iexact=email.strip()).annotate(products=Count("registrations")).first()
    )
    return account.products if account is not None else None  # type: ignore[attr-defined]
