"""Commands that set up and keep the store: init, keys, policy, templates,
demo, backups, retention."""
