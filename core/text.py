"""Normalising what people type on phones."""

import unicodedata


def normalise_digits(value: str | None) -> str:
    """Return ``value`` with full-width characters folded (NFKC) and spaces, dashes and dots removed.

    ``"０１２３ 4567-8901"`` becomes ``"012345678901"``. Non-digit characters other than
    separators are kept, so the caller can still reject the input.
    """
    if not value:
        return ""
    folded = unicodedata.normalize("NFKC", value)
    return "".join(ch for ch in folded if not ch.isspace() and ch not in "-_.·—–")


def mask_phone(phone: str) -> str:
    """Return a mainland mobile number masked for display to others: ``13812345678`` → ``138****5678``."""
    if len(phone) < 7:
        return "*" * len(phone)
    return f"{phone[:3]}****{phone[-4:]}"


def group_digits(code: str, size: int = 4) -> str:
    """A long code in groups for reading aloud: ``1234567890123456`` → ``1234 5678 9012 3456``."""
    return " ".join(code[i:i + size] for i in range(0, len(code), size))
