"""The census: exact queue figures from a walk of every task page. No Textual.

The live refresh sees only the first pages, so counts per project and status, and
throughput, come from walking the whole listing with the largest page the server
honours. The walk keeps counters, not rows: per project a status counter, 24 hourly
buckets of arrivals and of completions, the oldest pending ``created_at`` and a
stale count, whatever the number of tasks. A failed page leaves the cursor where it
was, so the same :class:`Census` resumes there; a cursor seen before ends the walk
(a server that loops must not keep it going forever).

**The selected project first.** Given ``first`` (the project the dashboard shows), the
walk lists that project alone (``project=`` filter) before the rest, so its exact
figures arrive after ``ceil(n_first / page)`` pages instead of at the end. The rest is
then one walk of every task that skips the first project's tasks: nothing is counted
twice, and no task without a project, nor any project missing from the project list,
is left out. The price is those ``ceil(n_first / page)`` pages asked for twice: 13 more
than the 61 of a plain walk of the demo's 60,840 tasks when its 12,000-task project is
selected (74 pages in all).

**Refined between recounts.** The live monitor sees status flips and arrivals on its
first pages; :func:`refine` adds them to the last complete result (as estimates: the
monitor sees only part of the queue), and the next complete walk replaces them. A
change counts only when the walk cannot have seen it: an arrival created after the
walk began (a newest-first cursor walk never goes back up), a flip made after it
ended. A flip made during the walk is left for the next one, as the walk may or may
not have counted its page after it.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Final, Protocol

from avala_tui.api.client import RateLimitStatus
from avala_tui.api.models import STATUS_COMPLETED, STATUS_PENDING, Page

if TYPE_CHECKING:
    from avala_tui.api.tally import TaskTally
from avala_tui.core.monitor import BUDGET_SHARE, DEFAULT_LIMIT_PER_MINUTE, low_budget

#: Asked for per page; the server may send fewer (DRF caps it), and what comes is kept.
CENSUS_PAGE_SIZE: Final = 1000
#: Pending tasks untouched for longer than this are stale, unless told otherwise.
DEFAULT_STALE_AFTER: Final = timedelta(hours=24)
#: Hourly buckets kept: the last day.
HOURS: Final = 24
#: How a task without a status is counted (the API may send null).
NO_STATUS: Final = "(none)"

_HOUR_S: Final = 3600.0

Sleep = Callable[[float], Awaitable[None]]


class TaskPages(Protocol):
    """The one endpoint the census reads, and what the client knows of its limits."""

    @property
    def rate_limit(self) -> RateLimitStatus | None:
        """The X-RateLimit-* headers of the last response that carried any."""
        ...

    async def list_task_tallies(
        self,
        *,
        project: str | None = None,
        status: str | None = None,
        cursor: str | None = None,
        limit: int | None = None,
    ) -> Page[TaskTally]:
        """One page of tasks, newest first."""
        ...


def census_share(limit: int | None, refresh_per_minute: float) -> float:
    """The share of the announced limit the census may spend beside the live refresh.

    Both together stay within the monitor's share (30%), so the user's own paging and
    detail requests always have the rest.
    """
    limit = limit or DEFAULT_LIMIT_PER_MINUTE
    return max(0.0, BUDGET_SHARE - refresh_per_minute / limit)


def request_interval(share: float, rate: RateLimitStatus | None) -> float:
    """Seconds between census requests so that they use ``share`` of the limit at most."""
    limit = rate.limit if rate is not None and rate.limit else DEFAULT_LIMIT_PER_MINUTE
    if share <= 0:
        return float("inf")
    return 60.0 / (share * limit)


def refresh_per_minute(interval: float, pages: int, limit: int | None) -> float:
    """Requests a minute the live refresh spends at most: its pages per interval, capped
    by its own budget (it never spends more than its share)."""
    if interval <= 0:
        return 0.0
    cap = BUDGET_SHARE * (limit or DEFAULT_LIMIT_PER_MINUTE)
    return min(60.0 * max(1, pages) / interval, cap)


def next_delay(
    share: float, rate: RateLimitStatus | None, *, since_last: float | None, wall_now: float
) -> float:
    """Seconds to wait before the next census request.

    ``since_last``: seconds since the previous one (None for the first). When the
    announced window is nearly spent the census waits for its reset, so the user's
    own paging and detail requests keep what is left.
    """
    wait = 0.0 if since_last is None else request_interval(share, rate) - since_last
    if low_budget(rate) and rate is not None and rate.reset is not None:
        wait = max(wait, rate.reset - wall_now)
    return max(0.0, wait)


@dataclass(frozen=True, slots=True)
class QueueFigures:
    """What a lead asks of one project's queue (or of all of them)."""

    pending: int
    """Tasks whose status is ``pending``."""
    completed: int
    """Tasks whose status is ``completed``."""
    other: dict[str, int]
    """Every other status, as the API spells it, with its count."""
    created_last_hour: int
    """Tasks created in the last hour."""
    created_last_24h: int
    """Tasks created in the last 24 hours."""
    completed_last_hour: int
    """Completed tasks last updated in the last hour (their completion, as far as the API says)."""
    completed_last_24h: int
    """Completed tasks last updated in the last 24 hours."""
    completions_by_hour: tuple[int, ...]
    """Completions per hour over the last 24 hours, oldest hour first."""
    oldest_pending_created_at: datetime | None
    """When the oldest pending task was created; None without pending tasks."""
    stale_pending: int
    """Pending tasks not updated for longer than the stale threshold."""

    @property
    def total(self) -> int:
        """Every task counted."""
        return self.pending + self.completed + sum(self.other.values())

    @property
    def percent_done(self) -> float | None:
        """Completed tasks as a percentage of all; None for an empty project."""
        return None if not self.total else 100.0 * self.completed / self.total

    @property
    def completions_per_hour(self) -> float:
        """The last 24 hours' mean completion rate."""
        return self.completed_last_24h / HOURS

    @property
    def eta(self) -> timedelta | None:
        """An estimate: pending ÷ the last 24 hours' completion rate; None when nothing was done."""
        if not self.completed_last_24h:
            return None
        return timedelta(hours=self.pending / self.completions_per_hour)

    def oldest_pending_age(self, now: datetime) -> timedelta | None:
        """How long the oldest pending task has waited, as of ``now``."""
        created = self.oldest_pending_created_at
        return None if created is None else now - created


