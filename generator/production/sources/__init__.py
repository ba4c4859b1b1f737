"""Where the parents come from: meson spectra and tables, parameterisations (BMPT, Sanford-Wang),
external parent lists, shower tables and the interaction points of the primary protons.

:mod:`~fipgen.production.sources.resolve` picks a beamline's source of each species. Nothing is
imported here: modules are reached by their full name.
"""

__all__: list[str] = []
