"""The filter sidebar: the user's projects and the status filter."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from avala_tui.api.models import STATUS_COMPLETED, STATUS_PENDING, Project
from avala_tui.ui.text import literal

#: Option id of "All projects" (and of "All statuses").
_ALL_ID: Final = "__all__"

STATUS_CHOICES: Final[tuple[tuple[str | None, str], ...]] = (
    (None, "All statuses"),
    (STATUS_PENDING, "Pending"),
    (STATUS_COMPLETED, "Completed"),
)

_ACTIVE: Final = "● "
_INACTIVE: Final = "  "


def _prompt(label: Text | str, active: bool) -> Text:
    # One line per option: long project names are cut with an ellipsis, never wrapped.
    prompt = Text(
        _ACTIVE if active else _INACTIVE,
        style="bold" if active else "",
        no_wrap=True,
        overflow="ellipsis",
    )
    prompt.append_text(label if isinstance(label, Text) else Text(label))
    return prompt


class ProjectList(OptionList):
    """Projects to filter by, "All projects" first; Enter or a click applies one."""

    selected_project: reactive[str | None] = reactive[str | None](None, init=False)
    """The uid of the applied project filter, or None for all projects."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        #: Label of every listed option, by option id; names are API text, so literal.
        self._labels: dict[str, Text] = {_ALL_ID: Text("All projects")}

    def _option_id(self, uid: str | None) -> str:
        return uid or _ALL_ID

    def on_mount(self) -> None:
        self.add_option(
            Option(_prompt(self._labels[_ALL_ID], self.selected_project is None), id=_ALL_ID)
        )
        self.highlighted = 0

    def add_projects(self, projects: Iterable[Project]) -> None:
        """Append a page of projects, skipping any already listed."""
        selected_id = self._option_id(self.selected_project)
        new_options = []
        for project in projects:
            if project.uid in self._labels:
                continue
            self._labels[project.uid] = literal(project.name or project.uid)
            prompt = _prompt(self._labels[project.uid], project.uid == selected_id)
            new_options.append(Option(prompt, id=project.uid))
        self.add_options(new_options)
        if self.highlighted == 0 and selected_id != _ALL_ID and selected_id in self._labels:
            # The preselected project (--project) has just arrived: put the cursor on it.
            self.highlighted = self.get_option_index(selected_id)

    def watch_selected_project(self, old: str | None, new: str | None) -> None:
        for option_id in {self._option_id(old), self._option_id(new)}:
            if option_id in self._labels:
                active = option_id == self._option_id(new)
                self.replace_option_prompt(option_id, _prompt(self._labels[option_id], active))


class StatusList(OptionList):
    """The status filter: all, pending or completed."""

    selected_status: reactive[str | None] = reactive[str | None](None, init=False)
    """The applied status filter, or None for every status."""

    def on_mount(self) -> None:
        self.add_options(
            Option(_prompt(label, value == self.selected_status), id=value or _ALL_ID)
            for value, label in STATUS_CHOICES
        )
        self.highlighted = next(
            index
            for index, (value, _) in enumerate(STATUS_CHOICES)
            if value == self.selected_status
        )

    def watch_selected_status(self, old: str | None, new: str | None) -> None:
        for value, label in STATUS_CHOICES:
            if value in (old, new) and self.option_count:
                self.replace_option_prompt(value or _ALL_ID, _prompt(label, value == new))


class FilterSidebar(Vertical):
    """Projects above, statuses below; posts Changed when the user applies a filter."""

    @dataclass
    class Changed(Message):
        """The user applied a project or status filter."""

        project: str | None
        status: str | None

    def __init__(self, *, project: str | None, status: str | None, id: str | None = None) -> None:
        super().__init__(id=id)
        self._initial_project = project
        self._initial_status = status

    def compose(self) -> ComposeResult:
        yield Label("Projects", classes="sidebar-title")
        projects = ProjectList(id="projects")
        projects.set_reactive(ProjectList.selected_project, self._initial_project)
        yield projects
        yield Label("Status", classes="sidebar-title")
        statuses = StatusList(id="statuses")
        statuses.set_reactive(StatusList.selected_status, self._initial_status)
        yield statuses

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
