from django.tasks import task

from propass.billing.invoicing import invoice_issue


@task()
def invoice_issue_task(request_id: int) -> None:
    invoice_issue(request_id=request_id)
