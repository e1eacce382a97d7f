"""SQL checks shared by every table of opening-hours rows (stations, merchants).

Rows keep local wall-clock times as ``"HH:MM"`` text: ``opens`` from ``"00:00"`` to ``"23:59"``, ``closes`` the
same or ``"24:00"`` (midnight at the end of the day). The rules that read the rows live in
:mod:`core.opening_hours`.
"""


def clock_check(column: str, last: str) -> str:
    """SQL true when ``column`` is ``"HH:MM"`` text from ``"00:00"`` to ``last`` (``"23:59"`` or ``"24:00"``)."""
    return (f"length({column}) = 5 AND substr({column}, 3, 1) = ':' AND substr({column}, 1, 2) >= '00'"
            f" AND substr({column}, 4, 2) >= '00' AND substr({column}, 4, 2) <= '59'"
            f" AND {column} >= '00:00' AND {column} <= '{last}' AND substr({column}, 1, 2) <= '24'")


OPENS_OK = clock_check("opens", "23:59")
CLOSES_OK = f"({clock_check('closes', '23:59')}) OR closes = '24:00'"
