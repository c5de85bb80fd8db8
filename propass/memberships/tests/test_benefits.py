"""Benefits as program data, the yearly allowances as a ledger, the member card's verification."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import translation

from propass.accounts.models import Business
from propass.catalog.enums import Category
from propass.core.errors import Conflict, NotFound
from propass.memberships.benefits import (
    allowance_give_back,
    allowance_use,
    benefits_summary,
    card_verify,
    member_card,
    membership_year,
    repair_discount,
    repair_discount_take,
    tier_benefit_lines,
)
from propass.memberships.enums import BenefitKind
from propass.memberships.models import AllowanceEntry, Subscription, Tier
from propass.memberships.renewals import renewals_run
from propass.memberships.services import subscription_change_plan
from propass.products.tests.helpers import camera, register
from propass.program_admin.setup import sellers_seed, tiers_seed
from propass.testing.shop import buy
from propass.testing.threads import errors_in, run_at_once

CHECKS = BenefitKind.MAINTENANCE_CHECKS


@pytest.fixture
def shop(program, business):
    sellers_seed()
    tiers_seed()
    Business.objects.filter(pk=business.pk).update(points_balance=3000, country="NL", currency="EUR")
    business.refresh_from_db()
    return business


def _line(summary, kind):
    return next(line for line in summary.lines if line.kind == kind)


def test_the_default_tiers_give_the_programs_benefits_in_every_language(program):
    tiers = {tier.code: tier for tier in Tier.objects.all()}
    silver = {line.kind: line for line in tier_benefit_lines(tiers["silver"], currency="EUR")}
    gold = {line.kind: line for line in tier_benefit_lines(tiers["gold"], currency="EUR")}
    platinum = {line.kind: line for line in tier_benefit_lines(tiers["platinum"], currency="GBP")}
    assert silver[BenefitKind.REPAIR_TURNAROUND].days == 5 and BenefitKind.LOANS not in silver
    assert (silver[CHECKS].allowance, silver[BenefitKind.REPAIR_DISCOUNT].percent) == (1, 10)
    assert (gold[BenefitKind.REPAIR_TURNAROUND].days, gold[CHECKS].allowance, gold[BenefitKind.LOANS].days) == (
        3,
        2,
        10,
    )
    assert gold[BenefitKind.REPAIR_DISCOUNT].percent == 15
    assert (platinum[BenefitKind.REPAIR_TURNAROUND].days, platinum[CHECKS].allowance) == (2, 4)
    assert (platinum[BenefitKind.LOANS].days, platinum[BenefitKind.REPAIR_DISCOUNT].percent) == (21, 20)
    assert BenefitKind.RETURN_SHIPPING in platinum and BenefitKind.RETURN_SHIPPING not in gold
    with translation.override("nl"):
        names = [line.name for line in tier_benefit_lines(tiers["gold"])]
        assert "Leenapparatuur" in names
    assert tier_benefit_lines(tiers["gold"])[0].summary == "3 business days"


def test_the_membership_year_runs_from_the_terms_anniversary():
    subscription = Subscription(starts_on=date(2026, 3, 15), expires_on=date(2029, 3, 15))
    assert membership_year(subscription, date(2026, 3, 15)) == (date(2026, 3, 15), date(2027, 3, 14))
    assert membership_year(subscription, date(2027, 1, 2)) == (date(2026, 3, 15), date(2027, 3, 14))
    assert membership_year(subscription, date(2027, 3, 15)) == (date(2027, 3, 15), date(2028, 3, 14))
    assert membership_year(subscription, date(2029, 3, 10)) == (date(2028, 3, 15), date(2029, 3, 14))


def test_a_silver_member_has_one_check_a_year_and_is_told_when_the_next_one_comes(shop, owner):
    subscription, _invoice = buy(shop, owner, tier="silver")
    entry = allowance_use(business=shop, kind=CHECKS, reason="Maintenance check", reference="SR-1", actor=owner)
    assert (entry.quantity, entry.year_starts_on) == (1, subscription.starts_on)
    with pytest.raises(Conflict) as refused:
        allowance_use(business=shop, kind=CHECKS, reason="Maintenance check", reference="SR-2")
    assert refused.value.code == "allowance_used_up"
    next_year = subscription.starts_on.replace(year=subscription.starts_on.year + 1)
    assert next_year.strftime("%d/%m/%Y") in str(refused.value)
    summary = benefits_summary(business=shop)
    assert (_line(summary, CHECKS).used, _line(summary, CHECKS).remaining) == (1, 0)
    # A cancelled request gives its use back: a new entry, the first one untouched.
    allowance_give_back(entry=entry, reason="Request cancelled")
    assert _line(benefits_summary(business=shop), CHECKS).remaining == 1
    assert list(AllowanceEntry.objects.values_list("quantity", flat=True)) == [Decimal("1"), Decimal("-1")]
    with pytest.raises(ValueError, match="append-only"):
        entry.save()


def test_no_membership_and_a_suspended_one_use_nothing(shop, owner):
    with pytest.raises(NotFound):
        allowance_use(business=shop, kind=CHECKS, reason="Maintenance check")
    subscription, _invoice = buy(shop, owner, tier="gold")
    Subscription.objects.filter(pk=subscription.pk).update(status="suspended")
    with pytest.raises(Conflict) as refused:
        allowance_use(business=shop, kind=CHECKS, reason="Maintenance check")
    assert refused.value.code == "membership_suspended"
    assert benefits_summary(business=shop).usable is False
    assert AllowanceEntry.objects.count() == 0


def test_an_upgrade_raises_what_is_left_at_once_and_a_downgrade_waits_for_the_renewal(shop, owner):
    subscription, _invoice = buy(shop, owner, tier="silver")
    allowance_use(business=shop, kind=CHECKS, reason="Maintenance check")
    subscription_change_plan(business=shop, actor=owner, tier_code="gold")
    assert _line(benefits_summary(business=shop), CHECKS).remaining == 1  # Gold: 2, one used
    allowance_use(business=shop, kind=CHECKS, reason="Maintenance check")
    # Downgrade to Silver: Gold's allowance stays until the renewal, which opens a new year.
    subscription_change_plan(business=shop, actor=owner, tier_code="silver")
    summary = benefits_summary(business=shop)
    assert (summary.tier.code, _line(summary, CHECKS).remaining) == ("gold", 0)
    renewals_run(today=subscription.expires_on)
    summary = benefits_summary(business=shop, day=subscription.expires_on)
    assert summary.tier.code == "silver"
    assert summary.year_starts_on == subscription.expires_on
    assert (_line(summary, CHECKS).allowance, _line(summary, CHECKS).used) == (1, 0)


def test_the_repair_discount_stays_within_its_yearly_cap(shop, owner):
    buy(shop, owner, tier="gold")  # 15 %, up to 300.00 EUR a year
    assert repair_discount(business=shop, amount=Decimal("1000.00")).amount == Decimal("150.00")
    first = repair_discount_take(business=shop, amount=Decimal("1200.00"), reason="Repair quote", reference="SR-1")
    assert (first.amount, first.cap_left) == (Decimal("180.00"), Decimal("300.00"))
    second = repair_discount_take(business=shop, amount=Decimal("1000.00"), reason="Repair quote", reference="SR-2")
    assert (second.amount, second.cap_left) == (Decimal("120.00"), Decimal("120.00"))
    assert repair_discount(business=shop, amount=Decimal("500.00")).amount == Decimal("0.00")
    discount = _line(benefits_summary(business=shop), BenefitKind.REPAIR_DISCOUNT)
    assert (discount.allowance, discount.used, discount.remaining) == (300, 300, 0)


def test_corporate_checks_count_per_registered_body(shop, owner):
    Business.objects.filter(pk=shop.pk).update(points_balance=6000)
    shop.refresh_from_db()
    for n in range(3):
        register(shop, camera(f"EOS-R{n}", category=Category.CAMERA), serial=f"09876543210{n}", actor=owner)
    buy(shop, owner, tier="corporate_a")
    assert _line(benefits_summary(business=shop), CHECKS).allowance == 12


@pytest.mark.django_db(transaction=True)
def test_the_last_maintenance_check_taken_twice_at_once_is_given_once(program, business, owner):
    sellers_seed()
    tiers_seed()
    Business.objects.filter(pk=business.pk).update(points_balance=3000, country="NL", currency="EUR")
    business.refresh_from_db()
    buy(business, owner, tier="gold")
    allowance_use(business=business, kind=CHECKS, reason="Maintenance check")  # one of two left

    def take(index):
        try:
            return allowance_use(business=business, kind=CHECKS, reason="Maintenance check", reference=f"SR-{index}")
        except Conflict as refused:
            return refused.code

    results = run_at_once(2, take)
    assert errors_in(results) == []
    assert sorted(isinstance(result, AllowanceEntry) for result in results) == [False, True]
    assert "allowance_used_up" in results
    assert AllowanceEntry.objects.count() == 2


def test_the_card_verifies_while_active_on_its_tier_and_term_and_says_nothing_else(shop, owner):
    subscription, _invoice = buy(shop, owner, tier="silver")
    card = member_card(business=shop)
    assert len(card.code) >= 32 and member_card(business=shop) == card
    check = card_verify(code=card.code)
    assert (check.valid, check.tier, check.valid_until, check.business) == (
        True, "Silver", subscription.expires_on, shop.name,
    )  # fmt: skip
    subscription_change_plan(business=shop, actor=owner, tier_code="gold")
    assert card_verify(code=card.code).valid is False  # the upgrade made a new card
    gold = member_card(business=shop)
    assert gold.code != card.code and card_verify(code=gold.code).tier == "Gold"
    Subscription.objects.filter(pk=subscription.pk).update(status="expired")
    ended = card_verify(code=gold.code)
    unknown = card_verify(code="x" * 32)
    assert ended == unknown and ended.valid is False and ended.business == "" and ended.valid_until is None
    assert card_verify(code=gold.code, today=subscription.expires_on + timedelta(days=1)).valid is False
