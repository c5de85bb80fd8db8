import hashlib
import secrets
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from propass.accounts.enums import TokenPurpose
from propass.accounts.models import SecureToken, User
from propass.core.errors import InvalidInput


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def token_issue(*, user: User, purpose: TokenPurpose, lifetime: timedelta) -> str:
    """Create a single-use link token for `user`; returns the raw value to put in the link."""
    raw = secrets.token_urlsafe(32)
    SecureToken.objects.create(user=user, purpose=purpose, token_hash=_hash(raw), expires_at=timezone.now() + lifetime)
    return raw


def token_consume(*, raw: str, purpose: TokenPurpose) -> User:
    """Use a token once. A second use, an expired or unknown token raises InvalidInput."""
    now = timezone.now()
    with transaction.atomic():
        used = SecureToken.objects.filter(
            token_hash=_hash(raw), purpose=purpose, used_at__isnull=True, expires_at__gt=now
        ).update(used_at=now)
        if used != 1:
            raise InvalidInput(_("This link has expired or has already been used."), code="token_invalid")
        return SecureToken.objects.select_related("user").get(token_hash=_hash(raw)).user


def token_purge(*, at: datetime) -> int:
    """Delete tokens that expired or were used more than a day before `at`."""
    cutoff = at - timedelta(days=1)
    deleted, _ = SecureToken.objects.filter(expires_at__lt=cutoff).delete()
    deleted_used, _ = SecureToken.objects.filter(used_at__lt=cutoff).delete()
    return deleted + deleted_used


def user_set_language(*, user: User, language: str) -> None:
    """Store the language the member interface and e-mails use for this user."""
    user.language = language
    user.save(update_fields=["language"])
