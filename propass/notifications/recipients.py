"""Who the bell and the outbox write to, as they need them: the bell sits below accounts, so it
types users and businesses by what it reads of them, never by importing their models."""

from typing import Any, Protocol


class Recipient(Protocol):
    """A person: `accounts.User`."""

    @property
    def pk(self) -> Any: ...
    @property
    def email(self) -> str: ...
    @property
    def language(self) -> str: ...
    @property
    def email_opt_out(self) -> Any: ...


class Audience(Protocol):
    """A business and its people: `accounts.Business`."""

    @property
    def pk(self) -> Any: ...
    @property
    def memberships(self) -> Any: ...
