from django.tasks import task

from propass.accounts.services import password_reset_send


@task()
def password_reset_send_task(email: str) -> None:
    password_reset_send(email=email)
