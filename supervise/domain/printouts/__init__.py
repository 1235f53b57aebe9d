"""Records laid out like the pro-formas (SPEC §7), pure: the store gathers a record's `PrintFacts`
(facts.py) and `layout.lay_out` turns them into `supervise.domain.document` blocks."""
