"""Program administration: the program's settings, tiers, prices, VAT rates and legal texts
are data an operator edits (PRODUCT.md §7, §9, §12). `validation` says whether that data
makes a program that works; `services` apply an edit only when it adds no problem, under one
lock, audited with before and after."""

from propass.core.program_admin.services import (
    legal_text_publish,
    program_update,
    tier_price_delete,
    tier_price_save,
    tier_save,
    vat_rate_delete,
    vat_rate_save,
)
from propass.core.program_admin.validation import (
    PROGRAM_FIELDS,
    TERMS,
    PriceRow,
    Problem,
    ProgramState,
    price_grid,
    program_problems,
    program_state,
    program_validate,
)

__all__ = [
    "PROGRAM_FIELDS",
    "TERMS",
    "PriceRow",
    "Problem",
    "ProgramState",
    "legal_text_publish",
    "price_grid",
    "program_problems",
    "program_state",
    "program_update",
    "program_validate",
    "tier_price_delete",
    "tier_price_save",
    "tier_save",
    "vat_rate_delete",
    "vat_rate_save",
]
