"""Pure rules: no I/O, no clock (callers pass `now`), no other layer."""
