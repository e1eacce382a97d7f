"""Money is integer fen (cents of CNY); this formats it for people."""


def format_fen(fen: int) -> str:
    """Format integer fen as yuan with two decimals: ``1250`` → ``"12.50"``, ``-5`` → ``"-0.05"``."""
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    return f"{sign}{fen // 100}.{fen % 100:02d}"
