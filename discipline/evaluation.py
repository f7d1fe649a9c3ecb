"""The year's record for the annual evaluation and emulation: the rules, in one place so they
can change with the law, and the sheet built from them.

Basis (as in force in 2026):

- Nghị định 90/2020/NĐ-CP on evaluating and rating cán bộ, công chức, viên chức, as amended by
  Nghị định 48/2023/NĐ-CP: the four ratings below; a person disciplined in the year being
  evaluated is rated "không hoàn thành nhiệm vụ". Every form of discipline counts, from
  reprimand (khiển trách) up, so every Decision.Form caps the rating. The decree (as amended)
  has exceptions for discipline given in the year for a breach already counted in an earlier
  year's rating: the evaluator applies those by hand, the sheet shows the cap and its
  decisions so they can.
- Luật Thi đua, khen thưởng 2022 and Nghị định 98/2023/NĐ-CP: the title "Lao động tiên tiến"
  requires at least "hoàn thành tốt nhiệm vụ", so a capped person is not eligible.

A decision counts in the year of its date (decided_on), whatever year the breach was in: a
decision of the previous year does not cap this year's rating.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import models
from django.utils.translation import gettext_lazy as _

from discipline.models import Decision, Letter, ViolationType


class Rating(models.TextChoices):
    """The four ratings of Nghị định 90/2020/NĐ-CP, best first."""

    EXCELLENT = "excellent", _("Excellent performance (hoàn thành xuất sắc nhiệm vụ)")
    GOOD = "good", _("Good performance (hoàn thành tốt nhiệm vụ)")
    DONE = "done", _("Tasks performed (hoàn thành nhiệm vụ)")
    NOT_DONE = "not_done", _("Tasks not performed (không hoàn thành nhiệm vụ)")


# Best first: a lower index is a better rating.
RATING_ORDER = [Rating.EXCELLENT, Rating.GOOD, Rating.DONE, Rating.NOT_DONE]

# Forms of discipline that cap the year's rating: all of them (khiển trách or heavier).
CAPPING_FORMS = frozenset(Decision.Form.values)

# The lowest rating that still allows "Lao động tiên tiến".
ADVANCED_WORKER_MINIMUM = Rating.GOOD


def rating_cap(decision_forms: Iterable[str]) -> Rating | None:
    """The best rating a person may get given the forms of the decisions dated in the year, or
    None when nothing caps it."""
    if any(form in CAPPING_FORMS for form in decision_forms):
        return Rating.NOT_DONE
    return None


def advanced_worker_eligible(cap: Rating | None) -> bool:
    """Whether "Lao động tiên tiến" is still open: the cap (if any) must allow at least
    "hoàn thành tốt nhiệm vụ"."""
    if cap is None:
        return True
    return RATING_ORDER.index(cap) <= RATING_ORDER.index(ADVANCED_WORKER_MINIMUM)


CATEGORIES = list(ViolationType.Category)


@dataclass
class PersonYear:
    """One line of the sheet: a person's year."""

    staff_id: int
    full_name: str
    position: str
    unit: str
    by_category: dict[str, int] = field(default_factory=dict)
    letters: list[str] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)

    @property
    def category_counts(self) -> list[int]:
        return [self.by_category.get(category.value, 0) for category in CATEGORIES]

    @property
    def standing_total(self) -> int:
        return sum(self.by_category.values())

    @property
    def cap(self) -> Rating | None:
        return rating_cap(decision.form for decision in self.decisions)

    @property
    def cap_label(self) -> str:
        cap = self.cap
        return str(cap.label) if cap is not None else ""

    @property
    def advanced_worker_eligible(self) -> bool:
        return advanced_worker_eligible(self.cap)


def person_years(staff_rows, *, year: int, violations, decisions) -> list[PersonYear]:
    """The sheet lines for `staff_rows` (Staff with their unit loaded), from the standing
    `violations` of the year and the `decisions` dated in the year (both querysets already
    scoped by the caller). Three queries, however many rows."""
    lines = {
        s.pk: PersonYear(
            staff_id=s.pk, full_name=s.full_name, position=s.position, unit=str(s.unit)
        )
        for s in staff_rows
    }
    if not lines:
        return []
    ids = list(lines)
    year_violations = violations.filter(staff_id__in=ids, occurred_at__year=year)
    counts = year_violations.values("staff_id", "type__category").annotate(n=models.Count("pk"))
    for row in counts:
        lines[row["staff_id"]].by_category[row["type__category"]] = row["n"]
    named = (
        Letter.violations.through.objects.filter(violation__in=year_violations)
        .exclude(letter__status=Letter.Status.DRAFT)
        .values_list("violation__staff_id", "letter__number", "letter__symbol")
        .distinct()
        .order_by("violation__staff_id", "letter__symbol", "letter__number")
    )
    for staff_id, number, symbol in named:
        lines[staff_id].letters.append(f"{number:02d}/{symbol}")
    for decision in decisions.filter(staff_id__in=ids, year=year).order_by("decided_on", "pk"):
        lines[decision.staff_id].decisions.append(decision)
    return list(lines.values())