#: A project without a task counted.
EMPTY_FIGURES: Final = QueueFigures(0, 0, {}, 0, 0, 0, 0, (0,) * HOURS, None, 0)


@dataclass(slots=True)
class _Tally:
    """One project's counters: a fixed size, whatever the number of tasks counted."""

    statuses: Counter[str] = field(default_factory=Counter)
    created: list[int] = field(default_factory=lambda: [0] * HOURS)
    completed: list[int] = field(default_factory=lambda: [0] * HOURS)
    oldest_pending: datetime | None = None
    stale: int = 0

    def figures(self) -> QueueFigures:
        other = {
            status: count
            for status, count in sorted(self.statuses.items())
            if status not in (STATUS_PENDING, STATUS_COMPLETED)
        }
        return QueueFigures(
            pending=self.statuses[STATUS_PENDING],
            completed=self.statuses[STATUS_COMPLETED],
            other=other,
            created_last_hour=self.created[0],
            created_last_24h=sum(self.created),
            completed_last_hour=self.completed[0],
            completed_last_24h=sum(self.completed),
            # Buckets are hours ago; a sparkline reads oldest first.
            completions_by_hour=tuple(reversed(self.completed)),
            oldest_pending_created_at=self.oldest_pending,
            stale_pending=self.stale,
        )

    def add(self, other: _Tally) -> None:
        self.statuses.update(other.statuses)
        for hour in range(HOURS):
            self.created[hour] += other.created[hour]
            self.completed[hour] += other.completed[hour]
        if other.oldest_pending is not None and (
            self.oldest_pending is None or other.oldest_pending < self.oldest_pending
        ):
            self.oldest_pending = other.oldest_pending
        self.stale += other.stale


