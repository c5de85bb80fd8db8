"""Points at risk: products 90 and 30 days before their model's end of support are announced to
the business once per product and threshold, with the balance after and the tier a renewal
would then allow; MY PRODUCTS shows them too."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from propass.accounts.models import Business, User
from propass.accounts.tests.factories import BusinessFactory, MembershipFactory
from propass.core.money import date_format
from propass.memberships.points_at_risk import points_at_risk_run
from propass.notifications.models import Notification, OutboxMessage
from propass.products.models import EndOfSupportNotice
from propass.products.tests.helpers import camera, register
from propass.program_admin.setup import sellers_seed, tiers_seed
from propass.testing.shop import buy, morning

pytestmark = pytest.mark.django_db


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def shop(program, business):
    sellers_seed()
    tiers_seed()
    Business.objects.filter(pk=business.pk).update(country="NL", currency="EUR")
    business.refresh_from_db()
    return business


@pytest.fixture
def gold(shop, owner, today):
    """A Gold member (1,000 points) with 1,400 points: an EOS OLD (300 points) whose support ends
    in 20 days, an EOS MID (200 points) in 70 days, an EOS R5 (900 points) supported on."""
    register(shop, camera("EOS-OLD", points=300, end_of_support=today + timedelta(days=20)), "100000000001")
    register(shop, camera("EOS-MID", points=200, end_of_support=today + timedelta(days=70)), "200000000001")
    register(shop, camera("EOS-R5", points=900), "300000000001")
    shop.refresh_from_db()
    assert shop.points_balance == 1400
    buy(shop, owner, tier="gold")
    return shop


def _bells(user):
    return list(Notification.objects.filter(user=user, kind="points_at_risk").order_by("params__date"))


def _mails(user):
    return OutboxMessage.objects.filter(to=user.email, subject__startswith="Products reach their end of support")


def test_each_product_is_announced_once_per_threshold_however_often_the_scheduler_runs(gold, owner, today):
    for at in (morning(today), morning(today) + timedelta(hours=1), morning(today + timedelta(days=1))):
        call_command("run-scheduled", "--at", at.isoformat())
    # EOS OLD is within 30 days: its 30-day notice (the 90-day one is not sent late); EOS MID its 90-day one.
    assert [bell.params["products"] for bell in _bells(owner)] == ["EOS OLD (100000000001)", "EOS MID (200000000001)"]
    assert _mails(owner).count() == 2
    assert sorted(EndOfSupportNotice.objects.values_list("registration__product__code", "days_before")) == [
        ("EOS-MID", 90),
        ("EOS-OLD", 30),
    ]
    # 30 days before EOS MID's end: its second notice, once.
    for day in (40, 41):
        call_command("run-scheduled", "--at", morning(today + timedelta(days=day)).isoformat())
    assert [bell.params["products"] for bell in _bells(owner)][-1] == "EOS MID (200000000001)"
    assert len(_bells(owner)) == 3 and _mails(owner).count() == 3
    assert EndOfSupportNotice.objects.filter(registration__product__code="EOS-MID").count() == 2


def test_the_balance_after_and_the_tier_the_renewal_allows_are_named(gold, owner, today):
    points_at_risk_run(today=today)
    sooner, later = _bells(owner)
    assert sooner.title_text == "Products reach their end of support on " + date_format(
        today + timedelta(days=20), "en"
    )
    # EOS OLD gone: 1,100 points, Gold still open.
    assert sooner.body_text == (
        "EOS OLD (100000000001) will no longer count for points after that day. Your points balance will then be "
        "1,100, which allows Gold at renewal."
    )
    # EOS MID gone as well (EOS OLD before it): 900 points, Silver only.
    assert later.body_text == (
        "EOS MID (200000000001) will no longer count for points after that day. Your points balance will then be "
        "900, which allows Silver at renewal."
    )
    assert later.url == "/products/#end-of-support"
    mail = _mails(owner).get(subject__contains=date_format(today + timedelta(days=70), "en"))
    assert "which allows Silver at renewal" in mail.body_text


def test_each_user_reads_it_in_their_language_and_a_business_with_too_few_points_is_told_so(shop, owner, today):
    german = MembershipFactory(business=shop, role="member", user__email="de@alpha.test", user__language="de").user
    User.objects.filter(pk=german.pk).update(language="de")
    register(shop, camera("EOS-OLD", points=600, end_of_support=today + timedelta(days=90)), "100000000001")
    assert points_at_risk_run(today=today) == 1
    bell = Notification.objects.get(user=owner, kind="points_at_risk")
    assert bell.body_text.endswith("Your points balance will then be 0, not enough for any membership level.")
    german_mail = OutboxMessage.objects.get(
        to=german.email, subject__contains=date_format(today + timedelta(days=90), "de")
    )
    assert german_mail.language == "de"
    assert date_format(today + timedelta(days=90), "de") in german_mail.subject
    assert date_format(today, "de") != date_format(today, "en")
    assert points_at_risk_run(today=today) == 0


def test_many_businesses_are_told_chunk_by_chunk_one_notice_each(db, program, today):
    tiers_seed()
    old = camera("EOS-OLD", points=300, end_of_support=today + timedelta(days=60))
    owners = []
    for n in range(5):
        business = BusinessFactory(name=f"Shop {n}", currency="EUR")
        owners.append(MembershipFactory(business=business, role="superuser").user)
        register(business, old, f"10000000000{n}")
        register(business, camera("EOS-R5", points=550), f"20000000000{n}")
    assert points_at_risk_run(today=today, businesses=2) == 5
    assert points_at_risk_run(today=today, businesses=2) == 0
    for owner in owners:
        (bell,) = _bells(owner)
        assert bell.body_text.endswith("Your points balance will then be 550, which allows Silver at renewal.")
    assert EndOfSupportNotice.objects.count() == 5


def test_my_products_shows_the_products_and_their_dates(gold, owner, client, today):
    client.force_login(owner)
    page = client.get("/products/").content.decode()
    assert 'id="end-of-support"' in page
    assert "These products will no longer count for points after their end of support: 500 points." in page
    assert "Your balance will then be 900 points." in page
    assert "end of support " + date_format(today + timedelta(days=20), "en") in page
    assert page.index("EOS OLD · 100000000001") < page.index("EOS MID · 200000000001")
    assert "EOS R5 · 300000000001" not in page.split('id="end-of-support"')[1].split("</section>")[0]
