"""Verwaltungssteuerung: the management dashboard for leads and administrators."""
