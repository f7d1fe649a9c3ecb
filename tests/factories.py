"""Plain functions that build valid rows through the same services the app uses."""

import datetime
import itertools

from django.contrib.auth.models import Group, User
from django.utils import timezone

from discipline import services as discipline_services
from discipline.models import ViolationType
from units.models import Authority, Staff, Unit
from units.services import save_staff, save_unit

_counter = itertools.count(1)
PASSWORD = "correct-horse-battery-455"


def authority(**overrides) -> Authority:
    values = {
        "name": "Ủy ban nhân dân huyện Vĩnh Hưng",
        "parent_body": "UBND TỈNH LONG AN",
        "issuing_body": "ỦY BAN NHÂN DÂN\nHUYỆN VĨNH HƯNG",
        "abbreviation": "UBND",
        "place_name": "Vĩnh Hưng",
    }
    values.update(overrides)
    return Authority.objects.create(**values)


def unit(
    authority: Authority,
    *,
    name: str | None = None,
    code: str | None = None,
    kind: str = "agency",
    parent: Unit | None = None,
) -> Unit:
    n = next(_counter)
    return save_unit(
        unit=Unit(
            authority=authority,
            name=name or f"Đơn vị {n}",
            code=code or f"U{n}",
            kind=kind,
            parent=parent,
        ),
        by=None,
    )


def staff(
    unit: Unit,
    *,
    full_name: str | None = None,
    badge_number: str | None = None,
    position: str = "Chuyên viên",
    is_active: bool = True,
    user: User | None = None,
) -> Staff:
    n = next(_counter)
    return save_staff(
        staff=Staff(
            unit=unit,
            full_name=full_name or f"Nguyễn Văn {n}",
            badge_number=f"T-{n:05d}" if badge_number is None else badge_number,
            position=position,
            is_active=is_active,
            user=user,
        ),
        by=None,
    )


def user_with_role(
    username: str,
    unit: Unit,
    role: str | None,
    *,
    position: str = "Chuyên viên",
    is_staff: bool = True,
) -> User:
    user = User.objects.create_user(
        username, password=PASSWORD, is_staff=is_staff, first_name=username
    )
    if role:
        user.groups.add(Group.objects.get(name=role))
    staff(unit, full_name=f"Cán bộ {username}", position=position, user=user)
    return User.objects.get(pk=user.pk)  # fresh: no cached roles or staff


def violation_type(code: str = "late_early") -> ViolationType:
    return ViolationType.objects.get(code=code)


def violation(
    staff: Staff,
    *,
    by: User,
    code: str = "late_early",
    occurred_at: datetime.datetime | None = None,
    **extra,
):
    return discipline_services.record_violation(
        staff=staff,
        type=violation_type(code),
        occurred_at=occurred_at or timezone.now() - datetime.timedelta(days=1),
        by=by,
        **extra,
    )


def many_violations(staff: Staff, *, by: User, n: int, code: str = "late_early", **fields):
    """`n` violations of one person, an hour apart, in one INSERT: for tests that need many rows
    (query counts that must not grow), not for tests of recording itself."""
    from discipline.models import Violation

    now = timezone.now()
    kind = violation_type(code)
    return Violation.objects.bulk_create(
        Violation(
            staff=staff,
            unit_id=staff.unit_id,
            type=kind,
            occurred_at=now - datetime.timedelta(hours=i + 1),
            recorded_by=by,
            **fields,
        )
        for i in range(n)
    )


def visit(unit: Unit, *, by: User, kind: str = "regular", planned_date=None, **extra):
    from inspections.services import plan_visit

    return plan_visit(
        unit=unit,
        kind=kind,
        planned_date=planned_date or timezone.localdate(),
        lead_inspector=by.staff,
        by=by,
        **extra,
    )


def local(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime.datetime:
    """An aware datetime in Vietnam's time zone."""
    return timezone.make_aware(datetime.datetime(year, month, day, hour, minute))


def started_visit(unit: Unit, *, by: User, started_at: datetime.datetime | None = None, **extra):
    """A visit in progress whose roll holds the unit's active staff."""
    from inspections.services import start_visit

    planned = timezone.localdate(started_at) if started_at else None
    return start_visit(
        visit=visit(unit, by=by, planned_date=planned, **extra), by=by, started_at=started_at
    )


# A real, tiny image: a one-pixel PNG built by hand, so tests need no imaging library.
def tiny_png() -> bytes:
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xa3\x15\x1b")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def tiny_jpeg() -> bytes:
    """A one-pixel JPEG, encoded by Pillow (which the upload gate uses to check photos)."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (1, 1), (200, 30, 30)).save(buffer, "JPEG", quality=50)
    return buffer.getvalue()


def tiny_pdf(text: str = "test") -> bytes:
    """A minimal PDF: the header, one object and the end-of-file marker the gate asks for."""
    return (
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n% "
        + text.encode()
        + b"\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
    )


def task(
    assignee: Staff,
    *,
    by: User,
    title: str = "Rà soát hồ sơ tồn đọng",
    due_date: datetime.date | None = None,
    status: str | None = None,
    **extra,
):
    """A task assigned through the service; `due_date` in the past and `status` are written
    straight to the row afterwards (the service refuses past due dates)."""
    from units.models import Task
    from units.services import assign_task

    today = timezone.localdate()
    created = assign_task(
        assignee=assignee,
        title=title,
        expected_result=extra.pop("expected_result", "Báo cáo kết quả."),
        due_date=max(due_date or today, today),
        by=by,
        **extra,
    )
    changes = {}
    if due_date is not None and due_date < today:
        changes["due_date"] = due_date
    if status is not None:
        changes["status"] = status
        if status in ("submitted", "accepted"):
            changes["completion_note"] = "Đã xong."
        if status == "returned":
            changes["review_note"] = "Còn thiếu."
    if changes:
        Task.objects.filter(pk=created.pk).update(**changes)
        created.refresh_from_db()
    return created


def diary_entry(staff: Staff, *, day: datetime.date, text: str = "Tiếp nhận hồ sơ.", **extra):
    """A diary entry written on `day` (at 16:30 local time), straight into the table."""
    from units.models import DiaryEntry

    written = timezone.make_aware(datetime.datetime.combine(day, datetime.time(16, 30)))
    return DiaryEntry.objects.create(
        staff=staff,
        day=day,
        text=text,
        created_by=staff.user or User.objects.create_user(f"author-{next(_counter)}"),
        created_at=extra.pop("created_at", written),
        **extra,
    )


def feedback(
    unit: Unit, *, category: str = "attitude", text: str = "Cán bộ thiếu lịch sự.", **extra
):
    from inspections.models import Feedback

    return Feedback.objects.create(unit=unit, category=category, text=text, **extra)
