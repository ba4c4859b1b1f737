"""Package data: examples (see README.md in this folder)."""
