"""The floor: the least a Django page can cost here, to compare ProPass's pages with.

A bare `django-admin startproject` trimmed to what an anonymous 50-row read uses: no apps, no
sessions, authentication, messages or CSRF; the security, common and clickjacking middleware that
answer every response stay. Same PostgreSQL database and persistent connections as ProPass
(`DATABASE_URL`, `CONN_MAX_AGE` 600), templates cached (DEBUG off). Served by bench/pages.py under
gunicorn: `gunicorn bench.floor.wsgi` with DATABASE_URL set.
"""

import os
from pathlib import Path

import dj_database_url

SECRET_KEY = os.environ.get("SECRET_KEY") or "floor-only-serves-a-benchmark-no-secrets-here"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS: list[str] = []
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
ROOT_URLCONF = "bench.floor.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [Path(__file__).resolve().parent / "templates"],
    }
]
DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=600)}
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
