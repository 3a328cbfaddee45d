"""The filter sidebar: the user's projects and the status filter, with loaded counts.

The sidebar owns the worker that lists the user's projects, page by page; it
fills the project names the rest of the screen shares and says when they change.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, MutableMapping
from dataclasses import dataclass
from typing import ClassVar, Final, NamedTuple

from rich.cells import cell_len
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from avala_tui.api.errors import AvalaError
from avala_tui.api.models import STATUS_COMPLETED, STATUS_PENDING, Page, Project
from avala_tui.api.paging import iter_pages
from avala_tui.api.protocol import TasksAPI
from avala_tui.core.text import clean, fit, status_parts
from avala_tui.ui.untrusted import shown
from avala_tui.ui.widgets.quiet_label import QuietLabel

#: Option id of "All projects" and of "All statuses".
_ALL_ID: Final = "__all__"

STATUS_CHOICES: Final[tuple[tuple[str | None, str], ...]] = (
    (None, "All statuses"),
    # The same glyph and word as the table and the detail pane.
    (STATUS_PENDING, status_parts(STATUS_PENDING)[0]),
    (STATUS_COMPLETED, status_parts(STATUS_COMPLETED)[0]),
)

#: Seconds between two counts shown while a census walks: a page a few seconds apart
#: would otherwise rewrite the title line ~20 times a minute on an idle monitor.
PROGRESS_EVERY: Final = 30.0
# Not "●": that is the table's "new" mark, and "○" is the pending glyph beside it.
_ACTIVE: Final = "▸ "
_INACTIVE: Final = "  "


#: Cells a project's name keeps before its count is shortened ("12,372" → "12k").
MIN_LABEL_CELLS: Final = 12


class Count(NamedTuple):
    """A count beside an option, and whether more may exist ("+")."""

    number: int
    lower_bound: bool

    def exact(self) -> str:
        """12,372 (and "+" while more may exist)."""
        return f"{self.number:,}" + ("+" if self.lower_bound else "")

    def compact(self) -> str:
        """A count that fits a narrow sidebar: 987, 12.3k, 52k; "+" when more may exist."""
        number = self.number
        if number < 1000:
            text = str(number)
        elif number < 10_000:
            text = f"{number / 1000:.1f}k"
        else:
            text = f"{number // 1000}k"
        return text + ("+" if self.lower_bound else "")


class _FilterList(OptionList):
    """An option list whose options are a label, an active marker and a count on the right."""

    # j and k move here as they do in the task table.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        #: Label of every option, by option id (API text, cleaned: never markup).
        self._labels: dict[str, str] = {}
        #: Count shown on the right of each option, by option id.
        self._counts: dict[str, Count] = {}

    def _active_id(self) -> str:
        raise NotImplementedError

    def count_text(self, option_id: str) -> str:
        """The count as shown beside an option: exact where the name keeps its room."""
        count = self._counts.get(option_id)
        if count is None:
            return ""
        exact = count.exact()
        room = self.scrollable_content_region.width - len(_ACTIVE) - len(exact) - 1
        if room >= min(cell_len(self._labels[option_id]), MIN_LABEL_CELLS):
            return exact
        return count.compact()

    def _prompt(self, option_id: str) -> Text:
        active = option_id == self._active_id()
        count = self.count_text(option_id)
        # One line per option: long names are cut with an ellipsis, never wrapped.
        width = self.scrollable_content_region.width - len(_ACTIVE)
        label_width = width - (len(count) + 1 if count else 0)
        label = self._labels[option_id]
        prompt = Text(_ACTIVE if active else _INACTIVE, style="bold" if active else "")
        prompt.append(fit(label, label_width) if label_width > 3 else label)
        if count:
            prompt.append(" ")
            prompt.append(count, style="dim")
        prompt.no_wrap = True
        prompt.overflow = "ellipsis"
        return prompt

    def _add(self, entries: Iterable[tuple[str, str]]) -> None:
        options = []
        for option_id, label in entries:
            if option_id in self._labels:
                continue
            self._labels[option_id] = clean(label)
            options.append(Option(self._prompt(option_id), id=option_id))
        self.add_options(options)

    def _repaint(self, option_ids: Iterable[str]) -> None:
        for option_id in option_ids:
            if option_id in self._labels:
                self.replace_option_prompt(option_id, self._prompt(option_id))

    def set_counts(self, counts: Mapping[str, Count]) -> None:
        """Show these counts (by option id); repaints only the options whose count changed."""
        changed = {
            option_id
            for option_id in set(counts) | set(self._counts)
            if counts.get(option_id) != self._counts.get(option_id)
        }
        self._counts = dict(counts)
        self._repaint(changed)

    def on_resize(self) -> None:
        self._repaint(list(self._labels))


class ProjectList(_FilterList):
    """Projects to filter by, "All projects" first; Enter or a click applies one."""

    selected_project: reactive[str | None] = reactive[str | None](None, init=False)
    """The uid of the applied project filter, or None for all projects."""

    def _active_id(self) -> str:
        return self.selected_project or _ALL_ID

    def on_mount(self) -> None:
        self._add([(_ALL_ID, "All projects")])
        self.highlighted = 0

    def add_projects(self, projects: Iterable[Project]) -> None:
        """Append a page of projects, skipping any already listed."""
        self._add((project.uid, project.name or project.uid) for project in projects)
        selected_id = self._active_id()
        if self.highlighted == 0 and selected_id != _ALL_ID and selected_id in self._labels:
            # The preselected project (--project) has just arrived: put the cursor on it.
            self.highlighted = self.get_option_index(selected_id)

    def watch_selected_project(self, old: str | None, new: str | None) -> None:
        self._repaint({old or _ALL_ID, new or _ALL_ID})


class StatusList(_FilterList):
    """The status filter: all, pending or completed."""

    selected_status: reactive[str | None] = reactive[str | None](None, init=False)
    """The applied status filter, or None for every status."""

    def _active_id(self) -> str:
        return self.selected_status or _ALL_ID

    def on_mount(self) -> None:
        self._add((value or _ALL_ID, label) for value, label in STATUS_CHOICES)
        self.highlighted = self.get_option_index(self._active_id())

    def watch_selected_status(self, old: str | None, new: str | None) -> None:
        self._repaint({old or _ALL_ID, new or _ALL_ID})


@dataclass
class _ProjectsPage(Message):
    """A page of the user's projects arrived."""

    page: Page[Project]


