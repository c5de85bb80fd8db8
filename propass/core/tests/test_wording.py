"""A sentence that ends with a business name ending in a period keeps one period
("… Studio Rossi S.r.l. Validation …"), and the German invitation reads naturally (issue 15)."""

from django.utils import translation

from propass.accounts.models import Business
from propass.notifications.models import Notification, OutboxMessage
from propass.onboarding.tests.helpers import submit
from propass.products.tests.helpers import camera, register


def test_the_application_e_mail_ends_the_company_name_with_one_period(program):
    submit(language="en")
    message = OutboxMessage.objects.get(template="application_received")
    assert "for Studio Rossi S.r.l. Validation takes" in message.body_text
    assert "S.r.l.." not in message.body_text
    assert "S.r.l.." not in message.body_html


def test_the_team_invitation_ends_the_business_name_with_one_period(client, program, business, owner):
    Business.objects.filter(pk=business.pk).update(name="Studio Rossi S.r.l.")
    client.force_login(owner)
    invite = {
        "action": "invite",
        "first_name": "Luca",
        "last_name": "Neri",
        "email": "luca@alpha.test",
        "role": "member",
    }
    assert client.post("/account/", invite).status_code == 302
    message = OutboxMessage.objects.get(template="team_invitation")
    assert "of Studio Rossi S.r.l. Set your password" in message.body_text
    assert "S.r.l.." not in message.body_html


def test_the_german_invitation(business, owner):
    owner.language = "de"
    owner.save()
    register(business, camera(points=1280), serial="000000000001")
    message = OutboxMessage.objects.get(template="program_invitation", to=owner.email)
    assert "Du bist zum Programm Canon Professional Services eingeladen" in message.subject
    assert "1.280 Punkte erreicht: Du bist zum Programm Canon Professional Services eingeladen." in message.body_text
    assert "Teilnahme am" not in message.body_text
    entry = Notification.objects.get(user=owner, kind="invitation")
    with translation.override("de"):
        assert entry.title_text == "Du bist zum Programm Canon Professional Services eingeladen"
        assert entry.body_text == "Dein Unternehmen hat 1.280 Punkte: Wähle deine Mitgliedschaftsstufe."
