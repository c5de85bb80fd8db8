"""The hook through which products asks the apps above it whether a product is busy.

Products sits below service (service requests, loans) and never imports it. Before a
registration changes hands (a transfer offered, accepted or reversed), products sends
`registration_busy`; a receiver answers why the product cannot change hands now (a lazy
translated sentence) or None. Receivers connect in their `AppConfig.ready` (service: an open
service request, see `propass/service/handlers.py`; a loan tied to the product answers the same
way). Sent inside the caller's transaction with the registration row locked.
"""

from django.dispatch import Signal

registration_busy = Signal()
"""Arguments: `sender` (the Registration class), `registration` (the Registration). A receiver
returns None when the product is free, else the reason it is busy (shown to the member)."""
