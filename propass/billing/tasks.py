from django.tasks import task

from propass.billing.invoicing import invoice_issue


@task()
def invoice_issue_task(request_id: int) -> None:
    invoice_issue(request_id=request_id)


@task()
def invoice_pdf_task(invoice_id: int) -> None:
    from propass.billing.pdf import invoice_pdf_render

    invoice_pdf_render(invoice_id=invoice_id)
