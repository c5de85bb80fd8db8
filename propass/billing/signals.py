"""The hooks through which billing tells the apps above it what happened to an invoice.

Billing sits below memberships and never imports it: a membership suspended for an unpaid
invoice, and active again once it is paid, is memberships' own rule, run by its receivers
(connected in `MembershipsConfig.ready`, see `propass/memberships/handlers.py`).

Both signals are sent inside the transaction that moved the invoice, with the invoice row
locked, so whatever a receiver writes commits or rolls back with the invoice; a receiver must
not swallow its errors. Receivers are called with the keyword arguments listed.
"""

from django.dispatch import Signal

invoice_paid = Signal()
"""Sent by `billing.collection.invoice_mark_paid` right after an invoice moved to paid: by
card, by a bank line, or marked paid by finance.

Arguments: `sender` (the Invoice class), `invoice` (the Invoice, status paid), `via` (how it
was paid, e.g. "card:ch_123", "bank_transfer:RF18…", "manual:manual:42")."""

invoice_finally_unpaid = Signal()
"""Sent by `billing.collection` when an invoice stays unpaid for good: the last retry of a
card charge failed, or a bank transfer is still missing at the end of the program's grace
period. Sent once per invoice (the invoice is overdue and its collection stopped).

Arguments: `sender` (the Invoice class), `invoice` (the Invoice, status overdue)."""

invoices_paid = Signal()
"""Sent by `billing.collection.invoices_collect` when a batch of card invoices moved to paid at
once (the batch form of `invoice_paid`, with the same meaning for each invoice).

Arguments: `sender` (the Invoice class), `invoices` (the Invoices, status paid), `via` (a dict:
invoice id -> how it was paid, e.g. "card:ch_123")."""
