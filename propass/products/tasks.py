from django.tasks import task

from propass.products.legacy import legacy_import_run


@task()
def legacy_import_task(import_id: int) -> None:
    legacy_import_run(import_id=import_id)
