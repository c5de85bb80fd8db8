import io

from django.core.management import call_command

from propass.products.legacy import legacy_import
from propass.products.models import LegacyAccount, LegacyRegistration
from propass.products.tests.helpers import camera
from propass.products.tests.legacy_data import HEADER, legacy_csv


def _import(data: bytes):
    return legacy_import(stream=io.BytesIO(data))


def test_bad_rows_are_reported_with_their_line_and_the_rest_imported(db):
    camera("EOS-R5")
    data = (
        HEADER.encode()
        + b"\n"
        + b"a@old.example,A,IT,1,Gold,EOS-R5,,000000000001,2020-01-01,IT,Foto\n"  # 2 good
        + b"a@old.example,A,IT,1,Gold,EOS-R5,,000000000002,31/12/2020,IT,Foto\n"  # 3 wrong date
        + b"a@old.example,A,IT,1,Gold,EOS-R5,,000000000003,2020-01-01,XX,Foto\n"  # 4 unknown country
        + b"a@old.example,A,IT,1,Gold,EOS-R5,,,2020-01-01,IT,Foto\n"  # 5 empty serial
        + b'a@old.example,A,IT,1,Gold,EOS-R5,,"0004"x,2020-01-01,IT,Foto\n'  # 6 broken quoting
        + b"a@old.example,A\xe9\xff,IT,1,Gold,EOS-R5,,000000000005,2020-01-01,IT,Foto\n"  # 7 not UTF-8
        + b"b@old.example,B,ZZ,2,Silver,,,,,,\n"  # 8 unknown account country
        + b"c@old.example,C,DE,3,Silver,,,,,,\n"  # 9 good: an account without products
        + b"a@old.example,A,IT,1,Gold,,EOS R5,000000000006,,,\n"  # 10 good, incomplete, matched by name
    )
    report = _import(data)
    assert [line for line, _reason in report.errors] == [3, 4, 5, 6, 7, 8]
    reasons = dict(report.errors)
    assert "purchase_date" in reasons[3]
    assert "country_of_purchase" in reasons[4]
    assert "serial_number is empty" in reasons[5]
    assert "quoting" in reasons[6]
    assert "UTF-8" in reasons[7]
    assert report.rows == 9
    assert set(LegacyAccount.objects.values_list("email", flat=True)) == {"a@old.example", "c@old.example"}
    assert LegacyRegistration.objects.count() == 2
    by_name = LegacyRegistration.objects.get(serial_number="000000000006")
    assert by_name.product.code == "EOS-R5"
    assert by_name.purchase_date is None


def test_importing_twice_changes_nothing(db):
    data = legacy_csv(
        "Old@Example.com,Old,IT,1,Gold,EOS-R5,,000000000001,2020-01-01,IT,Foto",
        "old@example.COM,Old,IT,1,Gold,EOS-R6,,000000000002,2020-01-01,IT,Foto",
    )
    first = _import(data)
    second = _import(data)
    assert (first.accounts, first.registrations) == (1, 2)
    assert (second.accounts, second.registrations, second.bad_rows) == (0, 0, 0)
    assert LegacyAccount.objects.get().email == "old@example.com"


def test_the_command_writes_a_report_of_bad_rows(tmp_path, db, capsys):
    path = tmp_path / "legacy.csv"
    path.write_bytes(legacy_csv("x@old.example,X,IT,1,Gold,EOS-R5,,1,yesterday,IT,Foto"))
    call_command("import-legacy", str(path), verbosity=1)
    out = capsys.readouterr().out
    assert "1 bad rows" in out
    report = (tmp_path / "legacy.csv.errors.csv").read_text()
    assert report.splitlines()[1].startswith("2,")


def test_a_file_without_the_key_columns_is_refused(db):
    report = _import(b"email,name\nx@y.z,X\n")
    assert report.errors[0][0] == 1
    assert "missing columns" in report.errors[0][1]
    assert LegacyAccount.objects.count() == 0


def test_staff_upload_a_file_and_the_worker_imports_it(client, db, django_capture_on_commit_callbacks):
    from django.contrib.auth.models import Group
    from django.core.files.uploadedfile import SimpleUploadedFile

    from propass.accounts.tests.factories import UserFactory
    from propass.products.models import LegacyImport

    agent = UserFactory(email="support@propass.test", is_staff=True)
    agent.groups.add(Group.objects.get_or_create(name="support")[0])
    client.force_login(agent)
    upload = SimpleUploadedFile(
        "legacy.csv", legacy_csv("u@old.example,U,IT,1,Gold,EOS-R5,,000000000001,2020-13-01,IT,Foto")
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/backoffice/legacy/upload/", {"file": upload})
    record = LegacyImport.objects.get()
    assert record.status == "done"
    assert record.bad_rows == 1
    assert "line 2" in record.report
    assert "line 2" in client.get(f"/backoffice/legacy/imports/{record.pk}/").content.decode()


def test_an_import_whose_worker_died_is_taken_over_when_the_task_runs_again(client, db, settings):
    from django.contrib.auth.models import Group
    from django.core.files.uploadedfile import SimpleUploadedFile

    from propass.accounts.tests.factories import UserFactory
    from propass.core.statuses import status_move
    from propass.products.legacy import legacy_import_task
    from propass.products.models import LegacyImport

    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    agent = UserFactory(email="support@propass.test", is_staff=True)
    agent.groups.add(Group.objects.get_or_create(name="support")[0])
    client.force_login(agent)
    upload = SimpleUploadedFile("legacy.csv", legacy_csv("u@old.example,U,IT,1,Gold,EOS-R5,,000000000001,,IT,Foto"))
    client.post("/backoffice/legacy/upload/", {"file": upload})
    record = LegacyImport.objects.get()
    status_move(record, LegacyImport.Status.RUNNING)  # claimed by a run whose worker was then killed

    legacy_import_task.call(record.pk)  # the task handed out again (core/tasks.py)
    legacy_import_task.call(record.pk)  # and once more: nothing changes

    record.refresh_from_db()
    assert (record.status, record.accounts) == ("done", 1)
    assert LegacyAccount.objects.count() == 1
