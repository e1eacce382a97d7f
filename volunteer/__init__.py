"""Tasks, sign-ups and attendance."""
