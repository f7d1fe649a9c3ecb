import hashlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from discipline import services
from discipline.files import check_upload

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 100
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + b"0" * 100


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
