"""Users, organisations, roles and log-in."""
