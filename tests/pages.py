"""Reading what a user sees in a response: its text and the values kept in its form inputs."""

import html
import re


def text_of(response) -> str:
    """The page as text, with HTML entities decoded (what the user reads)."""
    return html.unescape(response.get_data(as_text=True))


def input_value(response, name: str) -> str | None:
    """The ``value`` attribute of the input named ``name`` in the page (``None`` without one)."""
    tag = re.search(rf'<input[^>]*\bname="{re.escape(name)}"[^>]*>', response.get_data(as_text=True))
    assert tag, f"no input named {name}"
    value = re.search(r'\bvalue="([^"]*)"', tag.group(0))
    return html.unescape(value.group(1)) if value else None
