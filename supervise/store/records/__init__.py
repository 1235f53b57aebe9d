"""The records and their writes: people, children, contracts, sessions, signatures, amendments."""
