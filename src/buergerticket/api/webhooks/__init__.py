"""Webhooks: registration, dispatch from case events, signed delivery through the outbox."""
