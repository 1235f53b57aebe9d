"""Commands that look over the records: overdue, reports, exports, verify, the audit trail."""