@dataclass(frozen=True, slots=True)
class CensusResult:
    """The figures of a census (finished or not), per project uid and in total."""

    as_of: datetime
    """The moment the hourly buckets and ages are measured from."""
    projects: dict[str | None, QueueFigures]
    """Per project uid (None for tasks without one), in the order first met."""
    total: QueueFigures
    """All projects together."""
    counted: int
    """Tasks counted."""
    complete: bool
    """Whether the walk reached the last page (else the figures are partial)."""
    ended_at: datetime | None = None
    """When the walk reached its last page; None while it has not."""
    stale_after: timedelta = DEFAULT_STALE_AFTER
    """The threshold ``stale_pending`` was counted with."""
    estimated: frozenset[str | None] = frozenset()
    """Projects whose figures include changes the live monitor saw since the walk
    (estimates until the next walk); empty for a walk's own result."""
    refined_by: int = 0
    """How many seen changes were added to the walk's figures."""


class Census:
    """A resumable walk of every task page of one filter, counting as it goes."""

    def __init__(
        self,
        source: TaskPages,
        *,
        now: datetime,
        project: str | None = None,
        first: str | None = None,
        stale_after: timedelta = DEFAULT_STALE_AFTER,
        page_size: int = CENSUS_PAGE_SIZE,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._source = source
        self.project = project
        """The project counted; None for all."""
        self.first = first if project is None else None
        """The project walked alone before the rest (see the module docstring); None for none."""
        self.first_done = self.first is None
        """Whether the first project's walk is over (its figures are then exact)."""
        self._clock = clock
        self.stale_after = stale_after
        """Pending tasks untouched for longer than this are counted as stale."""
        self.ended_at: datetime | None = None
        """When the last page was counted."""
        self.as_of = now
        """The moment figures are measured from (fixed for the walk, so buckets agree)."""
        self._now_s = now.timestamp()
        self._stale_before_s = self._now_s - stale_after.total_seconds()
        self._page_size = page_size
        self._tallies: dict[str | None, _Tally] = {}
        self._cursor: str | None = None
        self._seen: set[str] = set()
        self.counted = 0
        """Tasks counted so far."""
        self.requests = 0
        """Pages asked for, failed ones included."""
        self.done = False
        """Whether the last page has been counted (or the server's cursors looped)."""
        self.looped = False
        """Whether the walk ended on a cursor it had already followed."""

    @property
    def cursor(self) -> str | None:
        """Where the next page starts (None: the first page, or nothing left when done)."""
        return self._cursor

    async def step(self) -> bool:
        """Fetch and count one page; True once the walk is over.

        An error propagates with the cursor unchanged: calling again retries that page.
        """
        if self.done:
            return True
        self.requests += 1
        in_first = not self.first_done
        page = await self._source.list_task_tallies(
            project=self.first if in_first else self.project,
            cursor=self._cursor,
            limit=self._page_size,
        )
        # The walk of every task skips what the first project's own walk counted.
        self._count(page.items, skip=None if in_first else self.first)
        following = page.next_cursor
        looped = following is not None and following in self._seen
        if following is None or looped:
            self.looped = self.looped or looped
            if in_first:
                self.first_done = True
                self._cursor = None
                self._seen.clear()
            else:
                self.done = True
                self.ended_at = datetime.fromtimestamp(self._clock(), UTC)
        else:
            self._seen.add(following)
            self._cursor = following
        return self.done

    async def run(
        self,
        *,
        share: float | Callable[[], float] = BUDGET_SHARE,
        sleep: Sleep | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        progress: Callable[[Census], None] | None = None,
    ) -> CensusResult:
        """Walk to the end, spacing requests to spend ``share`` of the rate limit at most.

        ``share`` may be a callable, read before each request, so the census yields
        when the live refresh needs more. Errors propagate; ``run`` again resumes.
        """
        pause = asyncio.sleep if sleep is None else sleep
        last_request: float | None = None
        while not self.done:
            budget = share() if callable(share) else share
            wait = next_delay(
                budget,
                self._source.rate_limit,
                since_last=None if last_request is None else clock() - last_request,
                wall_now=wall_clock(),
            )
            if wait > 0:
                await pause(wait)
            last_request = clock()
            await self.step()
            if progress is not None:
                progress(self)
        return self.result()

    def result(self) -> CensusResult:
        """The figures so far."""
        total = _Tally()
        for tally in self._tallies.values():
            total.add(tally)
        return CensusResult(
            as_of=self.as_of,
            projects={uid: tally.figures() for uid, tally in self._tallies.items()},
            total=total.figures(),
            counted=self.counted,
            complete=self.done,
            ended_at=self.ended_at,
            stale_after=self.stale_after,
        )

    def first_figures(self) -> QueueFigures | None:
        """The first project's exact figures once its own walk is over; None before."""
        if self.first is None or not self.first_done:
            return None
        tally = self._tallies.get(self.first)
        return EMPTY_FIGURES if tally is None else tally.figures()

    def _count(self, tasks: Iterable[TaskTally], skip: str | None = None) -> None:
        now_s = self._now_s
        stale_before_s = self._stale_before_s
        tallies = self._tallies
        for task in tasks:
            if skip is not None and task.project == skip:
                continue
            tally = tallies.get(task.project)
            if tally is None:
                tally = tallies[task.project] = _Tally()
            status = task.status if task.status is not None else NO_STATUS
            tally.statuses[status] += 1
            created = task.created_at
            if created is not None:
                hours_ago = (now_s - created.timestamp()) / _HOUR_S
                if 0 <= hours_ago < HOURS:
                    tally.created[int(hours_ago)] += 1
            if status == STATUS_COMPLETED and task.updated_at is not None:
                hours_ago = (now_s - task.updated_at.timestamp()) / _HOUR_S
                if 0 <= hours_ago < HOURS:
                    tally.completed[int(hours_ago)] += 1
            elif status == STATUS_PENDING:
                if created is not None and (
                    tally.oldest_pending is None or created < tally.oldest_pending
                ):
                    tally.oldest_pending = created
                touched = task.updated_at or created
                if touched is not None and touched.timestamp() < stale_before_s:
                    tally.stale += 1
            self.counted += 1


def duration_text(span: timedelta | None) -> str:
    """A span as a person reads it in a narrow column: 45m, 7h, 12d; "—" for none."""
    if span is None:
        return "—"
    minutes = span.total_seconds() / 60
    if minutes < 60:
        return f"{max(0, math.floor(minutes))}m"
    if minutes < 48 * 60:
        return f"{math.floor(minutes / 60)}h"
    return f"{math.floor(minutes / 1440)}d"


@dataclass(frozen=True, slots=True)
class SeenChange:
    """A change the live monitor saw on the pages it refreshed."""

    uid: str
    """The task's uid."""
    project: str | None
    """The task's project."""
    before: str | None
    """Its status before; ignored for an arrival."""
    after: str | None
    """Its status now."""
    at: float | None
    """When it happened by the API's clock (epoch): ``created_at`` of an arrival,
    ``updated_at`` of a flip; None when the API did not say."""
    arrival: bool = False
    """Whether the task is new to the list rather than changed in it."""


def counts_after(change: SeenChange, result: CensusResult) -> bool:
    """Whether ``result``'s walk cannot have counted ``change`` (see the module docstring)."""
    if change.at is None:
        return False
    if change.arrival:
        return change.at > result.as_of.timestamp()
    return result.ended_at is not None and change.at > result.ended_at.timestamp()


def _status_key(status: str | None) -> str:
    return status if status is not None else NO_STATUS


def _moved(figures: QueueFigures, change: SeenChange) -> QueueFigures:
    """``figures`` with one task added to its new status (and taken from its old one)."""
    counts: Counter[str] = Counter(figures.other)
    counts[STATUS_PENDING] = figures.pending
    counts[STATUS_COMPLETED] = figures.completed
    after = _status_key(change.after)
    if not change.arrival:
        before = _status_key(change.before)
        # A task the walk never saw in that status is not taken below zero.
        counts[before] = max(0, counts[before] - 1)
    counts[after] += 1
    created_hour, created_day = figures.created_last_hour, figures.created_last_24h
    if change.arrival:
        created_hour, created_day = created_hour + 1, created_day + 1
    completed_hour, completed_day = figures.completed_last_hour, figures.completed_last_24h
    by_hour = figures.completions_by_hour
    if after == STATUS_COMPLETED and (change.arrival or change.before != STATUS_COMPLETED):
        # Counted in the newest hour: the figures were measured from the walk's moment.
        completed_hour, completed_day = completed_hour + 1, completed_day + 1
        by_hour = (*by_hour[:-1], by_hour[-1] + 1)
    return replace(
        figures,
        pending=counts.pop(STATUS_PENDING),
        completed=counts.pop(STATUS_COMPLETED),
        other={status: count for status, count in sorted(counts.items()) if count},
        created_last_hour=created_hour,
        created_last_24h=created_day,
        completed_last_hour=completed_hour,
        completed_last_24h=completed_day,
        completions_by_hour=by_hour,
    )


def refine(result: CensusResult, changes: Iterable[SeenChange]) -> CensusResult:
    """``result`` with the changes the monitor saw since its walk: estimates, marked so.

    A flip moves one task from its old status to its new one (a completion is counted
    in the newest hour); an arrival adds one to its status and to the arrivals. Changes
    the walk may have counted are left out (:func:`counts_after`).
    """
    projects = dict(result.projects)
    total = result.total
    touched: set[str | None] = set()
    arrived: set[str] = set()
    applied = 0
    for change in changes:
        if not counts_after(change, result):
            continue
        if change.arrival:
            # A task can enter a filtered view twice (it left and came back): one arrival.
            if change.uid in arrived:
                continue
            arrived.add(change.uid)
        projects[change.project] = _moved(projects.get(change.project, EMPTY_FIGURES), change)
        total = _moved(total, change)
        touched.add(change.project)
        applied += 1
    if not applied:
        return result
    return replace(
        result,
        projects=projects,
        total=total,
        estimated=result.estimated | touched,
        refined_by=result.refined_by + applied,
    )


def counted_at_text(moment: datetime, now: datetime) -> str:
    """When a count was made, in local time: 14:05 today, "Mar 01 14:05" another day."""
    local = moment.astimezone()
    if local.date() == now.astimezone().date():
        return local.strftime("%H:%M")
    return local.strftime("%b %d %H:%M")


# The result on disk ---------------------------------------------------------------

#: Bumped when the saved form changes: an older file is ignored, never misread.
RESULT_FORMAT: Final = 1


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).isoformat()


