"""Production channels, one module per mechanism (meson decays, meson mixing,
bremsstrahlung, showers, HNLs, X -> N N) and their registry builders.

Channels use :mod:`fipgen.production.sources`, :mod:`fipgen.production.transport` and the
generic aiming of :mod:`fipgen.production.aiming`; nothing below channels imports them.
"""

__all__: list[str] = []
