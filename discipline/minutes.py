"""The minutes (biên bản kiểm tra) of a finished visit: one context for the browser's print view
and the PDF, so both show the same document."""

import datetime

from django.db.models import Count
from django.utils import timezone

from discipline.models import Evidence, Violation
from inspections.models import RollEntry, Visit
from inspections.selectors import checklist_of, roll_of


def date_line(place: str, day: datetime.date) -> str:
    """The date line, e.g. "Vĩnh Hưng, ngày 05 tháng 02 năm 2026": days below 10 and the months
    January and February get a leading zero (Nghị định 30/2020/NĐ-CP), others not ("tháng 6")."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


def presence_counts(visit: Visit) -> dict[str, int]:
    """How many people on the roll had each presence, plus the total (one query)."""
    counts = dict.fromkeys(RollEntry.Presence.values, 0)
    for row in visit.roll.values("presence").annotate(n=Count("pk")).order_by():
        counts[row["presence"]] = row["n"]
    counts["total"] = sum(counts.values())
    return counts


def minutes_context(visit: Visit) -> dict:
    """Everything the minutes print: who inspected, when, which unit, the roll with its findings,
    the checklist, the violations recorded and the evidence attached."""
    authority = visit.unit.authority
    threshold = visit.lateness_threshold()
    rows = [
        {"entry": entry, "findings": entry.finding_labels(threshold)} for entry in roll_of(visit)
    ]
    counts = dict.fromkeys(RollEntry.Presence.values, 0)
    for row in rows:
        counts[row["entry"].presence] += 1
    started = timezone.localtime(visit.started_at) if visit.started_at else None
    finished = timezone.localtime(visit.finished_at) if visit.finished_at else None
    return {
        "visit": visit,
        "authority": authority,
        "unit": visit.unit,
        "lead": visit.lead_inspector,
        "team": list(visit.team.select_related("unit").order_by("full_name")),
        "started": started,
        "finished": finished,
        "date_line": date_line(authority.place_name, (finished or started).date()),
        "session_start": timezone.localtime(visit.session_start()) if started else None,
        "rows": rows,
        "counts": counts,
        "total": len(rows),
        "checklist": list(checklist_of(visit)),
        "violations": list(
            Violation.objects.filter(visit=visit)
            .select_related("staff", "type")
            .order_by("staff__full_name", "type__sort_order", "pk")
        ),
        "evidence": list(
            Evidence.objects.filter(visit=visit)
            .select_related("roll_entry__staff")
            .order_by("uploaded_at", "pk")
        ),
    }
