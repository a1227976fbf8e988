"""Signals of the cases app.

``case_read`` fires whenever a person opens a case or one of its documents in
any interface (workspace, API, portal), so read access can be logged
(DSGVO accountability) without the views knowing who listens.
"""

from django.dispatch import Signal

# kwargs: case, staff (or None), user (or None), document (or None), channel ("workspace", …)
case_read = Signal()
