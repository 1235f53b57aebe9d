"""The records' own rules: answers files, what a session and a contract are
held to, their digests, signing and the audit chain."""
