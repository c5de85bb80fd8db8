from django.tasks import task

from propass.notifications.services import outbox_deliver


@task()
def outbox_deliver_task(message_id: int) -> None:
    outbox_deliver(message_id=message_id)
