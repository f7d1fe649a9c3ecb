import hashlib
import re
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from discipline import services
from discipline.files import check_upload
from discipline.models import Evidence
from tests import factories

JPEG = factories.tiny_jpeg()
PNG = factories.tiny_png()
PDF = factories.tiny_pdf()


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (JPEG, "image/jpeg"),
        (PNG, "image/png"),
        (PDF, "application/pdf"),
    ],
)
def test_accepted_formats_are_recognised_by_content(content, expected):
    checked = check_upload(SimpleUploadedFile("whatever.bin", content))
    assert checked.content_type == expected
    assert checked.sha256 == hashlib.sha256(content).hexdigest()


def test_text_renamed_to_jpg_is_refused_in_vietnamese():
    with pytest.raises(ValidationError) as error:
        check_upload(
            SimpleUploadedFile(
                "anh.jpg", b"<html><script>alert(1)</script>", content_type="image/jpeg"
            )
        )
    assert "JPEG, PNG" in error.value.messages[0]
    assert "chấp nhận" in error.value.messages[0]


def test_eleven_megabytes_is_refused(settings):
    big = SimpleUploadedFile("big.jpg", JPEG + b"\x00" * (11 * 1024 * 1024))
    with pytest.raises(ValidationError) as error:
        check_upload(big)
    assert error.value.code == "too_large"


def test_size_limit_comes_from_settings(settings):
    settings.UPLOAD_MAX_BYTES = 100
    with pytest.raises(ValidationError) as error:
        check_upload(SimpleUploadedFile("a.pdf", PDF + b" " * 100))
    assert "100" in error.value.messages[0]
    assert error.value.code == "too_large"


def test_empty_file_is_refused():
    with pytest.raises(ValidationError):
        check_upload(SimpleUploadedFile("x.pdf", b""))


def test_path_in_client_name_is_dropped():
    checked = check_upload(SimpleUploadedFile("../../etc/passwd.pdf", PDF))
    assert checked.original_name == "passwd.pdf"


def test_attach_evidence_stores_under_random_name(inspector, violation_a):
    evidence = services.attach_evidence(
        upload=SimpleUploadedFile("biên bản.pdf", PDF), by=inspector, violation=violation_a
    )
    assert evidence.original_name == "biên bản.pdf"
    assert evidence.content_type == "application/pdf"
    assert "biên" not in evidence.file.name and evidence.file.name.endswith(".pdf")
    assert evidence.file.read() == PDF


def test_attach_evidence_out_of_scope_is_refused(unit_head_b, violation_a):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.attach_evidence(
            upload=SimpleUploadedFile("a.pdf", PDF), by=unit_head_b, violation=violation_a
        )


# --- files built to fool the gate -------------------------------------------------------------

HTML = b"<html><body><script>alert(document.cookie)</script></body></html>"
SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
)
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + b"\x00" * 200


def _jpeg_with_comment(comment: bytes) -> bytes:
    # A COM segment right after SOI: still a decodable JPEG, but its first bytes carry markup.
    segment = b"\xff\xfe" + (len(comment) + 2).to_bytes(2, "big") + comment
    return JPEG[:2] + segment + JPEG[2:]


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("polyglot.pdf", b"%PDF-1.4\n" + HTML + b"\n%%EOF\n", "bad_type"),
        ("polyglot.jpg", _jpeg_with_comment(HTML), "bad_type"),
        ("svg.png", b"\x89PNG\r\n\x1a\n" + SVG, "bad_type"),
        ("anh.svg", SVG, "bad_type"),
        ("chuong-trinh.pdf", ELF, "bad_type"),
        ("khong-ket-thuc.pdf", b"%PDF-1.4\n1 0 obj\n<< >>\nendobj\n", "damaged"),
        ("hong.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 100, "damaged"),
        ("hong.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "damaged"),
        ("jpeg-goi-la-png.png", b"\x89PNG\r\n\x1a\n" + JPEG, "damaged"),
    ],
)
def test_disguised_files_are_refused_in_vietnamese(name, content, code):
    with pytest.raises(ValidationError) as error:
        check_upload(SimpleUploadedFile(name, content, content_type="application/pdf"))
    assert error.value.code == code
    message = error.value.messages[0]
    assert any(word in message for word in ("chấp nhận", "hỏng")), message


