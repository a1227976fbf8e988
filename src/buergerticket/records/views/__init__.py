"""Workspace pages of the records app."""
