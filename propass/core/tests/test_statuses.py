"""Every status moves through core.statuses: each status model declares its table of allowed
moves, nothing in the code writes a status by hand, and audit actions are named by the enum."""

import ast
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib import admin
from django.db import models
from django.db.models import F
from django.utils import timezone

from propass.core.enums import AuditAction
from propass.core.errors import IllegalTransition
from propass.core.models import AuditLog
from propass.core.statuses import status_move, status_table, statuses_move

SOURCE = Path(__file__).resolve().parents[2]  # the propass package
HELPER = SOURCE / "core" / "statuses.py"


def _status_fields() -> list[tuple[type[models.Model], models.Field]]:
    return [
        (model, field)
        for model in apps.get_models()
        if model.__module__.startswith("propass.")
        for field in model._meta.concrete_fields
        if field.name == "status" or field.name.endswith("_status")
    ]


def _source_files() -> list[Path]:
    return sorted(
        path
        for path in SOURCE.rglob("*.py")
        if "tests" not in path.parts and "migrations" not in path.parts and "testing" not in path.parts
    )


def _outbox(**fields):
    outbox = apps.get_model("notifications", "OutboxMessage")
    defaults = {"template": "t", "language": "en", "sender": "a@example.com", "to": "b@example.com"}
    return outbox.objects.create(**defaults, subject="Hello", body_text="Hi", **fields)


def test_the_status_fields_are_known():
    found = {f"{model._meta.label}.{field.name}" for model, field in _status_fields()}
    assert {
        "billing.Invoice.status", "billing.Payment.status", "billing.BankLine.status",
        "memberships.Subscription.status", "notifications.OutboxMessage.status", "onboarding.Application.status",
        "products.Registration.status", "products.LegacyImport.status", "support.Ticket.status",
    } <= found  # fmt: skip


@pytest.mark.parametrize(
    ("model", "field"), _status_fields(), ids=lambda value: getattr(value, "__name__", getattr(value, "name", ""))
)
def test_every_status_field_has_a_transition_table_within_its_choices(model, field):
    assert field.name == "status", f"{model.__name__}.{field.name}: status_move moves a field named `status` only"
    assert field.choices, f"{model.__name__}.status has no choices"
    table = getattr(model, "STATUS_TRANSITIONS", None)
    assert table is not None, f"{model.__name__} declares no STATUS_TRANSITIONS (see propass/core/statuses.py)"
    values = {str(value) for value, _label in field.flatchoices}
    assert {str(key) for key in table} == values, f"{model.__name__}: the table needs one entry per status"
    targets = {str(target) for targets in table.values() for target in targets}
    assert targets <= values, f"{model.__name__}: the table names {targets - values}, not a status"
    assert status_table(model) is table


@pytest.mark.django_db
def test_the_data_administration_cannot_change_a_status(rf, staff):
    request = rf.get("/")
    request.user = type(staff)(is_superuser=True, is_staff=True, is_active=True)
    status_models = {model for model, _field in _status_fields()}
    for model, model_admin in admin.site._registry.items():
        if model in status_models and model_admin.has_change_permission(request):
            assert "status" in model_admin.get_readonly_fields(request), f"{model.__name__}: status is editable"


def _bypasses(tree: ast.AST) -> list[tuple[int, str]]:
    def is_status(name: str | None) -> bool:
        return name is not None and (name == "status" or name.endswith("_status"))

    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            keywords = [keyword.arg for keyword in node.keywords]
            if node.func.attr in {"update", "bulk_update"} and any(is_status(name) for name in keywords):
                found.append((node.lineno, ast.unparse(node)[:100]))
            for keyword in node.keywords:
                if keyword.arg == "update_fields" and any(
                    isinstance(item, ast.Constant) and is_status(str(item.value)) for item in ast.walk(keyword.value)
                ):
                    found.append((node.lineno, "save(update_fields=[…status…])"))
        if (
            isinstance(node, ast.Call)
            and getattr(node.func, "id", None) == "setattr"
            and len(node.args) > 1
            and isinstance(node.args[1], ast.Constant)
            and is_status(str(node.args[1].value))
        ):
            found.append((node.lineno, "setattr(…, 'status', …)"))
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = [leaf for target in node.targets for leaf in ast.walk(target)]
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        for target in targets:
            if isinstance(target, ast.Attribute) and is_status(target.attr):
                found.append((target.lineno, f"{ast.unparse(target)} = …"))
    return found


