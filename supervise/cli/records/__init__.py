"""Commands for the records: people, children, contracts, sessions, signing, decisions, actions."""
