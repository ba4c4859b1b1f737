"""Branching ratios of pseudoscalar mesons into a photon and a dark photon.

For a kinetically mixed dark photon of mass ``m`` (PHYSICS.md 3.1; DarkCast, Ilten,
Soreq, Williams, Xue, arXiv:1801.04847, eqs. 2.7-2.10 with the dark photon's quark
charges)::

    BR(P -> gamma A') = 2 eps^2 (1 - m^2/M_P^2)^3 BR(P -> gamma gamma),  P = pi0, eta

and 0 for ``m >= M_P``. ``BR(P -> gamma gamma)`` comes from the package data file
``generator/data/pdg_branching.toml`` (PDG 2024, cited there), read on first use.
"""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files

from .. import constants as C
from ..errors import PhysicsError

try:  # Python >= 3.11
    import tomllib
except ModuleNotFoundError:  # pragma: no cover - Python 3.10
    import tomli as tomllib

__all__ = ["br_to_gamma_darkphoton", "sm_branching_ratio", "SUPPORTED_MESONS"]

#: Mesons with a ``P -> gamma A'`` channel here: PDG code -> name.
SUPPORTED_MESONS = {C.PI0: "pi0", C.ETA: "eta"}


@lru_cache(maxsize=None)
def _table() -> dict:
    with files("generator").joinpath("data/pdg_branching.toml").open("rb") as fh:
        raw = tomllib.load(fh)
    if raw.get("schema_version") != 1:
        raise PhysicsError(f"pdg_branching.toml: unsupported schema_version {raw.get('schema_version')!r}; expected 1")
    out = {}
    for key, entry in raw.items():
        if not isinstance(entry, dict):
            continue
        pdg = int(key)
        out[pdg] = {}
        for channel, val in entry.items():
            if channel == "name":
                continue
            br = float(val["value"])
            if not 0.0 < br <= 1.0:
                raise PhysicsError(f"pdg_branching.toml: BR({key} -> {channel}) = {br} outside (0, 1]")
            out[pdg][channel] = br
    return out


def sm_branching_ratio(meson_pdg: int, channel: str = "gamma_gamma") -> float:
    """Measured branching fraction of ``meson_pdg`` into ``channel`` (PDG 2024 table)."""
    tab = _table()
    try:
        return tab[int(meson_pdg)][channel]
    except KeyError:
        raise PhysicsError(
            f"no branching fraction for pdg {meson_pdg} -> {channel}; known: "
            + ", ".join(f"{p}: {sorted(ch)}" for p, ch in tab.items())
        ) from None


def br_to_gamma_darkphoton(meson_pdg: int, mass: float, epsilon: float) -> float:
    """Branching ratio ``BR(P -> gamma A')`` of a pi0 or eta into a photon and a dark photon.

    Parameters
    ----------
    meson_pdg : int
        111 (pi0) or 221 (eta).
    mass : float
        Dark photon mass in GeV (>= 0).
    epsilon : float
        Kinetic mixing (dimensionless).

    Returns
    -------
    float
        ``2 eps^2 (1 - m^2/M^2)^3 BR(P -> gamma gamma)`` (PHYSICS.md 3.1; arXiv:1801.04847
        eqs. 2.7-2.10), 0 when ``mass >= M`` (``M`` the PDG meson mass).

    Raises
    ------
    PhysicsError
        For a meson other than 111 / 221 or a negative mass.
    """
    pdg = int(meson_pdg)
    if pdg not in SUPPORTED_MESONS:
        raise PhysicsError(f"P -> gamma A' is implemented for pdg 111 (pi0) and 221 (eta), not {meson_pdg}")
    if not mass >= 0.0:
        raise PhysicsError(f"dark photon mass must be >= 0 GeV, got {mass}")
    M = C.mass(pdg)
    if mass >= M:
        return 0.0
    x = 1.0 - (mass / M) ** 2
    # PHYSICS.md 3.1 / arXiv:1801.04847 eqs. 2.7-2.10 (dark photon charges)
    return 2.0 * epsilon**2 * x**3 * sm_branching_ratio(pdg, "gamma_gamma")
