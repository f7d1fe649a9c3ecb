"""The legal clocks of disciplinary handling, in one place so they can change with the law.

Basis (as in force in 2026):

- Luật Cán bộ, công chức 2008, art. 80, as amended by the Luật sửa đổi, bổ sung một số điều của
  Luật Cán bộ, công chức và Luật Viên chức 2019 (the same rules for viên chức: Luật Viên chức,
  art. 53, as amended 2019), detailed by Nghị định 112/2020/NĐ-CP on disciplining cán bộ, công
  chức, viên chức, as amended by Nghị định 71/2023/NĐ-CP:

  * Limitation period (thời hiệu xử lý kỷ luật), art. 80(1): counted from the time of the
    breach; 5 years for a breach minor enough to warrant a reprimand (khiển trách), 10 years for
    any other breach. Some breaches have no limitation period at all (a Party member
    disciplined by the Party in the form of expulsion, breaches of national security and
    defence, corruption, using false degrees or certificates): the app cannot tell those from
    the type alone, so the page says so and the clock is advice, not a verdict.
  * Handling limit (thời hạn xử lý kỷ luật), art. 80(2): from detection of the breach to the
    competent body's decision, no more than 90 days; when the case is complex and needs
    inspection to verify, it may be extended to no more than 150 days. The extension is a
    property of the case, decided before any decision exists, so it is a flag on the
    Violation (`handling_extended`), set by an administrator.

- Counting (Bộ luật Dân sự 2015, on periods): a period counted in days starts on the day after
  the event and ends at the end of its last day; a period in years ends at the end of the same
  date in the last year (29 February falls back to 28 February). So a breach detected on
  1 January has its 90th and last day on 1 April, and a breach on 10 March 2020 can be
  disciplined up to and including 10 March 2025 at reprimand level.

"Detection" (phát hiện) is the day the Authority knew of the breach: for a breach found on the
spot during an inspection visit, the day it happened; for any other (citizen feedback, a unit's
self-report, an overdue task), the day it was recorded here. See detected_on().
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

HANDLING_LIMIT_DAYS = 90
HANDLING_LIMIT_EXTENDED_DAYS = 150
LIMITATION_YEARS_REPRIMAND = 5
LIMITATION_YEARS_HEAVIER = 10


def add_years(day: datetime.date, years: int) -> datetime.date:
    """The same date `years` later; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True)
class Clock:
    """One legal period: what it is, when it started and its last day; `stopped_on` is the
    decision date when a decision has been made (the clock then stops)."""

    label: str
    start: datetime.date
    last_day: datetime.date
    today: datetime.date
    stopped_on: datetime.date | None = None

    @property
    def days_left(self) -> int:
        """Days left after today (0 on the last day); negative once expired."""
        return (self.last_day - self.today).days

    @property
    def stopped(self) -> bool:
        return self.stopped_on is not None

    @property
    def met(self) -> bool:
        """Decided within the period."""
        return self.stopped_on is not None and self.stopped_on <= self.last_day

    @property
    def expired(self) -> bool:
        """Running and past its last day."""
        return self.stopped_on is None and self.days_left < 0

    @property
    def state(self) -> str:
        """For the page: met, late (decided after the last day), running, due (≤ 10 days
        left), expired."""
        if self.stopped_on is not None:
            return "met" if self.met else "late"
        if self.expired:
            return "expired"
        return "due" if self.days_left <= 10 else "running"

    @property
    def days_overdue(self) -> int:
        return -self.days_left


def handling_clock(
    *,
    detected_on: datetime.date,
    extended: bool = False,
    decided_on: datetime.date | None = None,
    today: datetime.date | None = None,
) -> Clock:
    """The handling limit: 90 days from detection (150 when extended), stopped by a decision."""
    days = HANDLING_LIMIT_EXTENDED_DAYS if extended else HANDLING_LIMIT_DAYS
    label = _("Handling limit (150 days, extended)") if extended else _("Handling limit (90 days)")
    return Clock(
        label=str(label),
        start=detected_on,
        last_day=detected_on + datetime.timedelta(days=days),
        today=today or timezone.localdate(),
        stopped_on=decided_on,
    )


def limitation_clock(
    *,
    occurred_on: datetime.date,
    reprimand_level: bool,
    decided_on: datetime.date | None = None,
    today: datetime.date | None = None,
) -> Clock:
    """The limitation period: 5 years from the breach at reprimand level, 10 years heavier."""
    if reprimand_level:
        years, label = (
            LIMITATION_YEARS_REPRIMAND,
            _("Limitation period at reprimand level (5 years)"),
        )
    else:
        years, label = (
            LIMITATION_YEARS_HEAVIER,
            _("Limitation period for heavier breaches (10 years)"),
        )
    return Clock(
        label=str(label),
        start=occurred_on,
        last_day=add_years(occurred_on, years),
        today=today or timezone.localdate(),
        stopped_on=decided_on,
    )


def detected_on(violation) -> datetime.date:
    """The local date the breach was detected (see the module's docstring)."""
    if violation.source == "visit":
        return timezone.localdate(violation.occurred_at)
    return timezone.localdate(violation.recorded_at)


def violation_clocks(
    violation, decision=None, *, today: datetime.date | None = None
) -> list[Clock]:
    """The clocks of one violation. With a decision concerning it, the handling limit stops on
    the decision date and only the limitation period of the decision's level applies; without
    one, both limitation periods are shown since the level is not yet decided."""
    decided_on = decision.decided_on if decision is not None else None
    clocks = [
        handling_clock(
            detected_on=detected_on(violation),
            extended=violation.handling_extended,
            decided_on=decided_on,
            today=today,
        )
    ]
    occurred_on = timezone.localdate(violation.occurred_at)
    levels = [decision.is_reprimand_level] if decision is not None else [True, False]
    clocks += [
        limitation_clock(
            occurred_on=occurred_on, reprimand_level=level, decided_on=decided_on, today=today
        )
        for level in levels
    ]
    return clocks
