"""Administrators pages of the api app (API clients, webhooks)."""
