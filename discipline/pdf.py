"""Server-side PDF rendering with WeasyPrint. The same templates and static CSS serve the
browser's print view and the PDF, so both look alike; fonts come from static/fonts/ (Liberation
Serif, metric-compatible with Times New Roman), never from the machine or the network."""

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

# Relative URLs in the HTML resolve against this made-up origin; the fetcher maps its /static/
# paths to files and refuses everything else, so a PDF never reaches the network.
BASE_URL = "http://kycuong.invalid/"


class StaticFilesFetcher(URLFetcher):
    def fetch(self, url, headers=None):
        path = unquote(urlsplit(url).path)
        if url.startswith(BASE_URL) and path.startswith(settings.STATIC_URL):
            found = _static_file(path.removeprefix(settings.STATIC_URL))
            if found is not None:
                content_type = mimetypes.guess_type(found.name)[0] or "application/octet-stream"
                return URLFetcherResponse(
                    url, body=found.read_bytes(), headers={"Content-Type": content_type}
                )
        if url.startswith("data:"):
            return super().fetch(url, headers)
        raise ValueError(f"Refusing to fetch {url!r} while rendering a PDF")


def _static_file(relative: str) -> Path | None:
    if ".." in Path(relative).parts:
        return None
    collected = Path(settings.STATIC_ROOT) / relative
    if collected.is_file():
        return collected  # after collectstatic, hashed names live here
    found = finders.find(relative)
    return Path(found) if found else None


def html_to_pdf(html: str) -> bytes:
    return HTML(string=html, base_url=BASE_URL, url_fetcher=StaticFilesFetcher()).write_pdf()


def render_pdf(template_name: str, context: dict, request=None) -> bytes:
    """Render a template to PDF bytes."""
    return html_to_pdf(render_to_string(template_name, context, request=request))
