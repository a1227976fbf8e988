"""Citizen-facing views (catalog, forms, receipt, mailbox, account) and the staff panel."""
