"""`/hello`: a short text. `/rows`: one indexed query for 50 businesses, rendered into ~5 KB of HTML."""

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path


def hello(request: HttpRequest) -> HttpResponse:
    return HttpResponse("Hello, world\n", content_type="text/plain")


def rows(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, name, country FROM accounts_business ORDER BY id LIMIT 50")
        found = [{"id": pk, "name": name, "country": country} for pk, name, country in cursor.fetchall()]
    return render(request, "rows.html", {"rows": found})


urlpatterns = [path("hello", hello), path("rows", rows)]
