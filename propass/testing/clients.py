"""Logged-in clients for the concurrency tests: one per thread, each with its own session."""

from django.test import Client
from rest_framework.test import APIClient

from propass.testing.staff import staff_session_verify


def logged_in(user, count: int) -> list[Client]:
    """`count` browsers logged in as `user` (a staff user's session past the second factor)."""
    clients = []
    for _ in range(count):
        client = Client()
        client.force_login(user)
        if user.is_staff:
            staff_session_verify(client, user)
        clients.append(client)
    return clients


def api_clients(user, count: int) -> list[APIClient]:
    """`count` API clients authenticated as `user`."""
    clients = []
    for _ in range(count):
        client = APIClient()
        client.force_authenticate(user)
        clients.append(client)
    return clients
