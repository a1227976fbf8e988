"""Bürgerticket: case management for municipalities and their utilities."""

__version__ = "0.1.0"
