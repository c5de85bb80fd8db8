import os
import subprocess
import sys

PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "k9$Qx!vT2#mR8wZ4@pL6^nB1&cF7*hJ3(dS5)gA0-eY_uI+oP=",
    "ALLOWED_HOSTS": "propass.example.com",
    "EMAIL_URL": "smtp://mailer:secret@mail.example.com:587",
    "DATABASE_URL": "",
}


def _propass(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "EMAIL_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    return subprocess.run(
        [sys.executable, "-m", "propass.manage", *args],
        env={**clean, "LOCAL_ENV_FILE": "", **env},  # not the settings `make run` left in var/
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_reports_no_issues_in_production_mode():
    result = _propass("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_mode_refuses_to_start_without_a_secret_key():
    result = _propass("check", env={"DEBUG": "false", "ALLOWED_HOSTS": "propass.example.com"})
    assert result.returncode != 0
    assert "SECRET_KEY is required" in result.stderr
