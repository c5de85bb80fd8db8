"""Small real files for upload tests: a valid PDF, PNG and JPEG made on the fly."""

import functools
import io
import struct
import zlib
from collections.abc import Callable

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfWriter
from pypdf.annotations import Link
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, StreamObject, TextStringObject


def pdf_from_objects(objects: dict[int, bytes], *, root: int = 1, version: bytes = b"1.4") -> bytes:
    """A PDF written by hand with a classic cross-reference table, for files pypdf would
    never write (escaped names)."""
    out = bytearray(b"%PDF-" + version + b"\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + objects[number] + b"\nendobj\n"
    size = max(objects) + 1
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for number in range(1, size):
        out += b"%010d 00000 n \n" % offsets[number] if number in offsets else b"0000000000 65535 f \n"
    out += b"trailer\n<</Size %d/Root %d 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (size, root, xref)
    return bytes(out)


# The smallest complete PDF: one empty page, a cross-reference table and the end marker.
MINIMAL_PDF = pdf_from_objects({
    1: b"<</Type/Catalog/Pages 2 0 R>>",
    2: b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
    3: b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>",
})  # fmt: skip


def pdf(name: str = "vat-certificate.pdf", content: bytes = MINIMAL_PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def image_bytes(kind: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), color=(200, 30, 30)).save(buffer, format=kind)
    return buffer.getvalue()


def png(name: str = "certificate.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, image_bytes("PNG"), content_type="image/png")


def jpeg(name: str = "licence.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, image_bytes("JPEG"), content_type="image/jpeg")


# --- Hostile files: what an attacker uploads instead of a proof of business ------------------


def pdf_with_escaped_open_action() -> bytes:
    """`/Open#41ction` is `/OpenAction` once the name is decoded; the script's names are
    escaped too, so no raw byte pattern matches."""
    return pdf_from_objects({
        1: b"<</Type/Catalog/Pages 2 0 R/Open#41ction<</#53/Java#53cript/J#53(app.alert\\(1\\))>>>>",
        2: b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        3: b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>",
    })  # fmt: skip


def pdf_with_script_in_object_stream(*, padding: int = 0) -> bytes:
    """The catalog and its JavaScript open action live in a Flate-compressed object stream,
    found through a cross-reference stream: nothing readable in the raw bytes. `padding`
    blank bytes after them make the stream a decompression bomb."""
    catalog = b"<</Type/Catalog/Pages 2 0 R/OpenAction 4 0 R>>"
    action = b"<</S/JavaScript/JS(app.alert\\(1\\))>>"
    header = b"1 0 4 %d " % len(catalog)
    packed = zlib.compress(header + catalog + action + b" " * padding)
    out = bytearray(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for number, body in (
        (2, b"<</Type/Pages/Kids[3 0 R]/Count 1>>"),
        (3, b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>"),
        (5, b"<</Type/ObjStm/N 2/First %d/Filter/FlateDecode/Length %d>>\nstream\n" % (len(header), len(packed))
         + packed + b"\nendstream"),
    ):  # fmt: skip
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    offsets[6] = len(out)
    rows = [
        (0, 0, 65535),
        (2, 5, 0),  # 1: the catalog, first in object stream 5
        (1, offsets[2], 0),
        (1, offsets[3], 0),
        (2, 5, 1),  # 4: the action, second in object stream 5
        (1, offsets[5], 0),
        (1, offsets[6], 0),
    ]
    table = zlib.compress(b"".join(struct.pack(">BIH", *row) for row in rows))
    out += (
        b"6 0 obj\n<</Type/XRef/Size 7/W[1 4 2]/Root 1 0 R/Filter/FlateDecode/Length %d>>\nstream\n" % len(table)
        + table
        + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % offsets[6]
    )
    return bytes(out)


def _written(writer: PdfWriter) -> bytes:
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _blank_writer() -> PdfWriter:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    return writer


def pdf_with_page_uri_action() -> bytes:
    """A page's additional action (on open) sends the viewer to a web address."""
    writer = _blank_writer()
    writer.pages[0][NameObject("/AA")] = DictionaryObject({
        NameObject("/O"): DictionaryObject({
            NameObject("/S"): NameObject("/URI"), NameObject("/URI"): TextStringObject("https://evil.example/"),
        })
    })  # fmt: skip
    return _written(writer)


def pdf_with_embedded_file() -> bytes:
    writer = _blank_writer()
    writer.add_attachment("invoice.exe", EXECUTABLE)
    return _written(writer)


def pdf_with_xfa() -> bytes:
    writer = _blank_writer()
    xfa = StreamObject()
    xfa.set_data(b"<xdp:xdp xmlns:xdp='http://ns.adobe.com/xdp/'><script>app.alert(1)</script></xdp:xdp>")
    writer._root_object[NameObject("/AcroForm")] = DictionaryObject({
        NameObject("/Fields"): ArrayObject(), NameObject("/XFA"): writer._add_object(xfa),
    })  # fmt: skip
    return _written(writer)


def pdf_encrypted() -> bytes:
    writer = _blank_writer()
    writer.encrypt(user_password="secret", algorithm="RC4-128")
    return _written(writer)


def pdf_truncated() -> bytes:
    whole = _written(_blank_writer())
    return whole[: len(whole) // 2]


def pdf_normal() -> bytes:
    """A plain PDF as office software writes it: a page, an internal link and an open action
    that only shows the first page."""
    writer = _blank_writer()
    page = writer.pages[0].indirect_reference
    writer._root_object[NameObject("/OpenAction")] = ArrayObject([page, NameObject("/Fit")])
    writer.add_annotation(0, Link(rect=(10, 10, 100, 40), target_page_index=0))
    return _written(writer)


EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


@functools.cache
def png_100_megapixels() -> bytes:
    """10,000 x 10,000 pixels in about 100 KB: cheap to upload, 400 MB in a browser."""
    buffer = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(buffer, format="PNG")
    return buffer.getvalue()


# What each hostile file is, as (file name, builder).
HOSTILE_FILES: dict[str, tuple[str, Callable[[], bytes]]] = {
    "escaped_open_action": ("certificate.pdf", pdf_with_escaped_open_action),
    "script_in_object_stream": ("certificate.pdf", pdf_with_script_in_object_stream),
    "page_uri_action": ("certificate.pdf", pdf_with_page_uri_action),
    "embedded_file": ("certificate.pdf", pdf_with_embedded_file),
    "xfa": ("certificate.pdf", pdf_with_xfa),
    "encrypted": ("certificate.pdf", pdf_encrypted),
    "truncated": ("certificate.pdf", pdf_truncated),
    "png_100_megapixels": ("certificate.png", png_100_megapixels),
}


def hostile(kind: str) -> SimpleUploadedFile:
    name, build = HOSTILE_FILES[kind]
    content_type = "image/png" if name.endswith(".png") else "application/pdf"
    return SimpleUploadedFile(name, build(), content_type=content_type)
