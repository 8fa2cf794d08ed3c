"""Accounts, roles and permissions, login and registration."""
