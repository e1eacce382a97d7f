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
