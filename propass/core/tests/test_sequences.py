import threading

import pytest
from django.db import connection, transaction

from propass.core.services import audit_record, sequence_next


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
    drawn: list[int] = []
    lock = threading.Lock()
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def draw() -> None:
        try:
            start.wait()
            for _ in range(25):
                value = sequence_next(name=f"race-{connection.vendor}")
                with lock:
                    drawn.append(value)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=draw) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(drawn) == list(range(1, 101))


def test_audit_record_names_actor_action_and_target(member, business):
    entry = audit_record(actor=member, action="business.update", target=business, data={"field": "name"})
    assert entry.actor_repr == "member@alpha.test"
    assert entry.target_type == "accounts.business"
    assert entry.target_id == str(business.pk)
    assert entry.data == {"field": "name"}


def test_audit_record_without_a_user_is_the_system(business):
    assert audit_record(actor=None, action="job.ran", target=business).actor_repr == "system"
