"""The sample organisation `supervise demo` builds (every name invented)."""
