"""schemathesis against /api/schema/: every operation, a few generated requests each, without
credentials and with a member's token. No server error, no undocumented status, every answer
in its declared content type and shape (issue 14). Bounded: a handful of examples per operation."""

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from propass.accounts.tests.factories import PASSWORD

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES_PER_OPERATION = 6


@contextmanager
def _one_connection() -> Iterator[None]:
    """Requests to the real WSGI application run inside the test's transaction: like Django's
    test client, they must not close the database connection when they start or finish."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _run(schema, headers: dict[str, str]) -> list[str]:
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @hypothesis_settings(
                max_examples=EXAMPLES_PER_OPERATION,
                deadline=None,
                derandomize=True,
                database=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            def call(case):
                case.call_and_validate(headers=headers, checks=CHECKS)

            try:
                call()
            except Unsatisfiable:
                pass  # nothing to negate: no parameter, or a body that accepts anything
            except (Exception, BaseExceptionGroup) as error:  # all reported at once
                failures.append(f"{operation.label} ({mode.value}): {error}")
    return failures


@pytest.mark.parametrize("caller", ["anonymous", "member"])
def test_the_api_answers_as_its_schema_says(caller, member):
    headers: dict[str, str] = {}
    if caller == "member":
        answer = Client().post(
            "/api/v1/auth/token/", {"email": member.email, "password": PASSWORD}, content_type="application/json"
        )
        headers["Authorization"] = f"Token {answer.json()['token']}"
    with _one_connection():
        schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", WSGIHandler())
        failures = _run(schema, headers)
    assert failures == [], "\n\n".join(failures)
