"""Oversight over plain facts: who is overdue, compliance, balance, drift,
children unseen, and the compliance report's layout."""
