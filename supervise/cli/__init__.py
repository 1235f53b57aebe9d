"""Typer apps (one module per command group), prompts and rendering. The only layer that prints,
prompts or exits."""
