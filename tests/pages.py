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


def shown_code(response) -> str:
    """The one-time SMS code that a page shows in development (the console backend)."""
    match = re.search(r'id="dev-code">(\d{6})<', response.get_data(as_text=True))
    assert match, f"no code on the page ({response.status_code})"
    return match.group(1)


def registration_code(client, phone: str) -> str:
    """Ask for a registration code for ``phone`` as ``client`` and return the code the page shows."""
    return shown_code(client.post("/register/code", {"phone": phone}))
