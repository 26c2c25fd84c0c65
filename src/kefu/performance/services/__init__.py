"""Writes of the performance domain, one module per area (see each module's docstring)."""
