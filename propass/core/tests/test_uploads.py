import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from propass.core.errors import InvalidInput
from propass.core.uploads import upload_check
from propass.testing.files import MINIMAL_PDF, image_bytes, jpeg, pdf, png

TEN_MB = 10 * 1024 * 1024


@pytest.mark.parametrize(
    ("upload", "content_type"),
    [(pdf(), "application/pdf"), (png(), "image/png"), (jpeg(), "image/jpeg"), (jpeg("x.JPEG"), "image/jpeg")],
)
def test_pdf_png_and_jpeg_are_accepted(upload, content_type):
    assert upload_check(upload, max_bytes=TEN_MB).content_type == content_type


def test_a_png_renamed_to_pdf_is_refused():
    upload = SimpleUploadedFile("invoice.pdf", image_bytes("PNG"), content_type="application/pdf")
    with pytest.raises(InvalidInput, match="does not match its name"):
        upload_check(upload, max_bytes=TEN_MB)


def test_an_html_file_renamed_to_pdf_is_refused():
    upload = SimpleUploadedFile(
        "invoice.pdf", b"<html><script>alert(1)</script></html>", content_type="application/pdf"
    )
    with pytest.raises(InvalidInput, match="Only PDF, JPEG and PNG"):
        upload_check(upload, max_bytes=TEN_MB)


def test_a_12_mb_file_is_refused():
    upload = SimpleUploadedFile("big.pdf", MINIMAL_PDF + b"0" * (12 * 1024 * 1024), content_type="application/pdf")
    with pytest.raises(InvalidInput, match="larger than 10 MB"):
        upload_check(upload, max_bytes=TEN_MB)


def test_a_pdf_with_javascript_is_refused():
    upload = pdf(content=MINIMAL_PDF.replace(b"/Type/Catalog", b"/Type/Catalog/OpenAction<</JS(app.alert(1))>>"))
    with pytest.raises(InvalidInput, match="scripts"):
        upload_check(upload, max_bytes=TEN_MB)


def test_a_damaged_png_is_refused():
    upload = SimpleUploadedFile("scan.png", image_bytes("PNG")[:40], content_type="image/png")
    with pytest.raises(InvalidInput, match="damaged"):
        upload_check(upload, max_bytes=TEN_MB)


def test_names_are_sanitised():
    checked = upload_check(pdf("../../etc/pass wd;<b>.pdf"), max_bytes=TEN_MB)
    assert "/" not in checked.safe_name
    assert "<" not in checked.safe_name
    assert checked.safe_name.endswith(".pdf")


def test_the_error_names_the_field():
    with pytest.raises(InvalidInput) as caught:
        upload_check(SimpleUploadedFile("a.pdf", b"", content_type="application/pdf"), max_bytes=TEN_MB)
    assert "document" in caught.value.fields
