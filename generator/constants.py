"""Physical constants, PDG identifiers and SM particle properties.

Masses, widths and lifetimes come from the ``particle`` package (PDG data), read once on
first use and cached as plain floats (GeV); kernels receive floats, never Particle objects.
The values of its non-nuclear codes are read from a snapshot of that package's table made
with the installed version (``scripts/pdg_snapshot.py``), which spares loading the whole
table at start-up; other codes, or another version of the package, use the package itself.

Units inside fipgen: GeV, metres, nanoseconds.
"""

from __future__ import annotations

from functools import lru_cache

__all__ = [
    "ALPHA_EM", "HBARC_GEV_M", "C_M_PER_NS", "G_FERMI", "PDG_ZPRIME", "PDG_ALP", "PDG_HNL", "mass", "mass_or_none",
    "width", "charge", "name", "PHOTON", "pdg_values",
]

#: Fine-structure constant at q^2 = 0 (CODATA 2018).
ALPHA_EM = 7.2973525693e-3
#: hbar * c in GeV * m (CODATA 2018): c*tau [m] = HBARC_GEV_M / Gamma [GeV].
HBARC_GEV_M = 1.973269804e-16
#: Speed of light in m/ns.
C_M_PER_NS = 0.299792458
#: Fermi constant in GeV^-2 (PDG).
G_FERMI = 1.1663788e-5

# BSM Monte Carlo codes used by fipgen in every output (documented in the README).
#: Z' / dark photon: 32 is the PDG Monte Carlo code of the Z'0.
PDG_ZPRIME = 32
#: ALP: 9000005, as in the ALP_UFO model used with MadGraph.
PDG_ALP = 9000005
#: Heavy neutral lepton: 9900012 (heavy Majorana neutrino code of Pythia 8).
PDG_HNL = 9900012


def nuclear_pdg(Z: int, A: int) -> int:
    """PDG code ``10LZZZAAAI`` of a nucleus (L = I = 0); the proton for Z = A = 1."""
    if Z == 1 and A == 1:
        return 2212
    return 1000000000 + int(Z) * 10000 + int(A) * 10


#: Largest POT a run may have (``experiment.pot``, a detector file's ``exposure_pot``): far above
#: any beam dump's lifetime exposure (~1e22), and low enough that weights and their squares
#: stay well inside double precision.
MAX_POT = 1e30

#: Largest number of trials a run may ask for (``run.events``, ``--events``): 1e12 trials are
#: weeks of generation on a large cluster; the planning of blocks is lazy whatever the count.
MAX_TRIALS = 10**12

#: Relative MC error a scan wants near its contour by default (``fipgen scan --precision``: the
#: median over the grid points with 0.5-2x the threshold events). On the DUNE dark-photon meson
#: scan it gives a median relative error of 2.5 % over the points above the limit, and a
#: seed-to-seed spread of 2.5 % (FORESEE's: 2.9 %; docs/design.md#performance).
DEFAULT_SCAN_PRECISION = 0.015


@lru_cache(maxsize=None)
def _particle(pdgid: int):
    from particle import Particle

    return Particle.from_pdgid(pdgid)


#: The ``particle`` package's values for its non-nuclear codes, written by
#: ``scripts/pdg_snapshot.py`` with that package's version (tests/test_pdg_snapshot.py).
_SNAPSHOT = "data/pdg_snapshot.json"


@lru_cache(maxsize=1)
def _snapshot() -> dict:
    """``{pdgid: (mass GeV, width GeV, charge, name)}`` from :data:`_SNAPSHOT` when it was made
    with the installed ``particle`` (reading it: ~2 ms; loading particle's table: 0.15-0.2 s),
    else ``{}`` (every value then comes from the package itself)."""
    import json
    from importlib.metadata import PackageNotFoundError, version
    from importlib.resources import files

    try:
        data = json.loads(files("fipgen").joinpath(_SNAPSHOT).read_text(encoding="utf-8"))
        if data.get("particle_version") != version("particle"):
            return {}
    except (OSError, ValueError, PackageNotFoundError):
        return {}
    return {int(k): tuple(v) for k, v in data["particles"].items()}


def pdg_values(pdgid: int) -> tuple | None:
    """``(mass GeV, width GeV, charge e, name)`` of ``pdgid`` from the snapshot of the
    installed ``particle`` (entries None where the PDG gives none), or None when the snapshot
    does not hold it (then :func:`_particle`)."""
    return _snapshot().get(int(pdgid))


@lru_cache(maxsize=None)
def mass(pdgid: int) -> float:
    """PDG mass in GeV of the SM particle ``pdgid``."""
    v = pdg_values(pdgid)
    m = v[0] if v is not None else _particle(pdgid).mass
    if m is None:
        raise ValueError(f"no PDG mass for pdgid {pdgid}")
    return float(m) if v is not None else float(m) * 1e-3


def mass_or_none(pdgid: int) -> float | None:
    """PDG mass in GeV of ``pdgid``, or None for a code the PDG table does not know or gives no
    mass (fipgen's BSM codes: writers take those masses from the four-momenta)."""
    v = pdg_values(pdgid)
    if v is not None:
        return None if v[0] is None else float(v[0])
    from particle.particle.particle import InvalidParticle, ParticleNotFound

    try:
        return mass(pdgid)
    except (ParticleNotFound, InvalidParticle, ValueError):
        return None


@lru_cache(maxsize=None)
def width(pdgid: int) -> float:
    """PDG total width in GeV of ``pdgid`` (0 for stable particles)."""
    v = pdg_values(pdgid)
    if v is not None:
        return 0.0 if v[1] is None else float(v[1])
    p = _particle(pdgid)
    return 0.0 if p.width is None else float(p.width) * 1e-3


@lru_cache(maxsize=None)
def charge(pdgid: int) -> float:
    """Electric charge of ``pdgid`` in units of e."""
    v = pdg_values(pdgid)
    if v is not None and v[2] is not None:
        return float(v[2])
    return float(_particle(pdgid).charge)


def name(pdgid: int) -> str:
    """Short PDG name of ``pdgid``."""
    v = pdg_values(pdgid)
    return str(v[3]) if v is not None else str(_particle(pdgid).name)


# PDG codes of the SM particles fipgen uses by name.
ELECTRON, MUON, TAU = 11, 13, 15
PHOTON = 22
PROTON, NEUTRON = 2212, 2112
PI0, PI_PLUS, ETA, ETA_PRIME, OMEGA, RHO0 = 111, 211, 221, 331, 223, 113
K_PLUS, K0L = 321, 130
