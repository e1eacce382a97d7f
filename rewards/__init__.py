"""Points ledger, merchants, offers, vouchers and redemption."""
