"""The palette in static/css/app.css meets WCAG 2.2 contrast: 4.5:1 for text on every background it is
used on, 3:1 for the borders of controls and inputs and for the focus ring (WCAG 1.4.3 and 1.4.11).

The colours are read from the ``:root`` custom properties, so a changed colour is checked as it ships."""

import re
from pathlib import Path

import pytest

CSS = Path(__file__).resolve().parents[2] / "static" / "css" / "app.css"

# (foreground, background) as custom-property names: text on the backgrounds where it appears.
TEXT = [
    ("ink", "bg"), ("ink", "card"), ("ink", "ok-bg"), ("ink", "bad-bg"), ("ink", "info-bg"), ("ink", "grey-bg"),
    ("muted", "bg"), ("muted", "card"), ("muted", "grey-bg"),
    ("brand", "card"), ("brand", "bg"),  # the current bottom tab, links in brand colour
    ("brand-dark", "bg"), ("brand-dark", "card"), ("brand-dark", "badge-bg"),  # links, points, badges
    ("on-brand", "brand"), ("on-brand", "brand-dark"),  # the header, primary buttons, the balance
    ("ok", "card"), ("ok", "bg"), ("ok", "ok-bg"), ("ok", "grey-bg"),
    ("bad", "card"), ("bad", "bg"), ("bad", "bad-bg"), ("bad", "grey-bg"),
    ("wait", "card"), ("wait", "bg"),
    ("info", "info-bg"), ("info", "card"),
]
# Borders and outlines that show where a control is (buttons, inputs, the language switch, focus).
CONTROLS = [
    ("control", "card"), ("control", "bg"), ("brand", "card"), ("brand", "bg"), ("bad", "card"),
    ("on-brand", "brand"), ("info", "bg"), ("info", "card"),  # the focus ring; white in the header
]


def palette() -> dict[str, str]:
    """The ``--name: #hex`` custom properties of the first ``:root`` block."""
    root = re.search(r":root\s*\{(.*?)\}", CSS.read_text(encoding="utf-8"), re.S).group(1)
    return dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-fA-F]{3,6})\b", root))


def luminance(colour: str) -> float:
    """Relative luminance of ``#rgb`` or ``#rrggbb`` (WCAG 2.x)."""
    digits = colour.lstrip("#")
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    channels = [int(digits[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    """The WCAG contrast ratio of two colours, 1 to 21."""
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_the_formula_matches_known_ratios():
    assert contrast("#000", "#fff") == pytest.approx(21)
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)  # the classic 4.5:1 grey
    assert contrast("#d9480f", "#fff") < 4.5  # the old brand orange that axe flagged under white text


@pytest.mark.parametrize(("fg", "bg"), TEXT, ids=[f"{f} on {b}" for f, b in TEXT])
def test_text_colours_meet_4_5_to_1(fg, bg):
    colours = palette()
    ratio = contrast(colours[fg], colours[bg])
    assert ratio >= 4.5, f"--{fg} {colours[fg]} on --{bg} {colours[bg]}: {ratio:.2f}:1"


@pytest.mark.parametrize(("fg", "bg"), CONTROLS, ids=[f"{f} on {b}" for f, b in CONTROLS])
def test_control_borders_meet_3_to_1(fg, bg):
    colours = palette()
    ratio = contrast(colours[fg], colours[bg])
    assert ratio >= 3, f"--{fg} {colours[fg]} on --{bg} {colours[bg]}: {ratio:.2f}:1"


def test_inputs_and_buttons_are_outlined_with_the_control_colour():
    css = CSS.read_text(encoding="utf-8")
    assert re.search(r"input, select, textarea \{[^}]*border: 1px solid var\(--control\)", css)
    assert re.search(r"button, \.button \{[^}]*border: 1px solid var\(--control\)", css)


def test_the_focus_ring_is_white_in_the_orange_header():
    assert ".top :focus-visible { outline-color: var(--on-brand); }" in CSS.read_text(encoding="utf-8")