def test_a_jpeg_with_a_harmless_comment_is_accepted():
    assert check_upload(SimpleUploadedFile("a.jpg", _jpeg_with_comment(b"Canon"))).content_type == (
        "image/jpeg"
    )


@pytest.mark.parametrize(
    ("client_name", "shown"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\Windows\\System32\\bien-ban.pdf", "bien-ban.pdf"),
        ("C:\\Users\\Lan\\Desktop\\biên bản.pdf", "biên bản.pdf"),
        ("bien\x00ban.pdf", "bienban.pdf"),
        ("bien-ban.pdf\x00.html", "bien-ban.pdf.html"),
        ("dong\nmoi\r.pdf", "dongmoi.pdf"),
        ("....pdf", "pdf"),
        ("..\\", ""),
        ("a" * 5000 + ".pdf", "a" * 196 + ".pdf"),
    ],
)
def test_path_tricks_in_the_name_never_reach_the_file_system(
    settings, inspector, violation_a, client_name, shown
):
    upload = SimpleUploadedFile("x.pdf", PDF)
    # Past Django's own cleaning of upload names: the gate must not rely on it.
    upload._name = client_name
    evidence = services.attach_evidence(upload=upload, by=inspector, violation=violation_a)
    assert evidence.original_name == shown
    stored = Path(evidence.file.path).resolve()
    assert stored.is_relative_to(Path(settings.MEDIA_ROOT).resolve())
    assert re.fullmatch(r"evidence/[0-9a-f]{4}/[A-Za-z0-9_-]{32}\.pdf", evidence.file.name)
    assert not stored.is_relative_to(Path(settings.STATIC_ROOT).resolve())


def test_refused_upload_on_the_violation_page_saves_nothing(
    client, inspector, unit_head_a, violation_a, settings
):
    from django.urls import reverse

    services.notify_unit_heads(violations=[violation_a], by=inspector)
    before = sorted(Path(settings.MEDIA_ROOT).rglob("*"))
    client.force_login(unit_head_a)
    response = client.post(
        reverse("discipline:violation_dispute", args=[violation_a.pk]),
        {
            "explanation": "Đi họp.",
            "evidence": SimpleUploadedFile("x.pdf", b"%PDF-1.4\n" + HTML + b"%%EOF"),
        },
    )
    assert response.status_code == 200
    assert "chấp nhận" in response.content.decode()
    violation_a.refresh_from_db()
    assert violation_a.status == "notified"
    assert not Evidence.objects.exists()
    assert sorted(Path(settings.MEDIA_ROOT).rglob("*")) == before


def test_downloads_are_attachments_with_their_type_and_nosniff(client, inspector, violation_a):
    evidence = services.attach_evidence(
        upload=SimpleUploadedFile("anh.png", PNG), by=inspector, violation=violation_a
    )
    client.force_login(inspector)
    response = client.get(evidence.get_absolute_url())
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_every_file_field_goes_through_the_gate():
    import importlib

    """A new upload form or model file field must use the gate (EvidenceFileField /
    EvidenceFilesField in forms, a random upload_to and the services on models)."""
    from django import forms as django_forms
    from django.apps import apps
    from django.db import models

    from discipline.forms import EvidenceFileField, EvidenceFilesField

    file_fields = [
        (model, field)
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, models.FileField)
    ]
    assert {(m.__name__, f.name) for m, f in file_fields} == {
        ("Evidence", "file"),
        ("ReportAttachment", "file"),
    }
    for _model, field in file_fields:
        assert field.upload_to.__name__.endswith("upload_to")

    for module_name in ("discipline.forms", "inspections.forms", "units.forms"):
        module = importlib.import_module(module_name)
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, django_forms.BaseForm):
                for name, field in value.base_fields.items():
                    if isinstance(field, django_forms.FileField):
                        assert isinstance(field, EvidenceFileField | EvidenceFilesField), (
                            value,
                            name,
                        )
