"""Allowed status moves, kept as data and enforced in one place."""

from collections.abc import Iterable, Mapping

from django.db import models
from django.utils.translation import gettext_lazy as _

from propass.core.errors import IllegalTransition

Transitions = Mapping[str, Iterable[str]]


def check_transition(table: Transitions, current: str, new: str) -> None:
    """Raise IllegalTransition unless `table` allows the move from `current` to `new`."""
    if new not in table.get(current, ()):
        raise IllegalTransition(
            _("The status cannot change from “%(current)s” to “%(new)s”."),
            current=current,
            new=new,
        )


def allowed_moves(table: Transitions, current: models.TextChoices | str) -> set[str]:
    return set(table.get(str(current), ()))
