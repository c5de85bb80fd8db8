"""Passwords are hashed with Argon2 in production; the tests swap in a fast hasher (conftest.py)
without changing what the settings module declares."""

from django.conf import settings
from django.contrib.auth.hashers import get_hasher

import propass.settings


def test_production_hashes_new_passwords_with_argon2_and_still_reads_pbkdf2():
    assert propass.settings.PASSWORD_HASHERS == [
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]


def test_the_suite_runs_with_the_fast_hasher():
    assert settings.PASSWORD_HASHERS == ["django.contrib.auth.hashers.MD5PasswordHasher"]
    assert get_hasher().algorithm == "md5"
