"""Contract data from the billing system: connector interface, CSV import, write-backs."""
