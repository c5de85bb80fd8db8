"""`propass setup` installs a fresh installation's defaults once; reads never create them."""

import pytest
from django.core.management import call_command

from propass.billing.models import SellerEntity, VatRate
from propass.billing.vat import seller_for
from propass.core.errors import NotInstalled
from propass.core.models import LegalText, Program
from propass.core.selectors import program_current
from propass.faq.models import FaqEntry
from propass.memberships.models import Tier, TierPrice
from propass.support.models import CannedReply, SupportSla

MODELS = (Program, LegalText, SellerEntity, VatRate, Tier, TierPrice, SupportSla, CannedReply, FaqEntry)


def _counts():
    return {model.__name__: model.objects.count() for model in MODELS}


@pytest.mark.django_db
def test_setup_installs_every_default_and_a_second_run_changes_nothing(capsys):
    call_command("setup")
    counts = _counts()
    assert all(counts.values()), counts
    assert Program.objects.get().name == "Canon Professional Services"
    assert SupportSla.objects.filter(tier=None).exists()
    assert SupportSla.objects.filter(tier__isnull=False).count() == Tier.objects.count()

    call_command("setup")

    assert _counts() == counts
    assert "The defaults are in place" in capsys.readouterr().out


@pytest.mark.django_db
def test_setup_leaves_what_the_operator_edited():
    Program.objects.update(name="Partner Programme")
    Tier.objects.filter(code="gold").update(min_points=1200)

    call_command("setup")

    assert program_current().name == "Partner Programme"
    assert Tier.objects.get(code="gold").min_points == 1200


@pytest.mark.django_db
def test_reading_the_program_of_an_installation_without_setup_creates_nothing_and_says_what_to_run():
    Program.objects.all().delete()

    with pytest.raises(NotInstalled, match="propass setup"):
        program_current()

    assert not Program.objects.exists()


@pytest.mark.django_db
def test_choosing_a_seller_without_sellers_creates_none_and_says_what_to_run():
    SellerEntity.objects.all().delete()

    with pytest.raises(NotInstalled, match="propass setup"):
        seller_for(country="IT")

    assert not SellerEntity.objects.exists()
