"""Package data: geometries (see README.md in this folder)."""
