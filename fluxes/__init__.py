"""Package data: fluxes (see README.md in this folder)."""
