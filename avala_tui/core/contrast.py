"""Whether a foreground and background pair stays readable on the terminals leads use.

Over SSH and in tmux a theme's colours are often cut down to 256 or to the 16 ANSI
colours (``TERM=xterm``). Two colours far apart in truecolor can land on one ANSI
colour: gruvbox's cursor row became bright white on white. This checks a pair the
way it will be drawn at each depth, with WCAG 2's contrast ratio. No Textual.
"""

from __future__ import annotations

from typing import Final

from rich.color import Color, ColorSystem
from rich.color_triplet import ColorTriplet
from rich.terminal_theme import DEFAULT_TERMINAL_THEME

#: WCAG 2's minimum ratios: 4.5 for text, 3 for bold (large) text.
MIN_RATIO: Final = 4.5
MIN_RATIO_BOLD: Final = 3.0
#: The colour depths a theme must survive, deepest first.
DEPTHS: Final = (ColorSystem.TRUECOLOR, ColorSystem.EIGHT_BIT, ColorSystem.STANDARD)


def _luminance(rgb: ColorTriplet) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(rgb.red) + 0.7152 * channel(rgb.green) + 0.0722 * channel(rgb.blue)


def contrast_ratio(first: ColorTriplet, second: ColorTriplet) -> float:
    """WCAG 2's contrast ratio of two colours, from 1 (the same) to 21 (black on white)."""
    light, dark = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _drawn(color: Color, depth: ColorSystem, *, foreground: bool) -> ColorTriplet:
    """The colour a terminal draws ``color`` as at ``depth``, with xterm's palette.

    Terminals that draw bold text in the bright variant of an ANSI colour are not
    modelled: most no longer do by default, and the user's palette is unknown anyway.
    """
    return color.downgrade(depth).get_truecolor(DEFAULT_TERMINAL_THEME, foreground)


def worst_ratio(foreground: Color, background: Color) -> float:
    """The lowest contrast the pair is drawn with at any colour depth."""
    return min(
        contrast_ratio(
            _drawn(foreground, depth, foreground=True), _drawn(background, depth, foreground=False)
        )
        for depth in DEPTHS
    )


def readable(foreground: Color, background: Color, *, bold: bool) -> bool:
    """Whether the pair meets WCAG 2's minimum at every colour depth."""
    return worst_ratio(foreground, background) >= (MIN_RATIO_BOLD if bold else MIN_RATIO)
