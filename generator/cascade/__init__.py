"""The hadron cascade of the beam in a beamline's own solids, and the tables made from it.

:mod:`.world` (the solids and straight paths), :mod:`.pythia` (Pythia 8's hadron-nucleus
collisions and decays), :mod:`.engine` (the cascade: interactions, ionisation, decays in
flight and at rest, captures), :mod:`.stepping` (its per-step arithmetic on floats),
:mod:`.records` (what it records, the energy ledger), :mod:`.tables` (binned tables per
species and solid), :mod:`.build` (chunks, workers, cache). The particle sources read the tables through
:func:`fipgen.production.sources.resolve.meson_source`; ``fipgen sources BEAMLINE`` builds
them ahead of use. The physics and its limits are described in docs/physics.md.
"""

__all__: list[str] = []
