"""The one gate for uploaded files: what they are is decided by their content, never by their
name or the browser's claim, and only JPEG, PNG and PDF within the size limit get through."""

import hashlib
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


def check_upload(upload) -> CheckedUpload:
    """Validate an uploaded file and return what it is. Raise ValidationError (Vietnamese
    message) if it is empty, too large, or not a JPEG, PNG or PDF by content."""
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
    content_type = sniff(upload.read(16))
    if content_type is None:
        raise ValidationError(
            _(
                "Only photos (JPEG, PNG) and PDF documents are accepted; this file is neither, "
                "whatever its name says."
            ),
            code="bad_type",
        )
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    # Only the last path component of the client's name is kept, and only for display.
    name = str(upload.name or "").replace("\\", "/").rsplit("/", 1)[-1][:255]
    return CheckedUpload(content_type, upload.size, digest.hexdigest(), name)
