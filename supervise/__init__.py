"""supervise: safeguarding supervision records, encrypted and verifiable."""

__version__ = "0.1.0"
