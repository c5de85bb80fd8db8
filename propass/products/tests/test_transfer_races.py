"""Twenty accepts of one transfer at once: the product and its points move exactly once.

Real threads, each with its own database connection, through the real API. On SQLite writes
are serialised and this passes trivially; on PostgreSQL it finds a transfer accepted twice.
"""

import pytest

from propass.accounts.models import Business
from propass.accounts.tests.factories import BusinessFactory, MembershipFactory
from propass.core.errors import Conflict
from propass.points.enums import LedgerReason
from propass.points.models import LedgerEntry
from propass.products.enums import TRANSFER_TRANSITIONS, TransferStatus
from propass.products.models import ProductTransfer, Registration
from propass.products.tests.helpers import camera, register
from propass.products.transfers import transfer_offer, transfer_reverse
from propass.testing.clients import api_clients
from propass.testing.invariants import assert_moves_along, assert_points_add_up, moves_count, status_moves
from propass.testing.staff import staff_user
from propass.testing.threads import errors_in, run_at_once

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 20


def _offered():
    seller, buyer = BusinessFactory(), BusinessFactory()
    seller_owner = MembershipFactory(business=seller, role="superuser").user
    buyer_owner = MembershipFactory(business=buyer, role="superuser", user__email="buyer@gamma.test").user
    registration = register(seller, camera(points=250), "012345678901")
    transfer = transfer_offer(
        business=seller, actor=seller_owner, registration_id=registration.pk, recipient="buyer@gamma.test"
    )
    return seller, buyer, buyer_owner, registration, transfer


def test_twenty_accepts_of_one_transfer_move_the_points_once(program):
    seller, buyer, buyer_owner, registration, transfer = _offered()
    clients = api_clients(buyer_owner, THREADS)
    url = f"/api/v1/transfers/{transfer.pk}/accept/"
    with status_moves(ProductTransfer, Registration) as moves:
        results = run_at_once(THREADS, lambda i: clients[i].post(url, {"purchase_date": "2025-06-01"}, format="json"))
    assert errors_in(results) == []
    assert moves_count(moves) == {(TransferStatus.OFFERED, TransferStatus.ACCEPTED): 1}
    assert_moves_along(moves, TRANSFER_TRANSITIONS)
    codes = sorted(response.status_code for response in results)
    assert codes == [200] + [409] * (THREADS - 1)
    assert ProductTransfer.objects.get().status == TransferStatus.ACCEPTED
    moves = LedgerEntry.objects.filter(registration=registration)
    assert moves.filter(reason=LedgerReason.TRANSFER_OUT).count() == 1
    assert moves.filter(reason=LedgerReason.TRANSFER_IN).count() == 1
    assert assert_points_add_up(seller) == 0
    assert assert_points_add_up(buyer) == 250


def test_twenty_reversals_at_once_move_the_points_back_once(program):
    seller, buyer, buyer_owner, _registration, transfer = _offered()
    assert (
        api_clients(buyer_owner, 1)[0]
        .post(f"/api/v1/transfers/{transfer.pk}/accept/", {"purchase_date": "2025-06-01"}, format="json")
        .status_code
        == 200
    )
    agent = staff_user("sara@propass.test", "support")
    results = run_at_once(
        THREADS, lambda i: transfer_reverse(transfer_id=transfer.pk, agent=agent, note="Sold by mistake.")
    )
    assert all(isinstance(result, (ProductTransfer, Conflict)) for result in results), errors_in(results)
    assert sum(1 for result in results if isinstance(result, ProductTransfer)) == 1
    assert LedgerEntry.objects.filter(reason=LedgerReason.TRANSFER_REVERSAL).count() == 2
    assert Business.objects.get(pk=seller.pk).points_balance == 250
    assert assert_points_add_up(seller) == 250
    assert assert_points_add_up(buyer) == 0
