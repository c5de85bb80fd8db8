import csv

import pytest
from django.core.management import CommandError, call_command

from propass.catalog.models import ProductModel

HEADER = ["code", "name", "category", "points", "eligible", "serial_pattern", "launch_date", "end_of_support"]


def _write(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)


def _good(n):
    return [f"CAM-{n}", f"Camera {n}", "camera", str(100 + n % 200), "true", "[0-9]{12}", "2020-01-01", ""]


BAD = [
    ["", "No code", "camera", "100", "true", "", "", ""],
    ["X1", "", "camera", "100", "true", "", "", ""],
    ["X2", "Bad category", "spaceship", "100", "true", "", "", ""],
    ["X3", "Bad points", "camera", "lots", "true", "", "", ""],
    ["X4", "Negative", "camera", "-5", "true", "", "", ""],
    ["X5", "Bad flag", "camera", "5", "maybe", "", "", ""],
    ["X6", "Bad pattern", "camera", "5", "true", "[0-9", "", ""],
    ["X7", "Bad date", "camera", "5", "true", "", "17/04/2023", ""],
    ["X8", "Ends early", "camera", "5", "true", "", "2023-01-01", "2022-01-01"],
    ["X9", "Bad end date", "camera", "5", "true", "", "", "soon"],
]


def test_ten_bad_rows_among_a_thousand_are_reported_and_the_rest_imported(tmp_path, db, capsys):
    rows = [_good(n) for n in range(990)]
    bad_lines = []
    for index, bad in enumerate(BAD):
        position = 50 + index * 90
        rows.insert(position, bad)
    for line, row in enumerate(rows, start=2):
        if row in BAD:
            bad_lines.append(line)
    path = tmp_path / "catalog.csv"
    _write(path, rows)
    with pytest.raises(CommandError, match="10 rows were refused"):
        call_command("import-catalog", str(path))
    err = capsys.readouterr().err
    assert [int(line.split()[1].rstrip(":")) for line in err.strip().splitlines()] == bad_lines
    assert ProductModel.objects.count() == 990


def test_re_importing_updates_instead_of_duplicating(tmp_path, db, capsys):
    path = tmp_path / "catalog.csv"
    _write(path, [_good(1), _good(2)])
    call_command("import-catalog", str(path))
    _write(path, [["CAM-1", "Camera One", "camera", "250", "true", "", "", ""], _good(2)])
    call_command("import-catalog", str(path))
    assert "0 created, 2 updated" in capsys.readouterr().out
    assert ProductModel.objects.count() == 2
    assert ProductModel.objects.get(code="CAM-1").points == 250


def test_the_demo_catalog_is_realistic(db):
    from propass.demo.demo import catalog_seed

    catalog_seed()
    assert ProductModel.objects.count() >= 150
    assert set(ProductModel.objects.values_list("category", flat=True)) == {
        "camera", "lens", "video", "printer", "accessory"
    }  # fmt: skip
    assert ProductModel.objects.get(code="EOS-R5").points == 220
    assert not ProductModel.objects.filter(category="accessory", eligible=True).exists()
