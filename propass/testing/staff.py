"""Staff in tests: a staff user in a group, a session past the second factor, and every
back-office URL to visit."""

from django.contrib.auth.models import Group
from django.urls import URLPattern, URLResolver, reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from propass.accounts.models import User
from propass.accounts.tests.factories import UserFactory
from propass.backoffice import urls


def staff_user(email: str, group: str, *, first_name: str = "Sara", last_name: str = "Staff", **fields):
    """A staff user (created, or found by e-mail) in the staff group `group`, which is created
    when missing; `fields` go to the user factory."""
    user: User = UserFactory.create(email=email, is_staff=True, first_name=first_name, last_name=last_name, **fields)
    user.groups.add(Group.objects.get_or_create(name=group)[0])
    return user


def staff_session_verify(client, user):
    """Mark the client's session as having passed two-factor authentication (what
    `django_otp.login` does after a correct code), with a confirmed authenticator for `user`."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    device = device or TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


def backoffice_routes():
    """{"backoffice:name": {parameter: converter type name}} for every URL pattern of the back
    office, included ones too; an unnamed pattern is listed as "backoffice:<unnamed route>"."""
    found = {}

    def walk(patterns, namespace, route):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}:{pattern.namespace}" if pattern.namespace else namespace
                walk(pattern.url_patterns, inner, route + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                converters = getattr(pattern.pattern, "converters", {})
                name = pattern.name or f"<unnamed {route}{pattern.pattern}>"
                found[f"{namespace}:{name}"] = {
                    key: type(converter).__name__.removesuffix("Converter").lower()
                    for key, converter in converters.items()
                }

    walk(urls.urlpatterns, urls.app_name, "")
    return found


def backoffice_url(name, parameters, values=None):
    """The URL of a back-office route, its parameters taken from `values` or made up (a made-up
    id finds nothing: a page that lets the caller in then answers 404)."""
    made_up = {"int": 999_999}
    kwargs = {key: (values or {}).get(key, made_up.get(kind, "unknown")) for key, kind in parameters.items()}
    return reverse(name, kwargs=kwargs)
