"""Rendering speed of the busiest pages, in-process (no network, no server): prints requests per
second, one page after the other.

    DEBUG=true uv run --frozen python bench/pages_inprocess.py [--n 200]

Uses a throw-away SQLite database in a temporary directory with the demo data and 50 open
applications: a quick look at one page's rendering cost while changing it. For figures that
count (gunicorn, PostgreSQL, real HTTP, next to a bare Django floor), see bench/pages.py.
"""

import argparse
import atexit
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DEBUG", "true")
workdir = tempfile.mkdtemp(prefix="propass-bench-")
atexit.register(shutil.rmtree, workdir, ignore_errors=True)
os.environ["DATA_DIR"] = workdir
os.environ["DATABASE_URL"] = f"sqlite:///{workdir}/bench.sqlite3"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "propass.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=200)
    n = parser.parse_args().n
    setup_test_environment()
    call_command("migrate", verbosity=0)
    call_command("seed-demo", verbosity=0)
    from propass.accounts.models import User
    from propass.onboarding.tests.helpers import submit

    for i in range(50):
        submit(email=f"bench{i}@example.com")
    from propass.testing.staff import staff_session_verify

    staff = User.objects.get(email="staff@propass.test")
    member = User.objects.get(email="owner@studio-rossi.test")
    business_id = member.membership.business_id
    pages = [
        ("anonymous", None, "/accounts/login/"),
        ("anonymous", None, "/healthz"),
        ("anonymous", None, "/apply/"),
        ("member", member, "/"),
        ("member", member, "/account/"),
        ("member", member, "/products/"),
        ("member", member, "/subscriptions/"),
        ("member", member, "/notifications/"),
        ("member", member, "/support/"),
        ("anonymous", None, "/faq/"),
        ("staff", staff, "/backoffice/applications/"),
        ("staff", staff, f"/backoffice/businesses/{business_id}/"),
        ("staff", staff, "/backoffice/finance/invoices/"),
        ("staff", staff, "/backoffice/support/"),
        ("staff", staff, "/backoffice/reports/"),
        ("staff", staff, "/backoffice/audit/"),
    ]
    for who, user, path in pages:
        client = Client()
        if user is not None:
            client.force_login(user)
            if user.is_staff:
                staff_session_verify(client, user)  # past the second factor
        assert client.get(path).status_code == 200, path
        start = time.perf_counter()
        for _ in range(n):
            client.get(path)
        elapsed = time.perf_counter() - start
        print(f"{path:<32} {who:<10} {n / elapsed:8.1f} req/s  ({elapsed / n * 1000:.2f} ms each)")


if __name__ == "__main__":
    main()
