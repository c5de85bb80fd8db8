import pytest
from django.db import connection, transaction

from propass.core.services import audit_record, sequence_next
from propass.testing.threads import errors_in, run_at_once


def test_a_sequence_counts_up_from_its_start(db):
    assert sequence_next(name="invoice-EU-2026", start=1) == 1
    assert sequence_next(name="invoice-EU-2026") == 2
    assert sequence_next(name="membership", start=100_000_000) == 100_000_000


def test_a_rolled_back_value_is_handed_out_again(db):
    sequence_next(name="invoice")
    with pytest.raises(RuntimeError), transaction.atomic():
        sequence_next(name="invoice")
        raise RuntimeError("the invoice could not be saved")
    assert sequence_next(name="invoice") == 2


@pytest.mark.django_db(transaction=True)
def test_threads_never_get_the_same_value():
    """Four threads draw 25 values each at once: 100 distinct values without gaps."""
    name = f"race-{connection.vendor}"
    results = run_at_once(4, lambda _index: [sequence_next(name=name) for _ in range(25)])
    assert errors_in(results) == []
    assert sorted(value for values in results for value in values) == list(range(1, 101))


def test_audit_record_names_actor_action_and_target(member, business):
    entry = audit_record(actor=member, action="business.update", target=business, data={"field": "name"})
    assert entry.actor_repr == f"user #{member.pk}"  # people by id: the entry outlives an erasure
    assert entry.actor == member
    assert entry.target_type == "accounts.business"
    assert entry.target_id == str(business.pk)
    assert entry.data == {"field": "name"}


def test_audit_record_without_a_user_is_the_system(business):
    assert audit_record(actor=None, action="job.ran", target=business).actor_repr == "system"
