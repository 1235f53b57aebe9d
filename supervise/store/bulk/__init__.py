"""A store filled all at once (the synthetic large trust of SPEC §9): whole sessions, contracts,
children and signatures written in plain SQL under the step-by-step path's own rules, with the
same rows, digests and audit events (tests/test_large_trust.py holds the two equal)."""
