"""The one gate for uploaded files: what they are is decided by their content, never by their
name or the browser's claim, and only JPEG, PNG and PDF within the size limit get through.

Starting with the right magic bytes is not enough: a file can be a valid-looking PDF or JPEG to
this check and an HTML page to a browser that sniffs it (a polyglot). So the first kilobyte must
not look like markup, images must decode with Pillow as the format their bytes claim, and a PDF
must end with its end-of-file marker. Files are stored under random names and served only as
downloads with nosniff, so even a polyglot that slipped through would never render."""

import hashlib
import re
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

# Leading bytes of each accepted format.
SIGNATURES = {
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "application/pdf": (b"%PDF-",),
}
EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "application/pdf": ".pdf"}
PILLOW_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG"}
# What browsers' content sniffing (WHATWG MIME Sniffing, first 512 bytes) takes for a web page
# or script; we look at twice that.
MARKUP = re.compile(
    rb"<(?:!doctype|html|head|body|script|iframe|svg|object|embed|img|div|style|title|"
    rb"\?xml|!--|meta|form|table|font|a\shref)",
    re.IGNORECASE,
)
SNIFF_BYTES = 1024
NAME_LIMIT = 200


@dataclass(frozen=True)
class CheckedUpload:
    content_type: str
    size: int
    sha256: str
    original_name: str


def sniff(head: bytes) -> str | None:
    for content_type, signatures in SIGNATURES.items():
        if any(head.startswith(signature) for signature in signatures):
            return content_type
    return None


def display_name(name) -> str:
    """The client's file name, reduced to something safe to show and to offer back as a
    download name: last path component only (either slash), no control characters (NUL, new
    lines), no leading dots, at most 200 characters keeping the extension. It never reaches the
    file system: stored files have random names."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = name.replace("\\", "/").rsplit("/", 1)[-1].strip().lstrip(".").strip()
    if len(name) > NAME_LIMIT:
        stem, dot, extension = name.rpartition(".")
        if dot and 0 < len(extension) <= 10:
            name = stem[: NAME_LIMIT - len(extension) - 1] + "." + extension
        else:
            name = name[:NAME_LIMIT]
    return name


def _refuse_type():
    return ValidationError(
        _(
            "Only photos (JPEG, PNG) and PDF documents are accepted; this file is neither, "
            "whatever its name says."
        ),
        code="bad_type",
    )


def _check_image(upload, content_type: str) -> None:
    from PIL import Image, UnidentifiedImageError

    try:
        upload.seek(0)
        with Image.open(upload) as image:
            if image.format != PILLOW_FORMATS[content_type]:
                raise _refuse_type()
            image.verify()
        # verify() leaves the image unusable and misses truncated pixel data: decode it too.
        upload.seek(0)
        with Image.open(upload) as image:
            if image.width * image.height > Image.MAX_IMAGE_PIXELS:
                raise _refuse_type()
            image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError(
            _("This photo is damaged or incomplete and cannot be opened; please take it again."),
            code="damaged",
        ) from None


def _check_pdf(upload) -> None:
    upload.seek(max(upload.size - SNIFF_BYTES, 0))
    tail = upload.read()
    if b"%%EOF" not in tail:
        raise ValidationError(
            _("This PDF is damaged or incomplete (it has no end); please save or scan it again."),
            code="damaged",
        )


def check_upload(upload) -> CheckedUpload:
    """Validate an uploaded file and return what it is. Raise ValidationError (Vietnamese
    message) if it is empty, too large, not a JPEG, PNG or PDF by content, looks like a web page
    to a browser, or is a damaged image or PDF."""
    limit = settings.UPLOAD_MAX_BYTES
    if upload.size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    if upload.size > limit:
        raise ValidationError(
            _("The file is %(size)s; the limit is %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            code="too_large",
        )
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    content_type = sniff(head)
    if content_type is None or MARKUP.search(head):
        raise _refuse_type()
    if content_type in PILLOW_FORMATS:
        _check_image(upload, content_type)
    else:
        _check_pdf(upload)
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedUpload(content_type, upload.size, digest.hexdigest(), display_name(upload.name))
