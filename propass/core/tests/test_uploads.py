import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, PngImagePlugin
from pypdf import PdfWriter

from propass.core.errors import InvalidInput
from propass.core.uploads import upload_check
from propass.testing.files import (
    MINIMAL_PDF,
    image_bytes,
    jpeg,
    pdf,
    pdf_from_objects,
    pdf_normal,
    pdf_with_script_in_object_stream,
    png,
)

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


def _refusal(upload) -> str:
    with pytest.raises(InvalidInput) as caught:
        upload_check(upload, max_bytes=TEN_MB)
    return caught.value.fields["document"][0]


def _with_catalog_entry(entry: bytes, *extra: bytes) -> bytes:
    objects = {
        1: b"<</Type/Catalog/Pages 2 0 R" + entry + b">>",
        2: b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        3: b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>",
    }
    objects.update({4 + n: body for n, body in enumerate(extra)})
    return pdf_from_objects(objects)


@pytest.mark.parametrize(
    ("entry", "extra"),
    [
        # an outline item whose action launches a program, two references deep
        (b"/Outlines 4 0 R", [b"<</First 5 0 R/Last 5 0 R>>", b"<</Title(x)/A<</S/Launch/F(cmd.exe)>>>>"]),
        # a link annotation that submits a form, on the page through an indirect array
        (b"/Extra[4 0 R]", [b"<</Type/Annot/Subtype/Link/Rect[0 0 9 9]/A<</S/SubmitForm/F(https://x.example)>>>>"]),
        # a JavaScript name tree
        (b"/Names<</JavaScript 4 0 R>>", [b"<</Names[(a) 5 0 R]>>", b"<</S/JavaScript/JS(1)>>"]),
        # an import-data action, with its type written as an indirect name
        (b"/AA<</WC<</S 4 0 R/F(data.fdf)>>>>", [b"/ImportData"]),
        # a rich-media annotation
        (b"/X 4 0 R", [b"<</Type/Annot/Subtype/RichMedia/Rect[0 0 9 9]>>"]),
        # an object no page refers to still holds a script
        (b"", [b"<</S/JavaScript/JS(app.alert\\(1\\))>>"]),
    ],
    ids=["outline-launch", "annotation-submit", "javascript-names", "import-data", "rich-media", "orphan"],
)
def test_active_content_is_found_anywhere_in_the_object_graph(entry, extra):
    assert "scripts, attachments or actions" in _refusal(pdf(content=_with_catalog_entry(entry, *extra)))


def test_internal_links_and_an_open_view_are_not_active():
    assert upload_check(pdf(content=pdf_normal()), max_bytes=TEN_MB).content_type == "application/pdf"


def test_a_decompression_bomb_in_an_object_stream_is_refused():
    content = pdf_with_script_in_object_stream(padding=30_000_000)
    assert len(content) < 100_000
    assert "damaged or incomplete" in _refusal(pdf(content=content))


def test_a_pdf_with_too_many_pages_is_refused():
    writer = PdfWriter()
    for _n in range(501):
        writer.add_blank_page(width=10, height=10)
    buffer = io.BytesIO()
    writer.write(buffer)
    assert "more than 500 pages" in _refusal(pdf(content=buffer.getvalue()))


@pytest.mark.parametrize(("side", "pixels"), [(7_000, 49), (16_000, 256)])
def test_an_image_above_40_megapixels_is_refused_with_its_size(side, pixels):
    buffer = io.BytesIO()
    Image.new("1", (side, side)).save(buffer, format="PNG")
    message = _refusal(SimpleUploadedFile("scan.png", buffer.getvalue()))
    assert "too large" in message
    assert "40" in message


def test_an_image_is_stored_re_encoded_without_its_text_metadata():
    buffer = io.BytesIO()
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Secret Person")
    Image.new("RGB", (40, 30), color=(1, 2, 3)).save(buffer, format="PNG", pnginfo=info)
    checked = upload_check(SimpleUploadedFile("scan.png", buffer.getvalue()), max_bytes=TEN_MB)
    assert b"Secret Person" not in checked.content
    with Image.open(io.BytesIO(checked.content)) as image:
        assert (image.size, image.getpixel((0, 0))) == ((40, 30), (1, 2, 3))


def test_a_truncated_jpeg_is_refused():
    assert "damaged" in _refusal(SimpleUploadedFile("scan.jpg", image_bytes("JPEG")[:-200]))


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("Fattura 2024 (copia).PDF", "Fattura_2024_copia.pdf"),
        ("=?iso-8859-1?q?Re=E7u.pdf?=", "Reçu.pdf"),
        ("Re%C3%A7u.pdf", "Reçu.pdf"),
        ("C:\\Users\\me\\scan.pdf", "scan.pdf"),
        ("%%%.pdf", "document.pdf"),
        (".pdf", "document.pdf"),
        ("x" * 200 + ".pdf", "x" * 96 + ".pdf"),
    ],
)
def test_names_are_decoded_cleaned_and_keep_their_extension(sent, kept):
    assert upload_check(pdf(sent), max_bytes=TEN_MB).safe_name == kept
