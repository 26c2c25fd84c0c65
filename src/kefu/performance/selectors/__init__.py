"""Reads of the performance domain, always through core.scopes; one module per area."""
