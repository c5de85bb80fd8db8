"""A member reading in Italian, Spanish, German, French or Dutch meets no English interface text:
every sentence of the English catalog that has a translation in the reader's language must not
appear as it is on the member pages (brand names and the seeds' proper names are not sentences of
the catalog, so they stay); and money, points and dates on those pages are written the reader's way,
never the English way."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings
from django.urls import reverse

from propass.accounts.models import Business, User
from propass.billing.models import Invoice
from propass.core.money import date_format, money_format, points_format
from propass.core.tests.test_browser_a11y import _member_with_history
from propass.memberships.models import Subscription

pytestmark = pytest.mark.django_db

LANGUAGES = ["it", "es", "de", "fr", "nl"]
MEMBER_PAGES = ["products:list", "products:register", "memberships:subscriptions", "memberships:manage",
                "service:benefits", "service:list", "memberships:card", "notifications:list", "accounts:account",
                "support:tickets", "support:new", "faq:index"]  # fmt: skip
PLACEHOLDER = re.compile(r"%\(|%s|%d|\{|<")


class _Text(HTMLParser):
    """The text a person reads: text nodes outside script and style, and the alt/title/label
    attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            if name in ("alt", "title", "aria-label", "placeholder") and value:
                self.parts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def _readable(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def _english_sentences(language: str) -> list[str]:
    """English interface sentences (three words or more, no placeholder or markup) that the
    language's catalog translates into something else."""
    path = Path(settings.BASE_DIR) / "locale" / language / "LC_MESSAGES" / "django.po"
    with path.open("rb") as po:
        catalog = read_po(po)
    sentences = []
    for message in catalog:
        if not message.id or message.pluralizable or not message.string or message.fuzzy:
            continue
        text, translated = str(message.id), str(message.string)
        if translated == text or PLACEHOLDER.search(text) or len(text.split()) < 3:
            continue
        sentences.append(" ".join(text.split()))
    return sentences


@pytest.mark.parametrize("language", LANGUAGES)
def test_member_pages_show_no_english_sentence_in_another_language(client, language):
    owner = _member_with_history()
    User.objects.filter(pk=owner.pk).update(language=language)
    client.force_login(owner)
    english = _english_sentences(language)
    assert len(english) > 300, "the catalog was not read"
    found = {}
    for name in MEMBER_PAGES:
        response = client.get(reverse(name))
        assert response.status_code == 200, (name, response.status_code)
        text = _readable(response.content.decode())
        leftovers = [sentence for sentence in english if sentence in text]
        if leftovers:
            found[name] = leftovers
    assert found == {}, f"English on {language} pages: {found}"


# The English way of writing numbers, money and dates, none of which any of LANGUAGES uses.
ENGLISH_FORMS = {
    "thousands with a comma": re.compile(r"\b\d{1,3}(?:,\d{3})+(?![\d,])"),
    "cents after a point": re.compile(r"(?:[£€$]\s?\d+\.\d{2}\b|\b\d+\.\d{2}\s?(?:€|EUR|GBP|£))"),
    "an ISO date": re.compile(r"\b20\d\d-[01]\d-[0-3]\d\b"),
    "an English month": re.compile(
        r"\b(?:January|February|March|April|June|July|August|September|October|November|December)\b"
    ),
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_money_points_and_dates_on_member_pages_are_written_the_readers_way(client, language):
    owner = _member_with_history()
    User.objects.filter(pk=owner.pk).update(language=language)
    Business.objects.filter(memberships__user=owner).update(points_balance=12850)
    subscription = Subscription.objects.get(business__memberships__user=owner)
    invoice = Invoice.objects.get(business__memberships__user=owner)
    client.force_login(owner)
    pages = {name: _readable(client.get(reverse(name)).content.decode()) for name in MEMBER_PAGES}

    # What the reader expects, present ...
    def shown(text):  # as _readable writes it: any run of spaces (no-break ones too) as one space
        return " ".join(text.split())

    assert shown(points_format(12850, language)) in pages["products:list"]
    assert shown(date_format(subscription.expires_on, language)) in pages["memberships:subscriptions"]
    assert shown(money_format(invoice.total, invoice.currency, language)) in pages["memberships:subscriptions"]
    # ... and the English forms absent.
    found = {
        (name, form): pattern.findall(text)
        for name, text in pages.items()
        for form, pattern in ENGLISH_FORMS.items()
        if pattern.search(text)
    }
    assert found == {}, f"English number, money or date forms on {language} pages: {found}"
