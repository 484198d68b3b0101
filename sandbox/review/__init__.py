"""sandbox/review."""