@dataclass
class _ProjectsFailed(Message):
    """Listing the user's projects failed."""

    error: AvalaError


class FilterSidebar(Vertical):
    """Projects above, statuses below; posts Changed when the user applies a filter."""

    @dataclass
    class Changed(Message):
        """The user applied a project or status filter."""

        project: str | None
        status: str | None

    @dataclass
    class ProjectsChanged(Message):
        """More project names are known (the shared mapping was updated in place)."""

    def __init__(
        self,
        client: TasksAPI | None = None,
        *,
        project_names: MutableMapping[str, str] | None = None,
        project: str | None,
        status: str | None,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.client = client
        self.project_names: MutableMapping[str, str] = (
            {} if project_names is None else project_names
        )
        """Project uid to name, filled as pages arrive; shared with the table."""
        self.all_projects_loaded = False
        """Whether every page of projects has arrived."""
        self._initial_project = project
        self._initial_status = status
        self._progress_text = "Projects"
        self._progress_shown_at = -PROGRESS_EVERY
        self._counted_at: tuple[str | None, str | None] = (None, None)

    def compose(self) -> ComposeResult:
        yield QuietLabel("Projects", classes="sidebar-title", id="projects-title")
        projects = ProjectList(id="projects")
        projects.set_reactive(ProjectList.selected_project, self._initial_project)
        yield projects
        yield Static("", id="projects-error", markup=False)
        yield Label("Status", classes="sidebar-title")
        statuses = StatusList(id="statuses")
        statuses.set_reactive(StatusList.selected_status, self._initial_status)
        yield statuses
        yield Static("", id="counted-at", classes="sidebar-title", markup=False)

    def on_mount(self) -> None:
        self.query_one("#projects-error").display = False
        self.query_one("#counted-at").display = False
        self.load_projects()

    def reload(self) -> None:
        """List the projects again when the last attempt did not reach the end."""
        if not self.all_projects_loaded:
            self.load_projects()

    @work(group="projects", exclusive=True, exit_on_error=False)
    async def load_projects(self) -> None:
        """Fetch every page of the user's projects, handing each to the list as it comes."""
        client = self.client
        if client is None:
            return
        try:
            async for page in iter_pages(lambda cursor: client.list_projects(cursor=cursor)):
                self.post_message(_ProjectsPage(page))
        except AvalaError as error:
            self.post_message(_ProjectsFailed(error))

    @on(_ProjectsPage)
    def _projects_page(self, message: _ProjectsPage) -> None:
        message.stop()
        page = message.page
        for project in page.items:
            self.project_names[project.uid] = project.name or project.uid
        self.query_one(ProjectList).add_projects(page.items)
        self.all_projects_loaded = not page.has_more
        self.query_one("#projects-error").display = False
        self.post_message(self.ProjectsChanged())

    @on(_ProjectsFailed)
    def _projects_failed(self, message: _ProjectsFailed) -> None:
        message.stop()
        error = self.query_one("#projects-error", Static)
        error.update(shown(f"⚠ projects: {message.error.message} (r retries)"))
        error.display = True

    @property
    def project(self) -> str | None:
        """The applied project filter."""
        return self.query_one(ProjectList).selected_project

    @property
    def status(self) -> str | None:
        """The applied status filter."""
        return self.query_one(StatusList).selected_status

    def apply(self, *, project: str | None, status: str | None) -> None:
        """Set both filters (from the command palette or the CLI) and announce the change."""
        self.query_one(ProjectList).selected_project = project
        self.query_one(StatusList).selected_status = status
        self.post_message(self.Changed(project, status))

    def show_progress(self, counting: int | None) -> None:
        """Say how far a census is ("counting · 12,400") beside the Projects title."""
        text = "Projects" if counting is None else f"counting · {counting:,}"
        if text != self._progress_text:
            now = time.monotonic()
            was_counting = self._progress_text != "Projects"
            if (
                counting is not None
                and was_counting
                and now - self._progress_shown_at < PROGRESS_EVERY
            ):
                return
            self._progress_shown_at = now
            self._progress_text = text
            self.query_one("#projects-title", Label).update(text)

    def show_counted_at(self, text: str | None, short: str | None = None) -> None:
        """Say what the counts are when they are not this session's exact ones
        ("counted 14:05", "≈ 3 seen since"); ``short`` where ``text`` would wrap; None
        hides the line."""
        self._counted_at = (text, short)
        line = self.query_one("#counted-at", Static)
        # The sidebar's width, not the line's: a hidden line has none yet.
        width = self.content_size.width - line.styles.gutter.width
        if text is not None and short is not None and width and len(text) > width:
            text = short
        if text != (str(line.content) if line.display else None):
            line.update(text or "")
            line.display = text is not None

    def on_resize(self) -> None:
        # Which form of the note fits depends on the width.
        self.show_counted_at(*self._counted_at)

    def show_counts(
        self,
        pending_by_project: Mapping[str, int],
        *,
        pending: int,
        completed: int,
        total: int,
        lower_bound: bool,
    ) -> None:
        """Show loaded counts: pending per project, and per status for the current list."""
        self.query_one(ProjectList).set_counts(
            {
                project: Count(number, lower_bound)
                for project, number in pending_by_project.items()
                if number
            }
        )
        status_counts = {_ALL_ID: total, STATUS_PENDING: pending, STATUS_COMPLETED: completed}
        if total == 0:
            # Nothing loaded (yet, or after an error): "0+" would say nothing useful.
            status_counts = {}
        shown_status = self.status
        self.query_one(StatusList).set_counts(
            {
                option_id: Count(number, lower_bound)
                for option_id, number in status_counts.items()
                # Under a status filter only that status's count is known.
                if shown_status is None or option_id == shown_status
            }
        )

    @on(OptionList.OptionSelected, "#projects")
    def _project_chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        chosen = None if event.option.id == _ALL_ID else event.option.id
        self.apply(project=chosen, status=self.status)

    @on(OptionList.OptionSelected, "#statuses")
    def _status_chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        chosen = None if event.option.id == _ALL_ID else event.option.id
        self.apply(project=self.project, status=chosen)
