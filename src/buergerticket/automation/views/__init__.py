"""Automation pages of the workspace: configuration (administration) and contracts (staff)."""
