"""DOCX exports and review bundles (see SPEC §7). Never prints, prompts or exits."""
