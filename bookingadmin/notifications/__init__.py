"""Outbox rows for emails and receipts, their rendering and sending, reminders, the sweep and the worker."""
