"""Evidence checks: the hash-chained audit trail, `audit verify` and `doctor`."""
