"""A batch job tells many businesses at once (`businesses_notify`) exactly what telling each
alone (`business_notify`) would: the same bells, the same e-mails to the same people."""

import pytest
from django.utils.translation import gettext_lazy as _

from propass.accounts.models import Business
from propass.accounts.tests.factories import BusinessFactory, MembershipFactory
from propass.notifications.models import Notification, OutboxMessage
from propass.notifications.services import business_notify, businesses_notify

pytestmark = pytest.mark.django_db


def _people(name):
    business = BusinessFactory(name=name)
    MembershipFactory(business=business, role="superuser", user__email=f"boss@{name}.test", user__language="it")
    MembershipFactory(business=business, role="admin", user__email=f"admin@{name}.test")
    MembershipFactory(business=business, role="member", user__email=f"member@{name}.test", user__language="de")
    MembershipFactory(business=business, role="member", user__email=f"gone@{name}.test", user__is_active=False)
    MembershipFactory(business=business, role="admin", user__email=f"quiet@{name}.test",
                      user__email_opt_out=["end_of_support"])  # fmt: skip
    return business


def _told():
    bells = sorted((n.user.email, n.kind, n.title, n.body, tuple(sorted(n.params.items())))
                   for n in Notification.objects.select_related("user"))  # fmt: skip
    mails = sorted(OutboxMessage.objects.values_list("to", "language", "subject", "body_text"))
    return bells, mails


@pytest.mark.parametrize(("kind", "billing_only"), [("invoice_issued", True), ("end_of_support", False)])
def test_a_batch_tells_each_business_as_one_call_each_would(program, kind, billing_only):
    title, body = _("Invoice %(number)s is ready"), _("%(total)s %(currency)s, due on %(due)s.")
    params = {"a": {"number": "EU-2026-000001", "total": "121.00", "currency": "EUR", "due": "2026-12-31"},
              "b": {"number": "EU-2026-000002", "total": "242.00", "currency": "EUR", "due": "2027-01-02"}}  # fmt: skip
    for name in params:
        business_notify(business=_people(name), kind=kind, title=title, body=body, url="/subscriptions/",
                        params=params[name], billing_only=billing_only)  # fmt: skip
    one_by_one = _told()
    Notification.objects.all().delete()
    OutboxMessage.objects.all().delete()
    businesses = {b.name: b for b in Business.objects.prefetch_related("memberships__user")}
    businesses_notify(entries=[(businesses[name], params[name]) for name in params], kind=kind, title=title,
                      body=body, url="/subscriptions/", billing_only=billing_only)  # fmt: skip
    assert _told() == one_by_one
    assert len(one_by_one[0]) == 8  # four active people in each business
    emails = [to for to, *_rest in one_by_one[1]]
    assert "gone@a.test" not in emails
    assert ("member@a.test" in emails) is not billing_only
    assert ("quiet@a.test" in emails) is (kind != "end_of_support")
