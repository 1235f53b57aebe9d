"""Review bundles: what an extract keeps, the index and the chronology."""
