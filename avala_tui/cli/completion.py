"""``avala-tui completion bash|zsh|fish``: completion scripts made from the argparse parser.

Made from the parser itself, so a new option or command completes without anyone
writing shell code. No dependency: the parser's tree is walked here (argparse's
``_actions`` and a subparsers action's ``choices`` have been stable for a decade),
and zsh runs the bash script through its own ``bashcompinit``.
"""

from __future__ import annotations

import argparse
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

SHELLS: Final = ("bash", "zsh", "fish")
PROG: Final = "avala-tui"
#: The command path of the top level (a command's path is its words joined by "/").
ROOT: Final = "."


@dataclass
class _Option:
    flags: list[str]
    help: str
    takes_value: bool
    choices: list[str]
    is_path: bool


@dataclass
class _Command:
    path: str
    options: list[_Option] = field(default_factory=list)
    #: Subcommands (name, help) and positional choices, completed as words.
    words: list[tuple[str, str]] = field(default_factory=list)


def _commands(parser: argparse.ArgumentParser, path: str = ROOT) -> list[_Command]:
    command = _Command(path)
    found = [command]
    for action in parser._actions:
        text = "" if action.help in (None, argparse.SUPPRESS) else str(action.help)
        if isinstance(action, argparse._SubParsersAction):
            helps = {choice.dest: choice.help or "" for choice in action._choices_actions}
            for name, sub in action.choices.items():
                command.words.append((name, helps.get(name, "")))
                sub_path = name if path == ROOT else f"{path}/{name}"
                found += _commands(sub, sub_path)
        elif action.option_strings:
            command.options.append(
                _Option(
                    flags=list(action.option_strings),
                    help=text,
                    takes_value=action.nargs != 0,
                    choices=[str(choice) for choice in action.choices or ()],
                    is_path=action.type is Path,
                )
            )
        elif action.choices:
            command.words += [(str(choice), text) for choice in action.choices]
    return found


def _bash(commands: list[_Command]) -> str:
    descend = []
    for command in commands:
        if command.path == ROOT:
            continue
        parent, _, name = command.path.rpartition("/")
        descend.append(f'            "{parent or ROOT}>{name}") path="{command.path}" ;;')
    values = []
    words = []
    for command in commands:
        for option in command.options:
            if not option.takes_value:
                continue
            patterns = "|".join(f'"{command.path}>{flag}"' for flag in option.flags)
            if option.choices:
                reply = (
                    f'COMPREPLY=($(compgen -W {shlex.quote(" ".join(option.choices))} -- "$cur"))'
                )
            elif option.is_path:
                reply = 'COMPREPLY=($(compgen -f -- "$cur"))'
            else:
                reply = "COMPREPLY=()"
            values.append(f"        {patterns}) {reply}; return ;;")
        candidates = [flag for option in command.options for flag in option.flags]
        candidates += [word for word, _ in command.words]
        words.append(
            f'        "{command.path}") COMPREPLY=($(compgen -W '
            f'{shlex.quote(" ".join(candidates))} -- "$cur")) ;;'
        )
    return "\n".join(
        [
            f"# bash completion for {PROG}, made from its argument parser.",
            "_avala_tui() {",
            '    local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}"',
            f'    local path="{ROOT}" i',
            "    for ((i = 1; i < COMP_CWORD; i++)); do",
            '        case "$path>${COMP_WORDS[i]}" in',
            *descend,
            "        esac",
            "    done",
            '    case "$path>$prev" in',
            *values,
            "    esac",
            '    case "$path" in',
            *words,
            "    esac",
            "}",
            f"complete -F _avala_tui {PROG}",
            "",
        ]
    )


def _zsh(commands: list[_Command]) -> str:
    return (
        f"#compdef {PROG}\n"
        "# zsh completion: the bash script, run by zsh's own bash completion layer.\n"
        "autoload -U +X bashcompinit && bashcompinit\n" + _bash(commands)
    )


def _fish_quote(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _fish(commands: list[_Command]) -> str:
    lines = [
        f"# fish completion for {PROG}, made from its argument parser.",
        "function __avala_tui_path",
        f"    set -l path {ROOT}",
        "    for word in (commandline -opc)[2..-1]",
        '        switch "$path>$word"',
    ]
    for command in commands:
        if command.path != ROOT:
            parent, _, name = command.path.rpartition("/")
            lines += [f"            case {_fish_quote(f'{parent or ROOT}>{name}')}"]
            lines += [f"                set path {_fish_quote(command.path)}"]
    lines += ["        end", "    end", "    echo $path", "end", f"complete -c {PROG} -f"]
    for command in commands:
        condition = f"-n {_fish_quote(f'test (__avala_tui_path) = {command.path}')}"
        for word, text in command.words:
            lines.append(
                f"complete -c {PROG} {condition} -a {_fish_quote(word)} -d {_fish_quote(text)}"
            )
        for option in command.options:
            parts = [f"complete -c {PROG}", condition]
            for flag in option.flags:
                parts.append(f"-l {flag[2:]}" if flag.startswith("--") else f"-s {flag[1:]}")
            if option.choices:
                parts.append(f"-x -a {_fish_quote(' '.join(option.choices))}")
            elif option.is_path:
                parts.append("-r -F")
            elif option.takes_value:
                parts.append("-x")
            parts.append(f"-d {_fish_quote(option.help)}")
            lines.append(" ".join(parts))
    return "\n".join(lines) + "\n"


def completion_script(parser: argparse.ArgumentParser, shell: str) -> str:
    """The completion script for ``shell`` (one of SHELLS) of ``parser``'s whole grammar."""
    commands = _commands(parser)
    if shell == "bash":
        return _bash(commands)
    if shell == "zsh":
        return _zsh(commands)
    if shell == "fish":
        return _fish(commands)
    raise ValueError(f"no completion for {shell!r}; shells: {', '.join(SHELLS)}")
