"""Refusals of the rewards rules, each with the message the user sees."""

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _n

from core.errors import DomainError
from core.timeutil import localtime


class OfferUnavailable(DomainError):
    def __init__(self):
        super().__init__(_l("This offer is no longer available."))


class OutOfStock(DomainError):
    def __init__(self):
        super().__init__(_l("Sorry, this offer is out of stock."))


class StockBelowZero(DomainError):
    status = 422

    def __init__(self, stock: int):
        super().__init__(_l("Vouchers were issued meanwhile: only %(stock)d left now. Check the stock.", stock=stock),
                         field="stock")


class LimitReached(DomainError):
    def __init__(self, limit: int):
        super().__init__(
            _n("Each rider may have %(num)d voucher of this offer, used or unused; you have reached it.",
               "Each rider may have %(num)d vouchers of this offer, used or unused; you have reached it.", limit)
        )


class UnknownCode(DomainError):
    status = 404

    def __init__(self):
        super().__init__(_l("No voucher has this code. Please check the digits."))


class WrongMerchant(DomainError):
    status = 403

    def __init__(self):
        super().__init__(_l("This voucher is for another restaurant. Do not accept it here."))


class AlreadyRedeemed(DomainError):
    def __init__(self, voucher):
        super().__init__(
            _l(
                "Already redeemed at %(merchant)s, %(time)s. Do not accept it again.",
                merchant=voucher.merchant.name,
                time=localtime(voucher.redeemed_at, "short"),
            )
        )
        self.voucher = voucher


class RedeemedByYou(AlreadyRedeemed):
    """Already redeemed, by this very staff account a moment ago (a retried tap, or a shared log-in)."""

    def __init__(self, voucher):
        DomainError.__init__(
            self,
            _l("Already redeemed at %(merchant)s, %(time)s, by this account. Hand over the offer only if you "
               "have not yet.", merchant=voucher.merchant.name, time=localtime(voucher.redeemed_at, "short")),
        )
        self.voucher = voucher


class VoucherExpired(DomainError):
    def __init__(self, voucher):
        super().__init__(
            _l("This voucher expired on %(time)s.", time=localtime(voucher.expires_at, "short"))
        )
        self.voucher = voucher


class VoucherCancelled(DomainError):
    def __init__(self, voucher):
        super().__init__(_l("This voucher was cancelled and cannot be used."))
        self.voucher = voucher


class VoucherNotCancellable(DomainError):
    def __init__(self):
        super().__init__(_l("Only a voucher that is ready to use can be cancelled."))


# Restaurant rules (rewards.rules, rewards.hours): each says when the rider or the counter may try again.

class PeriodLimitReached(DomainError):
    """The per-rider limit of the offer's day, week or month is used; ``again_at`` (aware UTC) starts the next."""

    def __init__(self, limit: int, period: str, again_at):
        when = localtime(again_at, "short")
        messages = {
            "day": _n("You may redeem this offer %(num)d time a day. You can redeem it again from %(time)s.",
                      "You may redeem this offer %(num)d times a day. You can redeem it again from %(time)s.",
                      limit, time=when),
            "week": _n("You may redeem this offer %(num)d time a week. You can redeem it again from %(time)s.",
                       "You may redeem this offer %(num)d times a week. You can redeem it again from %(time)s.",
                       limit, time=when),
            "month": _n("You may redeem this offer %(num)d time a month. You can redeem it again from %(time)s.",
                        "You may redeem this offer %(num)d times a month. You can redeem it again from %(time)s.",
                        limit, time=when),
        }
        super().__init__(messages[period])
        self.again_at = again_at


class DailyStockGone(DomainError):
    """Today's vouchers of the offer are all taken; ``renews_at`` (aware UTC) is the next local midnight."""

    def __init__(self, renews_at):
        super().__init__(_l("Today's vouchers of this offer are all taken. More from %(time)s.",
                            time=localtime(renews_at, "short")))
        self.renews_at = renews_at


class OffersPaused(DomainError):
    def __init__(self, merchant_name: str):
        super().__init__(_l("%(merchant)s has paused its offers for now (a busy kitchen). Please try again later.",
                            merchant=merchant_name))


class OutsideServingHours(DomainError):
    """A voucher confirmed outside the merchant's serving hours; ``opens_at`` (aware UTC) is the next start."""

    def __init__(self, hours: str, opens_at):
        super().__init__(_l("Outside serving hours (%(hours)s). This voucher can be used from %(time)s.",
                            hours=hours, time=localtime(opens_at, "short")))
        self.opens_at = opens_at
