"""The unique keys of one-off ledger entries, each built by one function.

A key is what makes a movement happen at most once: the database refuses a second entry with it.
"""


def award_key(signup_id: int) -> str:
    """The key of the award for attending with sign-up ``signup_id``: ``award:signup:<id>``."""
    return f"award:signup:{signup_id}"


def spend_key(voucher_id: int) -> str:
    """The key of the points spent on voucher ``voucher_id``: ``spend:voucher:<id>``."""
    return f"spend:voucher:{voucher_id}"


def refund_key(voucher_id: int) -> str:
    """The key of the refund of voucher ``voucher_id`` (cancelled or expired): ``refund:voucher:<id>``."""
    return f"refund:voucher:{voucher_id}"


def reversal_key(entry_id: int) -> str:
    """The key of the reversal of ledger entry ``entry_id`` (an award): ``reverse:entry:<id>``."""
    return f"reverse:entry:{entry_id}"


def restore_key(signup_id: int, reversal_id: int) -> str:
    """The key of the award that restores reversal ``reversal_id`` of sign-up ``signup_id``:
    ``award:signup:<id>:after:<reversal id>``."""
    return f"award:signup:{signup_id}:after:{reversal_id}"


def report_award_key(report_id: int) -> str:
    """The key of the award for problem report ``report_id`` once its fix is confirmed: ``award:report:<id>``."""
    return f"award:report:{report_id}"
