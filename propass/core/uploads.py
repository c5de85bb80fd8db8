"""Uploaded files are judged by their parsed content, not by their name or their raw bytes.

A PDF is opened with pypdf, within limits on objects, pages and decompression, and its whole
object graph (names decoded, object streams unpacked) is searched for anything active: scripts,
launch, web, submit and import actions, embedded files, rich media and XFA forms. Encrypted,
damaged and incomplete PDFs are refused. An image is decoded in full within a pixel limit and
stored re-encoded, without its metadata (camera, GPS position, comments). The file's name is
decoded (RFC 2047, percent-encoding) and cleaned into a readable name that keeps its extension.
"""

import contextlib
import io
import logging
import re
import unicodedata
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from email.header import decode_header, make_header
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps
from pypdf import Configuration, PdfReader, apply_configuration
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

from propass.core.errors import InvalidInput

logger = logging.getLogger(__name__)

SIGNATURES = {
    "application/pdf": (b"%PDF-",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
}
EXTENSIONS = {"application/pdf": {"pdf"}, "image/png": {"png"}, "image/jpeg": {"jpg", "jpeg"}}
PIL_FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG"}

# A proof of business or a photo of a label is a few pages or a camera picture; these limits
# leave ample room for those and none for a file built to exhaust the server or a browser.
NAME_MAX_CHARS = 100  # the stored and shown name, extension included
IMAGE_MAX_PIXELS = 40_000_000
PDF_MAX_PAGES = 500
PDF_MAX_OBJECTS = 50_000
PDF_MAX_NODES = 500_000  # dictionaries, arrays and values visited while searching the graph
PDF_LIMITS = Configuration(  # pypdf's own limits while it parses and decompresses
    maximum_declared_stream_length=20_000_000,
    array_based_stream_maximum_output_length=20_000_000,
    array_maximum_element_count=50_000,
    dictionary_maximum_element_count=10_000,
    jbig2_maximum_output_length=20_000_000,
    lzw_maximum_output_length=20_000_000,
    run_length_maximum_output_length=20_000_000,
    zlib_maximum_output_length=20_000_000,
    zlib_maximum_recovery_input_length=1_000_000,
    brotli_maximum_output_length=20_000_000,
    stream_decoding_work_maximum_length=50_000_000,
    outline_maximum_entries=10_000,
    page_tree_maximum_entries=10_000,
    page_tree_maximum_page_entries=100_000,
    form_fields_maximum_entries=10_000,
    named_destinations_maximum_entries=10_000,
)

# What makes a PDF active: keys that hold scripts, files or XFA forms; action types (/S)
# that run code, open files or programs, reach the network or send data; and annotation or
# object types that carry files or media players.
PDF_ACTIVE_KEYS = frozenset(
    {"/JS", "/JavaScript", "/EmbeddedFiles", "/EmbeddedFile", "/EF", "/XFA", "/RichMediaContent"}
)
PDF_ACTIVE_ACTIONS = frozenset(
    {
        "/JavaScript",
        "/Launch",
        "/URI",
        "/SubmitForm",
        "/ImportData",
        "/GoToR",
        "/GoToE",
        "/RichMediaExecute",
        "/Rendition",
        "/Movie",
        "/Sound",
    }
)
PDF_ACTIVE_TYPES = frozenset(
    {"/EmbeddedFile", "/FileAttachment", "/RichMedia", "/Movie", "/Sound", "/Screen", "/3D", "/RichMediaExecute"}
)


@dataclass(frozen=True)
class CheckedUpload:
    """An accepted upload: what it is, the name to show, and the bytes to store (a PDF as
    sent, an image re-encoded)."""

    content_type: str
    extension: str
    safe_name: str
    size: int
    content: bytes


class _Refused(Exception):
    def __init__(self, message: object, **params: object) -> None:
        super().__init__(str(message) % params if params else str(message))


def upload_check(upload: UploadedFile, *, max_bytes: int, field: str = "document") -> CheckedUpload:
    """Accept a PDF, JPEG or PNG whose content matches its name, is within `max_bytes`, and is
    inert: a PDF without active content, an image within the pixel limit (stored re-encoded)."""
    try:
        return _check(upload, max_bytes=max_bytes, fallback=field)
    except _Refused as refused:
        text = str(refused)
        raise InvalidInput(text, code="invalid_file", fields={field: [text]}) from None


def _check(upload: UploadedFile, *, max_bytes: int, fallback: str) -> CheckedUpload:
    size = upload.size or 0
    if size == 0:
        raise _Refused(_("The file is empty."))
    if size > max_bytes:
        raise _Refused(_("The file is larger than %(limit)s MB."), limit=max_bytes // (1024 * 1024))
    upload.seek(0)
    data = upload.read(max_bytes + 1)
    upload.seek(0)
    if len(data) > max_bytes:
        raise _Refused(_("The file is larger than %(limit)s MB."), limit=max_bytes // (1024 * 1024))
    content_type = next(
        (kind for kind, signatures in SIGNATURES.items() if any(data.startswith(sig) for sig in signatures)), None
    )
    if content_type is None:
        raise _Refused(_("Only PDF, JPEG and PNG files are accepted."))
    name = upload_name_decode(upload.name or "")
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in EXTENSIONS[content_type]:
        raise _Refused(_("The file's content does not match its name (.%(extension)s)."), extension=extension or "?")
    if content_type == "application/pdf":
        _pdf_check(data)
        content = data
    else:
        content = _image_reencode(data, PIL_FORMATS[content_type])
    return CheckedUpload(
        content_type=content_type,
        extension=extension,
        safe_name=upload_name_clean(name, extension=extension, fallback=fallback),
        size=len(content),
        content=content,
    )


# --- PDF ----------------------------------------------------------------------------------


def _pdf_check(data: bytes) -> None:
    # A complete PDF ends with %%EOF (spec: within the last 1024 bytes); pypdf would repair a
    # cut-off file silently, so the marker is checked first.
    if b"%%EOF" not in data[-1024:]:
        raise _Refused(_("The PDF file is damaged or incomplete."))
    try:
        with apply_configuration(PDF_LIMITS):
            reader = PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted:
                raise _Refused(_("PDF files protected with a password or encrypted are not accepted."))
            if _pdf_object_count(reader) > PDF_MAX_OBJECTS or len(reader.pages) > PDF_MAX_PAGES:
                raise _Refused(_("The PDF file has more than %(limit)s pages or is too complex."), limit=PDF_MAX_PAGES)
            if _pdf_is_active(reader):
                raise _Refused(_("PDF files with scripts, attachments or actions are not accepted."))
    except _Refused:
        raise
    except Exception:
        # Whatever pypdf trips on (syntax, a broken stream, a limit reached, a reference
        # loop) means a file no viewer should be trusted with.
        raise _Refused(_("The PDF file is damaged or incomplete.")) from None


def _pdf_object_count(reader: PdfReader) -> int:
    return sum(len(numbers) for numbers in reader.xref.values()) + len(reader.xref_objStm)


def _pdf_is_active(reader: PdfReader) -> bool:
    """Search the whole object graph, from the trailer and from every object in the
    cross-reference (so nothing unreferenced hides either), for active content."""
    stack: list[Any] = [reader.trailer]
    for generation, numbers in reader.xref.items():
        stack.extend(IndirectObject(number, generation, reader) for number in numbers)
    stack.extend(IndirectObject(number, 0, reader) for number in reader.xref_objStm)
    seen: set[tuple[int, int]] = set()
    budget = PDF_MAX_NODES
    while stack:
        node = stack.pop()
        if isinstance(node, IndirectObject):
            key = (node.idnum, node.generation)
            if key in seen:
                continue
            seen.add(key)
            node = node.get_object()
        budget -= 1
        if budget < 0:
            raise _Refused(_("The PDF file has more than %(limit)s pages or is too complex."), limit=PDF_MAX_PAGES)
        if isinstance(node, DictionaryObject):  # streams included: their dictionary
            if _pdf_dict_is_active(node):
                return True
            stack.extend(dict.values(node))  # raw values: references are followed above
        elif isinstance(node, ArrayObject):
            stack.extend(list.__iter__(node))
    return False


def _pdf_dict_is_active(node: DictionaryObject) -> bool:
    if any(str(key) in PDF_ACTIVE_KEYS for key in node):
        return True
    action = _pdf_name(node, "/S")
    kind = _pdf_name(node, "/Type")
    subtype = _pdf_name(node, "/Subtype")
    return action in PDF_ACTIVE_ACTIONS or kind in PDF_ACTIVE_TYPES or subtype in PDF_ACTIVE_TYPES


def _pdf_name(node: DictionaryObject, key: str) -> str:
    value = dict.get(node, key)
    if isinstance(value, IndirectObject):
        value = value.get_object()
    return str(value) if isinstance(value, str) else ""


# --- Images -------------------------------------------------------------------------------


def _image_reencode(data: bytes, kind: str) -> bytes:
    """Decode the whole image within the pixel limit and write it again, orientation applied
    and metadata left behind; a colour profile is kept so that colours stay right."""
    try:
        with Image.open(io.BytesIO(data), formats=[kind]) as image:
            width, height = image.size
            if width * height > IMAGE_MAX_PIXELS:
                raise _Refused(
                    _("The image is too large (%(pixels)s megapixels; at most %(limit)s)."),
                    pixels=round(width * height / 1_000_000),
                    limit=IMAGE_MAX_PIXELS // 1_000_000,
                )
            image.load()
            icc_profile = image.info.get("icc_profile")
            transparency = image.info.get("transparency")
            upright = ImageOps.exif_transpose(image)
            options: dict[str, Any] = {"icc_profile": icc_profile} if icc_profile else {}
            if kind == "JPEG":
                options["quality"] = 90
            elif transparency is not None and upright.mode in {"P", "L", "RGB", "1"}:
                options["transparency"] = transparency
            buffer = io.BytesIO()
            upright.save(buffer, format=kind, **options)
            return buffer.getvalue()
    except _Refused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _Refused(
            _("The image is too large (more than %(limit)s megapixels)."), limit=IMAGE_MAX_PIXELS // 1_000_000
        ) from None
    except Exception:
        raise _Refused(_("The image file is damaged or not a real image.")) from None


# --- Names --------------------------------------------------------------------------------


ENCODED_WORD = re.compile(r"=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=")
PERCENT_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")
NAME_UNSAFE = re.compile(r"[^\w.\-]+")


def upload_name_decode(raw: str) -> str:
    """The name as its author wrote it: the last path part, RFC 2047 encoded words and
    percent-escapes decoded, Unicode normalised, control characters removed."""
    name = raw.replace("\\", "/").rsplit("/", 1)[-1]
    if ENCODED_WORD.search(name):
        with contextlib.suppress(LookupError, UnicodeError, ValueError):
            name = str(make_header(decode_header(name)))
    if PERCENT_ESCAPE.search(name):
        name = urllib.parse.unquote(name, errors="replace")
        name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = unicodedata.normalize("NFC", name)
    return "".join(char for char in name if char.isprintable())


def upload_name_clean(name: str, *, extension: str, fallback: str) -> str:
    """A safe, readable file name of at most NAME_MAX_CHARS characters that keeps
    `extension`: letters of every script, digits, dots and dashes stay, runs of anything
    else become one "_"; a name with nothing left becomes `fallback`."""
    stem = name[: -(len(extension) + 1)] if name.lower().endswith(f".{extension}") else name
    stem = NAME_UNSAFE.sub("_", stem).strip("._-")
    stem = stem[: NAME_MAX_CHARS - len(extension) - 1].rstrip("._-") or fallback
    return f"{stem}.{extension}"


def content_disposition(name: str, *, inline: bool = False) -> str:
    """An RFC 6266 Content-Disposition: an ASCII fallback name for old clients, and the real
    name as `filename*=UTF-8''…`."""
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    ascii_stem = re.sub(r"[^A-Za-z0-9.\-]+", "_", ascii_stem).strip("._") or "download"
    ascii_extension = re.sub(r"[^A-Za-z0-9]+", "", extension)
    fallback = f"{ascii_stem}.{ascii_extension}" if ascii_extension else ascii_stem
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{urllib.parse.quote(name, safe='')}"


def with_stored_files[T, F](write: Callable[[list[F]], T]) -> T:
    """Run `write` in one transaction; it appends each row whose file it stored to the list it
    is given (rows with a `file`), and those files are deleted again if it fails."""
    written: list[Any] = []
    try:
        with transaction.atomic():
            return write(written)
    except Exception:
        for row in written:
            try:
                row.file.storage.delete(row.file.name or "")
            except Exception:
                logger.exception("could not delete orphaned upload %s", row.file.name)
        raise
