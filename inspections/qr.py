"""QR codes for the printed feedback posters, drawn in Python as inline SVG: no image request,
no script, nothing the Content-Security-Policy has to allow."""

import segno
from django.utils.safestring import SafeString, mark_safe


def qr_svg(url: str) -> SafeString:
    """An SVG QR code for `url` (error correction M, survives a worn or creased poster),
    sized by CSS (class "qr")."""
    code = segno.make(url, error="m", micro=False)
    # segno writes only its own path data and attributes: nothing from the URL is text in it.
    return mark_safe(
        code.svg_inline(scale=1, border=4, omitsize=True, svgclass="qr", lineclass="qr-dark")
    )
