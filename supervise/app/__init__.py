"""Use cases: one function per thing a user does, each over a unit of work (unit.py) that holds
the transaction, the moment and the actor. Below the CLI: nothing here prints, prompts, exits or
names a flag; what a use case returns is plain data, read inside its transaction."""
