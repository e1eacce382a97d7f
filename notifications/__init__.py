"""Notifications: the inbox (what concerns a user), the SMS outbox and the reminders registry."""
