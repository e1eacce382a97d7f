"""The points ledger: the only package that writes ledger entries and balances (floor 3)."""
