"""Actors for the support tests: members of businesses in each tier, and support agents."""

from functools import partial

from propass.accounts.tests.factories import BusinessFactory, MembershipFactory
from propass.memberships.services import CheckoutInput, subscription_checkout
from propass.testing.staff import staff_user as testing_staff_user

# A Windows program: what a renamed .exe starts with.
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


# A staff user in a group; support's agents are called Sara Support unless named otherwise.
staff_user = partial(testing_staff_user, last_name="Support")


def member_in(tier: str | None, name: str, *, email: str | None = None):
    """A business with a live membership of `tier` (None: no membership) and its owner.
    Needs the program, sellers and tiers seeded."""
    business = BusinessFactory(name=name, country="NL", currency="EUR", points_balance=3000)
    owner = MembershipFactory(
        business=business, role="superuser", user__email=email or f"owner@{name.lower()}.test"
    ).user
    if tier is not None:
        subscription_checkout(
            business=business,
            actor=owner,
            data=CheckoutInput(tier=tier, term_years=1, auto_renew=True, po_number="", accept_terms=True,
                               payment_method="card", payment_token="tok_visa"),
        )  # fmt: skip
    return business, owner
