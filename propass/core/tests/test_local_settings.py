"""`make run` leaves its development settings in var/local.env, so that a command in a second
terminal runs like the server; e-mail links follow the port being served."""

import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from propass.core.management.commands.start import children_plan
from propass.env import env_file_load

KEY = "k9Qx-vT2mR8wZ4pL6nB1cF7hJ3dS5gA0eYuIoP-generated-by-make-run"


def _settings_seen_by_a_command(env: dict[str, str]) -> list[str]:
    """DEBUG, SITE_URL and SECRET_KEY as `propass <command>` reads them in a fresh process."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "SITE_URL", "PORT", "LOCAL_ENV_FILE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    code = "from django.conf import settings; print(settings.DEBUG, settings.SITE_URL, settings.SECRET_KEY)"
    result = subprocess.run(
        [sys.executable, "-m", "propass.manage", "shell", "-v", "0", "-c", code],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


@pytest.fixture
def local_env(tmp_path):
    path = tmp_path / "local.env"
    path.write_text(f"# written by make run\n\nDEBUG=true\nPORT=8101\nSECRET_KEY={KEY}\n", encoding="utf-8")
    return path


def test_a_command_in_another_terminal_reads_what_make_run_left(local_env):
    assert _settings_seen_by_a_command({"LOCAL_ENV_FILE": str(local_env)}) == ["True", "http://127.0.0.1:8101", KEY]


def test_variables_of_the_environment_win_over_the_file(local_env):
    seen = _settings_seen_by_a_command(
        {"LOCAL_ENV_FILE": str(local_env), "PORT": "9000", "SECRET_KEY": "x" * 60, "SITE_URL": "https://pp.example/"}
    )
    assert seen == ["True", "https://pp.example", "x" * 60]


def test_e_mail_links_follow_the_port_unless_the_address_is_set():
    assert _settings_seen_by_a_command({"LOCAL_ENV_FILE": "", "DEBUG": "true", "PORT": "8101"})[1] == (
        "http://127.0.0.1:8101"
    )
    assert _settings_seen_by_a_command({"LOCAL_ENV_FILE": "", "DEBUG": "true"})[1] == "http://127.0.0.1:8000"


def test_start_gives_its_port_to_the_web_worker_and_scheduler(monkeypatch):
    monkeypatch.setenv("PORT", "8000")
    commands, env = children_plan(port=8101, bind="127.0.0.1:8101", web_workers=2)
    assert env["PORT"] == "8101"
    assert "127.0.0.1:8101" in commands["web"]
    assert set(commands) >= {"web", "scheduler"}


def test_the_file_skips_comments_and_refuses_a_line_it_cannot_read(tmp_path, monkeypatch):
    monkeypatch.setenv("PROPASS_A", "")
    monkeypatch.delenv("PROPASS_A")  # unset now, and again after the test
    monkeypatch.setenv("PROPASS_B", "from the environment")
    path = tmp_path / "local.env"
    path.write_text("# comment\nPROPASS_A = one=two\nPROPASS_B=from the file\n", encoding="utf-8")
    env_file_load(path)
    assert (os.environ["PROPASS_A"], os.environ["PROPASS_B"]) == ("one=two", "from the environment")
    env_file_load(tmp_path / "missing.env")
    path.write_text("just words\n", encoding="utf-8")
    with pytest.raises(ImproperlyConfigured, match=r"local\.env:1 is not NAME=value"):
        env_file_load(path)
