"""Uploaded files are judged by their content, not by their name."""

import io
import re
from dataclasses import dataclass

from django.core.files.uploadedfile import UploadedFile
from django.utils.text import get_valid_filename
from django.utils.translation import gettext_lazy as _
from PIL import Image

from propass.core.errors import InvalidInput

SIGNATURES = {
    "application/pdf": (b"%PDF-",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
}
EXTENSIONS = {"application/pdf": {"pdf"}, "image/png": {"png"}, "image/jpeg": {"jpg", "jpeg"}}
# Active content has no place in a proof of business.
PDF_ACTIVE_CONTENT = re.compile(rb"/(JavaScript|JS|Launch|EmbeddedFile|RichMedia|OpenAction)\b")


@dataclass(frozen=True)
class CheckedUpload:
    content_type: str
    extension: str
    safe_name: str
    size: int


def upload_check(upload: UploadedFile, *, max_bytes: int, field: str = "document") -> CheckedUpload:
    """Accept a PDF, JPEG or PNG whose content matches its name and is within `max_bytes`."""

    def refuse(message: object, **params: object) -> InvalidInput:
        text = str(message) % params if params else str(message)
        return InvalidInput(text, code="invalid_file", fields={field: [text]})

    size = upload.size or 0
    if size == 0:
        raise refuse(_("The file is empty."))
    if size > max_bytes:
        raise refuse(_("The file is larger than %(limit)s MB."), limit=max_bytes // (1024 * 1024))
    upload.seek(0)
    head = upload.read(16)
    content_type = next(
        (kind for kind, signatures in SIGNATURES.items() if any(head.startswith(sig) for sig in signatures)), None
    )
    if content_type is None:
        raise refuse(_("Only PDF, JPEG and PNG files are accepted."))
    name = upload.name or "document"
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in EXTENSIONS[content_type]:
        raise refuse(_("The file's content does not match its name (.%(extension)s)."), extension=extension or "?")
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    if content_type == "application/pdf":
        if PDF_ACTIVE_CONTENT.search(data):
            raise refuse(_("PDF files with scripts, attachments or actions are not accepted."))
    else:
        try:
            with Image.open(io.BytesIO(data)) as image:
                image.verify()
        except Exception:
            raise refuse(_("The image file is damaged or not a real image.")) from None
    safe_name = get_valid_filename(name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1])[:150] or f"document.{extension}"
    return CheckedUpload(content_type=content_type, extension=extension, safe_name=safe_name, size=size)
