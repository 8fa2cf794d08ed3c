"""The customer booking pages (not `site`: that name shadows Python's own module)."""
