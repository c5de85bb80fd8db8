"""E-mail previews in the back office: every template renders in every language, and
nothing is sent."""

import pytest
from django.conf import settings

from propass.backoffice.previews import email_preview, email_templates
from propass.notifications.models import OutboxMessage


@pytest.fixture
def seeded(shop):
    return shop


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
@pytest.mark.parametrize("template", email_templates())
def test_every_email_template_renders_in_every_language(seeded, template, language):
    preview = email_preview(template=template, language=language)
    assert preview.subject.strip()
    assert preview.text.strip()
    assert f'<html lang="{language}">' in preview.html
    assert "Traceback" not in preview.html
    assert not OutboxMessage.objects.exists()


def test_the_previews_cover_the_templates_the_program_sends():
    assert {"account_ready", "application_received", "program_invitation", "subscription_active", "notice"} <= set(
        email_templates()
    )
