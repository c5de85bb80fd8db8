"""The points ledger: the cached balance moves only with a ledger entry, staff adjust with a
note, `verify-points` finds a balance that drifted, and the invitation is sent once."""

import pytest
from django.core.management import CommandError, call_command

from propass.accounts.models import Business
from propass.core.errors import InvalidInput
from propass.notifications.models import Notification, OutboxMessage
from propass.points.services import points_adjust
from propass.products.services import registration_delete
from propass.products.tests.helpers import camera, register


def _balance(business) -> int:
    return Business.objects.get(pk=business.pk).points_balance


def test_staff_adjustments_need_a_note(business, staff):
    with pytest.raises(InvalidInput):
        points_adjust(business=business, amount=50, note="", agent=staff)
    points_adjust(business=business, amount=50, note="Goodwill after a support case", agent=staff)
    assert _balance(business) == 50


def test_verify_points_finds_a_balance_that_drifted(business, capsys):
    register(business, camera())
    call_command("verify-points")
    Business.objects.filter(pk=business.pk).update(points_balance=1)
    with pytest.raises(CommandError, match="1 balances differ"):
        call_command("verify-points")
    assert "cached 1, ledger 220" in capsys.readouterr().err


def test_the_invitation_is_sent_once(business, owner, member):
    register(business, camera(points=300), serial="000000000001")
    assert Business.objects.get(pk=business.pk).invited_at is None
    second = register(business, camera(points=300), serial="000000000002")
    invited_at = Business.objects.get(pk=business.pk).invited_at
    assert invited_at is not None
    assert Notification.objects.filter(kind="invitation").count() == 2  # owner and member
    assert OutboxMessage.objects.filter(template="program_invitation").count() == 2
    registration_delete(business=business, actor=None, registration_id=second.pk)
    register(business, camera(points=300), serial="000000000003")
    assert Business.objects.get(pk=business.pk).invited_at == invited_at
    assert Notification.objects.filter(kind="invitation").count() == 2
