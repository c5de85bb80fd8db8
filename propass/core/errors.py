"""The domain error family.

Services raise these with a message that is safe to show to the person who caused it (and
translated); the API handler and the forms turn them into the same answer.
"""

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from propass.core.money import points_format


class DomainError(Exception):
    """A rule said no. `message` is safe to show; `code` is stable for integrators."""

    code = "domain_error"
    http_status = 400
    default_message: str | Promise = _("The request could not be completed.")

    def __init__(
        self,
        message: str | Promise | None = None,
        *,
        code: str | None = None,
        fields: dict[str, list[str]] | None = None,
        **params: Any,
    ) -> None:
        self.message = message if message is not None else self.default_message
        if code:
            self.code = code
        self.fields = fields or {}
        self.params = params
        super().__init__(str(self.message))

    def __str__(self) -> str:
        """The message in the active language; whole numbers grouped the reader's way."""
        text = str(self.message)
        if not self.params:
            return text
        shown = {
            key: points_format(value) if isinstance(value, int) and not isinstance(value, bool) else value
            for key, value in self.params.items()
        }
        return text % shown

    def summary(self) -> str:
        """One line for a flash message: the field messages when there are any."""
        return " ".join(str(m) for messages in self.fields.values() for m in messages) or str(self)


class InvalidInput(DomainError):
    code = "invalid"
    default_message = _("Some of the information is not valid.")


class NotFound(DomainError):
    code = "not_found"
    http_status = 404
    default_message = _("Not found.")


class Forbidden(DomainError):
    code = "forbidden"
    http_status = 403
    default_message = _("You are not allowed to do this.")


class Conflict(DomainError):
    code = "conflict"
    http_status = 409
    default_message = _("This has already been done or was changed by someone else.")


class IllegalTransition(Conflict):
    code = "illegal_transition"
    default_message = _("This change is not possible in the current status.")


class ServiceUnavailable(DomainError):
    code = "unavailable"
    http_status = 503
    default_message = _("A service we depend on is not answering. Nothing was changed; please try again.")


class NotInstalled(RuntimeError):
    """The installation's defaults (the program, sellers, …) are missing: an operator's
    mistake, not a user's, so it is no DomainError and is not translated."""

    def __init__(self) -> None:
        super().__init__("ProPass is not set up yet: run `propass setup` (make run does) to install its defaults.")
