"""kefu's SQLite backend: Django's, with writers of one process queued in turn (see base.py)."""
