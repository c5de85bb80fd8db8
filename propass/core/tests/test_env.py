import pytest
from django.core.exceptions import ImproperlyConfigured

from propass.env import env_bool, env_choice, env_int, parse_email_url


def test_env_bool_reads_true_and_false(monkeypatch):
    monkeypatch.setenv("FLAG", "Yes")
    assert env_bool("FLAG", False) is True
    monkeypatch.setenv("FLAG", "off")
    assert env_bool("FLAG", True) is False


def test_env_bool_fails_loudly_on_a_typo(monkeypatch):
    monkeypatch.setenv("FLAG", "ture")
    with pytest.raises(ImproperlyConfigured, match="FLAG"):
        env_bool("FLAG", False)


def test_env_int_fails_loudly_on_text(monkeypatch):
    monkeypatch.setenv("NUMBER", "ten")
    with pytest.raises(ImproperlyConfigured, match="NUMBER"):
        env_int("NUMBER", 1)


def test_env_choice_refuses_unknown_values(monkeypatch):
    monkeypatch.setenv("TASKS_BACKEND", "celery")
    with pytest.raises(ImproperlyConfigured, match="database"):
        env_choice("TASKS_BACKEND", "database", {"database", "rq"})


def test_email_url_smtp_with_starttls():
    config = parse_email_url("smtp://mailer:s%40cret@mail.example.com:2525")
    assert config["BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    options = config["OPTIONS"]
    assert options["host"] == "mail.example.com"
    assert options["port"] == 2525
    assert options["password"] == "s@cret"
    assert options["use_tls"] is True
    assert options["use_ssl"] is False


def test_email_url_smtps_uses_ssl_on_465():
    options = parse_email_url("smtps://u:p@mail.example.com")["OPTIONS"]
    assert options["port"] == 465
    assert options["use_ssl"] is True
    assert options["use_tls"] is False


def test_email_url_outbox_is_the_embedded_default():
    assert parse_email_url("outbox:")["BACKEND"].endswith("dummy.EmailBackend")


def test_email_url_refuses_unknown_schemes():
    with pytest.raises(ImproperlyConfigured):
        parse_email_url("sendgrid://key")
