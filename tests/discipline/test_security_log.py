"""The security log's letter issue event, and its resistance to log injection."""

import io
import json
import logging

import pytest

from discipline import services
from discipline.security import log_event

LOGIN = "/accounts/login/"


def _capture():
    """Attach a handler formatted like the production one (the bare message) and return the
    stream it writes to."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger = logging.getLogger("kycuong.security")
    logger.addHandler(handler)
    return stream, lambda: logger.removeHandler(handler)


def _lines(stream) -> list[dict]:
    text = stream.getvalue()
    assert text.endswith("\n")
    return [json.loads(line) for line in text.splitlines()]


def test_issuing_a_letter_writes_one_letter_issued_line(
    draft, chief, django_capture_on_commit_callbacks
):
    stream, done = _capture()
    try:
        with django_capture_on_commit_callbacks(execute=True):
            letter = services.issue_letter(letter=draft, by=chief)
    finally:
        done()
    events = [line for line in _lines(stream) if line["event"] == "letter_issued"]
    assert len(events) == 1
    event = events[0]
    assert event["letter_id"] == letter.pk
    assert event["number"] == letter.number == 1
    assert event["user_id"] == chief.pk
    assert event["time"].endswith("+00:00")
    # Ids only: no subject, names or addressees.
    assert set(event) == {"time", "event", "user_id", "letter_id", "number", "year"}


def test_a_refused_issue_writes_no_line(draft, chief, django_capture_on_commit_callbacks):
    services.issue_letter(letter=draft, by=chief)
    stream, done = _capture()
    try:
        with (
            django_capture_on_commit_callbacks(execute=True),
            pytest.raises(services.LetterError),
        ):
            services.issue_letter(letter=draft, by=chief)
    finally:
        done()
    assert "letter_issued" not in stream.getvalue()


def test_a_newline_in_a_failed_login_username_stays_inside_one_json_line(client, inspector):
    forged = 'inspector\n{"event": "login_succeeded", "user_id": 1}\r\n'
    stream, done = _capture()
    try:
        client.post(LOGIN, {"username": forged, "password": "sai"}, REMOTE_ADDR="10.0.0.9")
    finally:
        done()
    lines = _lines(stream)
    assert [line["event"] for line in lines] == ["login_failed"]
    # The typed username is not logged at all (it may be a person's name), forged or not.
    assert "inspector" not in stream.getvalue()


def test_values_with_control_characters_are_escaped_not_written_raw():
    stream, done = _capture()
    try:
        log_event("permission_denied", path='/x\n{"event": "fake"}\u2028\x1b[31m')
    finally:
        done()
    text = stream.getvalue()
    assert text.count("\n") == 1
    assert "\x1b" not in text and "\u2028" not in text
    (line,) = _lines(stream)
    assert line["path"] == '/x\n{"event": "fake"}\u2028\x1b[31m'