def _figures_json(figures: QueueFigures) -> dict[str, Any]:
    return {
        "pending": figures.pending,
        "completed": figures.completed,
        "other": figures.other,
        "created_last_hour": figures.created_last_hour,
        "created_last_24h": figures.created_last_24h,
        "completed_last_hour": figures.completed_last_hour,
        "completed_last_24h": figures.completed_last_24h,
        "completions_by_hour": list(figures.completions_by_hour),
        "oldest_pending_created_at": _iso(figures.oldest_pending_created_at),
        "stale_pending": figures.stale_pending,
    }


def result_json(result: CensusResult) -> dict[str, Any]:
    """A complete walk's result as JSON: counters only (a few hundred bytes a project)."""
    return {
        "format": RESULT_FORMAT,
        "as_of": _iso(result.as_of),
        "ended_at": _iso(result.ended_at),
        "counted": result.counted,
        "stale_after_seconds": result.stale_after.total_seconds(),
        "total": _figures_json(result.total),
        # A list, not an object: tasks without a project are counted under None.
        "projects": [[uid, _figures_json(figures)] for uid, figures in result.projects.items()],
    }


class _Unreadable(ValueError):
    """A saved result that is not what :func:`result_json` writes."""


def _int(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _Unreadable(value)
    return value


def _moment(value: object, *, optional: bool = False) -> datetime | None:
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise _Unreadable(value)
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise _Unreadable(value)
    return moment


def _figures_from(value: object) -> QueueFigures:
    if not isinstance(value, Mapping):
        raise _Unreadable(value)
    other = value["other"]
    hours = value["completions_by_hour"]
    if not isinstance(other, Mapping) or not isinstance(hours, list) or len(hours) != HOURS:
        raise _Unreadable(value)
    return QueueFigures(
        pending=_int(value["pending"]),
        completed=_int(value["completed"]),
        other={str(status): _int(count) for status, count in other.items()},
        created_last_hour=_int(value["created_last_hour"]),
        created_last_24h=_int(value["created_last_24h"]),
        completed_last_hour=_int(value["completed_last_hour"]),
        completed_last_24h=_int(value["completed_last_24h"]),
        completions_by_hour=tuple(_int(count) for count in hours),
        oldest_pending_created_at=_moment(value["oldest_pending_created_at"], optional=True),
        stale_pending=_int(value["stale_pending"]),
    )


def result_from_json(document: object) -> CensusResult | None:
    """A result :func:`result_json` wrote; None for anything else (damaged, older format)."""
    try:
        if not isinstance(document, Mapping) or document.get("format") != RESULT_FORMAT:
            raise _Unreadable(document)
        projects: dict[str | None, QueueFigures] = {}
        entries = document["projects"]
        if not isinstance(entries, list):
            raise _Unreadable(entries)
        for entry in entries:
            if not isinstance(entry, list) or len(entry) != 2:
                raise _Unreadable(entry)
            uid, figures = entry
            if uid is not None and not isinstance(uid, str):
                raise _Unreadable(uid)
            projects[uid] = _figures_from(figures)
        stale = document["stale_after_seconds"]
        if isinstance(stale, bool) or not isinstance(stale, int | float) or not stale > 0:
            raise _Unreadable(stale)
        as_of = _moment(document["as_of"])
        assert as_of is not None
        return CensusResult(
            as_of=as_of,
            projects=projects,
            total=_figures_from(document["total"]),
            counted=_int(document["counted"]),
            complete=True,
            ended_at=_moment(document["ended_at"], optional=True),
            stale_after=timedelta(seconds=float(stale)),
        )
    except (KeyError, TypeError, ValueError, OverflowError, RecursionError):
        return None


@dataclass(frozen=True, slots=True)
class ShownFigures:
    """Census figures as the dashboard shows them, and how far to trust them."""

    figures: QueueFigures
    """The figures of the project shown (or of all)."""
    estimate: bool
    """Whether changes the monitor saw were added since the count ("≈")."""
    counted_at: str | None
    """When an earlier session counted them; None for this session's count."""
    refined_by: int = 0
    """Changes seen since the count and added to it (all projects')."""

    def notes(self) -> tuple[str | None, str | None]:
        """The sidebar's note on counts that are not this session's exact ones, and a short
        form where both notes at once would wrap ("counted 08:37 ≈+115")."""
        parts = []
        if self.counted_at is not None:
            parts.append(f"counted {self.counted_at}")
        if self.estimate:
            parts.append(f"≈ {self.refined_by:,} seen since")
        short = None
        if len(parts) == 2:
            short = f"counted {self.counted_at} ≈+{self.refined_by:,}"
        return " · ".join(parts) or None, short
