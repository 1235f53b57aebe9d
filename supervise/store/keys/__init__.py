"""Keys: the key file and its slots, passphrases and rotation, personal signing keys."""
