"""Program administration of benefits (issue 16): the program admin edits the benefit list (names
and descriptions per language, kind, order) and what each tier gives (days, count, percent, caps
per currency, per body). An inconsistent edit is refused with a clear message and changes
nothing; a consistent one is saved and audited with before and after."""

from decimal import Decimal

import pytest

from propass.accounts.models import Business
from propass.core.errors import Conflict, InvalidInput, NotFound
from propass.core.models import AuditLog
from propass.memberships.benefits import allowance_use, benefits_summary, tier_benefit_lines
from propass.memberships.enums import BenefitKind
from propass.memberships.models import Benefit, Tier, TierBenefit
from propass.program_admin.services import benefit_save, tier_benefit_delete, tier_benefit_save
from propass.program_admin.setup import sellers_seed, tiers_seed
from propass.testing.shop import buy
from propass.testing.staff import staff_user

HOTLINE = {"code": "hotline", "kind": BenefitKind.HOTLINE, "position": 9,
           "names": {"en": "Priority hotline", "it": "Linea prioritaria"},
           "descriptions": {"en": "A phone line\r\nfor members only.", "de": ""}}  # fmt: skip


@pytest.fixture
def admin(program):
    sellers_seed()
    tiers_seed()
    return staff_user("program@propass.test", "program_admin")


def _gold_member(business, owner):
    Business.objects.filter(pk=business.pk).update(points_balance=1200, country="NL", currency="EUR")
    business.refresh_from_db()
    buy(business, owner, tier="gold")


def _snapshot():
    return (
        list(Benefit.objects.order_by("pk").values()),
        list(TierBenefit.objects.order_by("pk").values()),
        AuditLog.objects.count(),
    )


def _refused(edit, message, error=InvalidInput):
    before = _snapshot()
    with pytest.raises(error) as refusal:
        edit()
    assert message in [text for messages in refusal.value.fields.values() for text in messages]
    assert _snapshot() == before
    return refusal.value


def test_a_new_benefit_is_saved_with_its_texts_per_language_and_audited(admin):
    benefit = benefit_save(actor=admin, new=True, **HOTLINE)
    assert benefit.names == {"en": "Priority hotline", "it": "Linea prioritaria"}
    assert benefit.descriptions == {"en": "A phone line\nfor members only."}  # empty texts dropped
    entry = AuditLog.objects.get(action="benefit.save")
    assert entry.data["before"] is None and entry.data["after"]["names"]["it"] == "Linea prioritaria"
    benefit_save(actor=admin, **{**HOTLINE, "names": {"en": "Members' hotline"}, "position": 2})
    change = AuditLog.objects.filter(action="benefit.save").latest("pk")
    assert (change.data["before"]["names"], change.data["after"]["names"]) == (
        {"en": "Priority hotline", "it": "Linea prioritaria"},
        {"en": "Members' hotline"},
    )
    assert (change.data["before"]["position"], change.data["after"]["position"]) == (9, 2)
    # The same values again change nothing and write nothing.
    benefit_save(actor=admin, **{**HOTLINE, "names": {"en": "Members' hotline"}, "position": 2})
    assert AuditLog.objects.filter(action="benefit.save").count() == 2


def test_a_benefit_needs_an_english_name_a_known_kind_and_a_free_code(admin):
    _refused(
        lambda: benefit_save(actor=admin, new=True, **{**HOTLINE, "names": {"it": "Linea prioritaria"}}),
        "The benefit hotline has no name in English.",
    )
    _refused(lambda: benefit_save(actor=admin, new=True, **{**HOTLINE, "kind": "massage"}), "Choose a kind of benefit.")
    _refused(
        lambda: benefit_save(actor=admin, new=True, **{**HOTLINE, "code": "loan-equipment"}),
        "Another benefit has this code.",
        Conflict,
    )
    _refused(
        lambda: benefit_save(actor=admin, new=True, **{**HOTLINE, "names": {"xx": "?"}}),
        "Give the texts per language of the program.",
    )


def test_a_benefits_kind_changes_only_while_no_tier_gives_it_and_no_member_used_it(admin, business, owner):
    loans = Benefit.objects.get(code="loan-equipment")
    change = {"code": "loan-equipment", "kind": BenefitKind.EVENT_SUPPORT, "names": loans.names,
              "descriptions": {}, "position": loans.position}  # fmt: skip
    _refused(
        lambda: benefit_save(actor=admin, **change),
        "Gold, Platinum, Corporate A, Corporate B, Corporate C give this benefit: take it off these tiers before "
        "changing its kind.",
        Conflict,
    )
    # Used by a member: the kind stays, even once no tier gives it any more.
    _gold_member(business, owner)
    allowance_use(business=business, kind=BenefitKind.MAINTENANCE_CHECKS, reason="Maintenance check")
    checks = Benefit.objects.get(code="maintenance-checks")
    TierBenefit.objects.filter(benefit=checks).delete()
    _refused(
        lambda: benefit_save(actor=admin, **{**change, "code": "maintenance-checks", "names": checks.names}),
        "Members have used this benefit: its kind cannot change. Add a new benefit instead.",
        Conflict,
    )
    TierBenefit.objects.filter(benefit=loans).delete()
    assert benefit_save(actor=admin, **change).kind == BenefitKind.EVENT_SUPPORT


