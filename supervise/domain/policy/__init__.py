"""The organisation's policy and templates as data: parsed, checked, and the
calendar and retention rules they set."""
