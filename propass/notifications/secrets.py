"""Single-use links are secrets: whoever holds one sets the member's password or follows their
application. The code that builds such an e-mail passes the link as a `SecretLink`; the outbox
stores the message twice, as sent (with the link, for delivery and the operators' `propass
outbox`) and as staff see it (the link replaced by a mark), and staff pages, previews and the
data administration show the second, the mark written as "link sent, valid until …" in the
reader's language."""

import re
from dataclasses import dataclass
from datetime import datetime

from django.utils import formats, timezone
from django.utils.html import escape
from django.utils.translation import gettext

from propass.notifications.enums import SecretKind

# What the staff copy holds instead of the link; never a valid path or address.
SECRET_MARK = "\u27e6secret link\u27e7"
_IN_TEXT = re.compile(r"[^\s\"'<>]*" + re.escape(SECRET_MARK))
_IN_HREF = re.compile(r"\s+href=\"[^\"]*" + re.escape(SECRET_MARK) + r"[^\"]*\"")


@dataclass(frozen=True)
class SecretLink:
    """A link (its path) that only its recipient may see: `kind` and `ref` name what it opens
    (a user's password, an application), so that staff can have a new one sent instead."""

    path: str
    kind: SecretKind
    ref: int
    valid_until: datetime | None = None

    def __str__(self) -> str:
        return self.path


def secret_note(valid_until: datetime | None) -> str:
    """What staff read in place of a link, in the active language."""
    if valid_until is None:
        return gettext("[link sent to the recipient]")
    until = formats.date_format(timezone.localtime(valid_until), "SHORT_DATETIME_FORMAT")
    return gettext("[link sent to the recipient, valid until %(until)s]") % {"until": until}


def secret_mask_text(text: str, valid_until: datetime | None) -> str:
    """The staff copy of a plain-text body with each marked link written as a note."""
    note = secret_note(valid_until)
    return _IN_TEXT.sub(lambda _match: note, text)


def secret_mask_html(html: str, valid_until: datetime | None) -> str:
    """The staff copy of an HTML body: marked links lose their target and read as a note."""
    note = escape(secret_note(valid_until))
    return _IN_TEXT.sub(lambda _match: note, _IN_HREF.sub("", html))