def test_a_tier_gets_a_benefit_with_its_parameters_audited_and_members_see_it_at_once(admin):
    given = tier_benefit_save(actor=admin, tier_code="silver", benefit_code="loan-equipment", days=5)
    assert (given.days, given.count, given.percent, given.caps) == (5, None, None, {})
    lines = {line.code: line for line in tier_benefit_lines(Tier.objects.get(code="silver"))}
    assert lines["loan-equipment"].summary == "up to 5 days"
    entry = AuditLog.objects.get(action="tier_benefit.save")
    after = {"days": 5, "count": None, "percent": None, "caps": {}, "per_body": False}
    assert entry.data == {"tier": "silver", "benefit": "loan-equipment", "before": None, "after": after}
    tier_benefit_save(
        actor=admin, tier_code="gold", benefit_code="repair-discount", percent=Decimal("17.5"),
        caps={"EUR": "350", "gbp": "300.5", "CHF": ""},
    )  # fmt: skip
    change = AuditLog.objects.filter(action="tier_benefit.save").latest("pk")
    assert change.data["before"] == {"days": None, "count": None, "percent": "15.00",
                                     "caps": {"EUR": "300.00", "GBP": "260.00"}, "per_body": False}  # fmt: skip
    assert change.data["after"]["caps"] == {"EUR": "350.00", "GBP": "300.50"}
    assert change.data["after"]["percent"] == "17.5"
    tier_benefit_delete(actor=admin, tier_code="silver", benefit_code="loan-equipment")
    removal = AuditLog.objects.get(action="tier_benefit.delete")
    assert removal.data["before"]["days"] == 5 and removal.data["after"] is None
    assert not TierBenefit.objects.filter(tier__code="silver", benefit__code="loan-equipment").exists()


def test_a_change_of_count_changes_what_a_member_has_left_this_year(admin, business, owner):
    _gold_member(business, owner)
    allowance_use(business=business, kind=BenefitKind.MAINTENANCE_CHECKS, reason="Maintenance check")
    tier_benefit_save(actor=admin, tier_code="gold", benefit_code="maintenance-checks", count=3)
    line = next(line for line in benefits_summary(business=business).lines if line.code == "maintenance-checks")
    assert (line.allowance, line.used, line.remaining) == (3, 1, 2)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        ({"tier_code": "silver", "benefit_code": "loan-equipment"}, "Silver: Loan equipment needs a value for “days”."),
        ({"tier_code": "gold", "benefit_code": "priority-repair", "days": 3, "percent": "10"},
         "Gold: “percent” does not apply to Priority repairs (Priority repair turnaround)."),
        ({"tier_code": "gold", "benefit_code": "event-support", "count": 2},
         "Gold: “uses per membership year” does not apply to Event support (Event support)."),
        ({"tier_code": "gold", "benefit_code": "repair-discount", "percent": "120"},
         "Gold: the percent of Discount on repairs must be more than 0 and at most 100."),
        ({"tier_code": "gold", "benefit_code": "repair-discount", "percent": "15", "caps": {"EURO": "300"}},
         "Give the currency as its three-letter ISO code, e.g. EUR."),
        ({"tier_code": "gold", "benefit_code": "repair-discount", "percent": "15", "caps": {"EUR": "0"}},
         "The yearly cap in EUR must be an amount more than zero."),
        ({"tier_code": "gold", "benefit_code": "loan-equipment", "days": 0}, "Enter a whole number of at least 1."),
    ],
)  # fmt: skip
def test_a_tier_benefit_without_the_parameters_of_its_kind_is_refused(admin, edit, message):
    _refused(lambda: tier_benefit_save(actor=admin, **edit), message)


def test_a_tier_gives_one_benefit_of_each_kind(admin):
    benefit_save(actor=admin, new=True, code="express", kind=BenefitKind.REPAIR_TURNAROUND,
                 names={"en": "Express repairs"}, descriptions={}, position=9)  # fmt: skip
    _refused(
        lambda: tier_benefit_save(actor=admin, tier_code="gold", benefit_code="express", days=1),
        "Gold gives more than one benefit of the kind Priority repair turnaround: Priority repairs, Express repairs.",
    )
    tier_benefit_delete(actor=admin, tier_code="gold", benefit_code="priority-repair")
    assert tier_benefit_save(actor=admin, tier_code="gold", benefit_code="express", days=1).days == 1


def test_unknown_tiers_benefits_and_benefits_not_given_are_not_found(admin):
    with pytest.raises(NotFound):
        tier_benefit_save(actor=admin, tier_code="titanium", benefit_code="loan-equipment", days=3)
    with pytest.raises(NotFound):
        tier_benefit_save(actor=admin, tier_code="gold", benefit_code="massage")
    with pytest.raises(NotFound):
        tier_benefit_delete(actor=admin, tier_code="silver", benefit_code="loan-equipment")


def test_a_problem_already_there_does_not_block_the_edit_that_fixes_it(admin):
    # Edited behind the program's back (the raw data administration): Gold's loans lost their days.
    TierBenefit.objects.filter(tier__code="gold", benefit__code="loan-equipment").update(days=None)
    tier_benefit_save(actor=admin, tier_code="gold", benefit_code="priority-repair", days=4)  # unrelated: allowed
    tier_benefit_save(actor=admin, tier_code="gold", benefit_code="loan-equipment", days=12)
    assert TierBenefit.objects.get(tier__code="gold", benefit__code="loan-equipment").days == 12
