from django.core import mail

from propass.accounts.models import BusinessMembership, User
from propass.notifications.models import OutboxMessage

INVITE = {"action": "invite", "first_name": "Luca", "last_name": "Neri", "email": "luca@alpha.test", "role": "member"}


def test_the_superuser_invites_a_user(client, program, owner):
    client.force_login(owner)
    response = client.post("/account/", INVITE)
    assert response.status_code == 302
    luca = User.objects.get(email="luca@alpha.test")
    assert not luca.has_usable_password()
    assert BusinessMembership.objects.get(user=luca).business == owner.membership.business
    message = OutboxMessage.objects.get(template="team_invitation")
    assert message.to == "luca@alpha.test"
    assert "Alpha Studio" in message.subject
    assert "/accounts/set-password/" in message.body_text


def test_a_member_cannot_invite(client, program, member):
    client.force_login(member)
    client.post("/account/", INVITE)
    assert not User.objects.filter(email="luca@alpha.test").exists()
    assert len(mail.outbox) == 0


def test_an_email_with_a_login_cannot_be_invited(client, program, owner, outsider):
    client.force_login(owner)
    response = client.post("/account/", {**INVITE, "email": outsider.email})
    assert "cannot be added" in response.content.decode()
    assert outsider.membership.business.name == "Beta Films"


def test_the_superuser_removes_a_user_whose_login_stops_working(client, program, owner, member):
    client.force_login(owner)
    client.post(f"/account/users/{member.pk}/remove/")
    member.refresh_from_db()
    assert not member.is_active
    assert not BusinessMembership.objects.filter(user=member).exists()


def test_a_user_of_another_business_cannot_be_removed(client, program, owner, outsider):
    client.force_login(owner)
    response = client.post(f"/account/users/{outsider.pk}/remove/", follow=True)
    assert "Not found" in response.content.decode()
    outsider.refresh_from_db()
    assert outsider.is_active


def test_the_superuser_cannot_be_removed(client, program, owner, member):
    client.force_login(owner)
    client.post(f"/account/users/{owner.pk}/remove/")
    owner.refresh_from_db()
    assert owner.is_active
