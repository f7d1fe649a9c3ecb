import shutil
import subprocess

import pytest
from django.template import engines

from discipline.pdf import StaticFilesFetcher, html_to_pdf


@pytest.mark.skipif(shutil.which("pdffonts") is None, reason="pdffonts (poppler-utils) missing")
def test_pdf_embeds_the_shipped_font(tmp_path):
    template = engines["django"].from_string(
        '{% load static %}<html><head><link rel="stylesheet" href="{% static "css/document.css" %}">'
        '</head><body class="document"><p>Cộng hòa xã hội chủ nghĩa Việt Nam</p></body></html>'
    )
    pdf = html_to_pdf(template.render({}))
    assert pdf.startswith(b"%PDF")
    (tmp_path / "t.pdf").write_bytes(pdf)
    fonts = subprocess.run(
        ["pdffonts", str(tmp_path / "t.pdf")], capture_output=True, text=True, check=True
    ).stdout
    assert "Liberation-Serif" in fonts
    assert "yes yes yes" in fonts  # embedded, subset, with a Unicode map (Vietnamese text)


def test_pdf_fetcher_refuses_the_network_and_path_tricks():
    fetcher = StaticFilesFetcher()
    with pytest.raises(ValueError):
        fetcher.fetch("http://example.com/x.css")
    with pytest.raises(ValueError):
        fetcher.fetch("http://kycuong.invalid/static/../discipline/settings.py")
