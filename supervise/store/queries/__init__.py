"""Reads for listings, reports, `overdue` and exports, in set-based queries."""
