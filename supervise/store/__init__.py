"""The encrypted store: SQLModel tables over SQLCipher, keys, migrations, queries.

Never prints, prompts or exits; failures are SuperviseError subclasses.
"""