def test_no_code_writes_a_status_by_hand():
    """A status changes only through status_move / statuses_move: no `.update(status=…)`, no
    `obj.status = …`, no `save(update_fields=["status", …])` anywhere else."""
    offences = [
        f"{path.relative_to(SOURCE.parent)}:{line}: {what}"
        for path in _source_files()
        if path != HELPER
        for line, what in _bypasses(ast.parse(path.read_text(), filename=str(path)))
    ]
    assert offences == []


def test_the_bypass_scan_finds_each_kind_of_bypass():
    sample = """
Invoice.objects.filter(pk=1).update(status="paid")
rows.update(payment_status="x")
invoice.status = "paid"
a.b.status, c = "x", 1
setattr(invoice, "status", "paid")
invoice.save(update_fields=["status"])
Invoice.objects.create(status="paid")
http_status = 400
"""
    assert sorted(line for line, _what in _bypasses(ast.parse(sample))) == [2, 3, 4, 5, 6, 7]


def test_every_audit_writer_names_its_action_with_the_enum():
    """No audit action is written as a string: the writers name an AuditAction member."""
    writers = {"audit_record", "status_move", "_decide", "_price_audit", "_vat_audit"}
    offences = []
    for path in _source_files():
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name not in writers:
                continue
            actions = [keyword.value for keyword in node.keywords if keyword.arg == "action"]
            if name.endswith("_audit"):
                actions += node.args[1:2]
            offences += [
                f"{path.relative_to(SOURCE.parent)}:{node.lineno}: {ast.unparse(action)}"
                for action in actions
                if any(isinstance(leaf, ast.Constant | ast.JoinedStr) for leaf in ast.walk(action))
            ]
    assert offences == []


def test_audit_actions_are_unique_object_dot_verb_names():
    assert len(set(AuditAction.values)) == len(AuditAction.values)
    assert all(re.fullmatch(r"[a-z_0-9]+\.[a-z_0-9]+", value) for value in AuditAction.values)


@pytest.mark.django_db
def test_a_move_writes_the_row_the_object_and_the_audit_entry(staff):
    message = _outbox(status="failed")
    assert status_move(message, "queued", actor=staff, action=AuditAction.OUTBOX_REQUEUE, data={"why": "x"}, attempts=0)
    assert (message.status, message.attempts) == ("queued", 0)
    message.refresh_from_db()
    assert message.status == "queued"
    entry = AuditLog.objects.get()
    assert (entry.action, entry.actor, entry.target_id) == ("outbox.requeue", staff, str(message.pk))
    assert entry.data == {"why": "x", "before": {"status": "failed"}, "after": {"status": "queued"}}


@pytest.mark.django_db
def test_an_illegal_move_raises_and_changes_nothing(staff):
    message = _outbox(status="sent")
    with pytest.raises(IllegalTransition) as refused:
        status_move(message, "queued", actor=staff, action=AuditAction.OUTBOX_REQUEUE, attempts=0)
    assert refused.value.params == {"current": "sent", "new": "queued"}
    message.refresh_from_db()
    assert message.status == "sent"
    assert not AuditLog.objects.exists()


@pytest.mark.django_db
def test_a_stale_object_moves_nothing_and_says_so(staff):
    message = _outbox()
    stale = type(message).objects.get(pk=message.pk)
    assert status_move(message, "sending")
    assert status_move(message, "sent")
    assert status_move(stale, "sending", actor=staff, action=AuditAction.OUTBOX_REQUEUE) is False
    assert stale.status == "queued"
    stale.refresh_from_db()
    assert stale.status == "sent"
    assert not AuditLog.objects.exists()


@pytest.mark.django_db
def test_a_move_can_wait_for_a_condition_and_compute_fields():
    later = timezone.now() + timedelta(hours=1)
    message = _outbox(next_attempt_at=later, attempts=2)
    assert status_move(message, "sending", only_if={"next_attempt_at__lte": timezone.now()}) is False
    assert status_move(message, "sending", only_if={"next_attempt_at__lte": later}, attempts=F("attempts") + 1)
    assert (message.status, message.attempts) == ("sending", 3)


@pytest.mark.django_db
def test_a_batch_move_checks_the_table_and_moves_only_rows_in_the_old_statuses():
    queued, sending, sent = _outbox(), _outbox(status="sending"), _outbox(status="sent")
    outbox = type(queued).objects
    with pytest.raises(IllegalTransition):
        statuses_move(outbox.all(), ["sent"], "queued")
    assert statuses_move(outbox.all(), ["queued", "sending"], "failed", last_error="erased") == 2
    assert dict(outbox.values_list("pk", "status")) == {queued.pk: "failed", sending.pk: "failed", sent.pk: "sent"}
