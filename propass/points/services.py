from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from propass.accounts.models import Business, User
from propass.core.enums import AuditAction
from propass.core.errors import InvalidInput
from propass.core.selectors import program_current
from propass.core.services import audit_record
from propass.notifications.services import email_send, notification_business
from propass.points.enums import LedgerReason
from propass.points.models import LedgerEntry


def points_post(
    *,
    business_id: int,
    amount: int,
    reason: LedgerReason,
    reference: str,
    registration_id: int | None = None,
    actor: User | None = None,
    note: str = "",
) -> LedgerEntry:
    """Write one ledger entry and move the cached balance by the same amount, in one
    transaction; the business row is locked so the balance always equals the ledger sum."""
    with transaction.atomic():
        Business.objects.select_for_update().filter(pk=business_id).values_list("pk", flat=True).get()
        entry = LedgerEntry.objects.create(
            business_id=business_id,
            amount=amount,
            reason=reason,
            reference=reference[:200],
            registration_id=registration_id,
            actor=actor if actor is not None and actor.is_authenticated else None,
            note=note,
        )
        Business.objects.filter(pk=business_id).update(points_balance=F("points_balance") + amount)
        if amount > 0:
            _invite_if_due(business_id)
    return entry


@dataclass(frozen=True)
class LedgerLine:
    business_id: int
    amount: int
    reason: LedgerReason
    reference: str
    registration_id: int | None = None


def points_post_many(lines: list[LedgerLine]) -> list[LedgerEntry]:
    """`points_post` for a batch of system entries (a day's end of support): the businesses
    locked in id order (two batches never wait on each other in a circle), every entry written
    in one INSERT, each business's balance moved once by the sum of its entries, in one
    transaction, so that balances keep equal to their ledger sums."""
    if not lines:
        return []
    totals: dict[int, int] = defaultdict(int)
    for line in lines:
        totals[line.business_id] += line.amount
    with transaction.atomic():
        list(Business.objects.select_for_update().filter(pk__in=totals).order_by("pk").values_list("pk", flat=True))
        entries = LedgerEntry.objects.bulk_create(
            LedgerEntry(
                business_id=line.business_id,
                amount=line.amount,
                reason=line.reason,
                reference=line.reference[:200],
                registration_id=line.registration_id,
            )
            for line in lines
        )
        for business_id, amount in sorted(totals.items()):
            if amount:
                Business.objects.filter(pk=business_id).update(points_balance=F("points_balance") + amount)
                if amount > 0:
                    _invite_if_due(business_id)
    return entries


def _invite_if_due(business_id: int) -> None:
    """The first time the balance reaches the program's threshold, the business is invited:
    recorded once (a conditional update), never repeated by later changes."""
    program = program_current()
    now = timezone.now()
    invited = Business.objects.filter(
        pk=business_id, invited_at__isnull=True, points_balance__gte=program.invitation_threshold
    ).update(invited_at=now)
    if not invited:
        return
    business = Business.objects.get(pk=business_id)
    audit_record(
        actor=None, action=AuditAction.BUSINESS_INVITED, target=business, data={"balance": business.points_balance}
    )
    notification_business(
        business=business,
        kind="invitation",
        title=_("You are invited to %(program)s"),
        body=_("Your business has %(points)s points: choose your membership level."),
        url=reverse("memberships:subscriptions"),
        params={"program": program.name, "points": business.points_balance},
    )
    for membership in business.memberships.select_related("user").filter(user__is_active=True):
        user = membership.user
        email_send(
            to=user.email,
            template="program_invitation",
            language=user.language,
            sender=program.sender,
            context={"user": user, "business": business, "program": program},
        )


def points_adjust(*, business: Business, amount: int, note: str, agent: User) -> LedgerEntry:
    """Staff correct a balance; the note saying why is mandatory."""
    if not note.strip():
        raise InvalidInput(fields={"note": [str(_("Say why the points change."))]})
    if amount == 0:
        raise InvalidInput(fields={"amount": [str(_("The adjustment cannot be zero."))]})
    with transaction.atomic():
        entry = points_post(
            business_id=business.pk,
            amount=amount,
            reason=LedgerReason.ADJUSTMENT,
            reference=f"staff:{agent.email}",
            actor=agent,
            note=note.strip(),
        )
        after = Business.objects.filter(pk=business.pk).values_list("points_balance", flat=True).get()
        audit_record(
            actor=agent,
            action=AuditAction.POINTS_ADJUST,
            target=business,
            data={"before": after - amount, "after": after, "amount": amount, "note": note.strip()},
        )
    return entry


def points_verify() -> list[tuple[Business, int, int]]:
    """Businesses whose cached balance differs from their ledger sum: (business, cached, ledger)."""
    sums = dict(LedgerEntry.objects.values("business").annotate(total=Sum("amount")).values_list("business", "total"))
    return [
        (business, business.points_balance, sums.get(business.pk, 0) or 0)
        for business in Business.objects.all().only("pk", "name", "points_balance")
        if business.points_balance != (sums.get(business.pk, 0) or 0)
    ]
