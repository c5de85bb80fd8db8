from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import get_resolver
from django.utils import translation

from propass.core.errors import Forbidden, NotFound


class UserLanguageMiddleware:
    """A logged-in user sees the interface in the language stored on their account."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        language = getattr(user, "language", "") if user is not None and user.is_authenticated else ""
        if not language:
            return self.get_response(request)
        request.LANGUAGE_CODE = language
        with translation.override(language):
            response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class DomainErrorMiddleware:
    """A Forbidden or NotFound raised by a service in an HTML view becomes the usual 403/404
    page (the API turns them into its JSON error shape itself)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, Forbidden):
            raise PermissionDenied(str(exception)) from exception
        if isinstance(exception, NotFound):
            raise Http404(str(exception)) from exception
        return None


class NotFoundPageMiddleware:
    """With DEBUG on (the demo, a development machine) a missing page still gets the project's
    own 404 answer (`handler404`: the 404 page, or the JSON error under /api/) instead of
    Django's technical page, which lists every URL of the site. Django's technical 500 page
    stays: it is what a developer needs. With DEBUG off Django calls `handler404` itself."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # No view was found for the address: Django answered with its technical page.
        if settings.DEBUG and response.status_code == 404 and getattr(request, "resolver_match", None) is None:
            return self._not_found(request, Http404())
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if settings.DEBUG and isinstance(exception, Http404 | NotFound):
            return self._not_found(request, exception)
        return None

    @staticmethod
    def _not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
        # django-stubs types the handler without its `exception` argument, which Django passes.
        handler: Callable[..., HttpResponse] = get_resolver().resolve_error_handler(404)
        return handler(request, exception)


class PrivateCacheMiddleware:
    """`Cache-Control: private, no-store` on every answer that may hold personal data, so that
    neither a shared cache nor the browser's disk keeps it: anything answered to a logged-in
    user (a session or an API token), and everything under the back office, the API, the
    account pages and the pages a secret link opens, whoever asks (a refusal or a login
    redirect too). Public pages (home for visitors, FAQ, legal texts, the application form)
    and static files, served before this middleware, stay cacheable."""

    PRIVATE_PATHS = ("/backoffice/", "/api/", "/accounts/", "/account/", "/apply/status/")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # Read after the view: the API sets the user of a token on the request only then.
        user = getattr(request, "user", None)
        if request.path.startswith(self.PRIVATE_PATHS) or (user is not None and user.is_authenticated):
            response["Cache-Control"] = "private, no-store"
        return response
