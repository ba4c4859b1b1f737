"""Branching ratios of pseudoscalar mesons into a photon and a dark photon.

For a kinetically mixed dark photon of mass ``m`` (docs/physics.md#meson-decays-to-gamma-z; DarkCast, Ilten,
Soreq, Williams, Xue, arXiv:1801.04847, eqs. 2.7-2.10 with the dark photon's quark
charges)::

    BR(P -> gamma A') = 2 eps^2 (1 - m^2/M_P^2)^3 BR(P -> gamma gamma),  P = pi0, eta

and 0 for ``m >= M_P``. For a Z' of gauge coupling ``g`` and vector quark charges ``x_q``
(B-L, B, generic) the anomaly amplitude replaces one photon's ``e Q_q`` by ``g x_q``
(DarkCast, same equations)::

    BR(P -> gamma Z') = 2 (g/e)^2 A_P^2 (1 - m^2/M_P^2)^3 BR(P -> gamma gamma),
    A_P = tr(T_P Q X) / tr(T_P Q Q),   Q = diag(2/3, -1/3, -1/3),  X = diag(x_u, x_d, x_s)

with DarkCast's flavour matrices ``T_pi0 ~ diag(1, -1, 0)`` and ``T_eta ~ diag(1, 1, -1)``
(normalisations cancel in the ratio). The dark photon has ``X = Q``, ``g = eps e``: ``A = 1``.
Quark charges of B-L and B (1/3 each) give ``A_pi0 = 1`` and ``A_eta = 1/2``: BR = 2 (g/e)^2
and 0.5 (g/e)^2 times the phase space and BR(gamma gamma), the factors of docs/physics.md#meson-decays-to-gamma-z
(the public code of arXiv:2410.08981 uses 2 (g/e)^2 for the eta, 4x DarkCast: we follow
DarkCast). ``BR(P -> gamma gamma)`` comes from the package data file
``generator/data/pdg_branching.toml`` (PDG 2024, cited there), read on first use.
"""

from __future__ import annotations

import math
from functools import lru_cache
from importlib.resources import files

from ... import constants as C
from ...errors import PhysicsError

try:  # Python >= 3.11
    import tomllib
except ModuleNotFoundError:  # pragma: no cover - Python 3.10
    import tomli as tomllib

__all__ = ["br_to_gamma_darkphoton", "br_to_gamma_zprime", "br_omega_to_pi0_zprime", "omega_pi0_form_factor_sq",
           "OMEGA_LAMBDA_INV2", "anomaly_factor", "sm_branching_ratio", "SUPPORTED_MESONS"]

#: Mesons with a ``P -> gamma A'`` channel here: PDG code -> name.
SUPPORTED_MESONS = {C.PI0: "pi0", C.ETA: "eta"}


@lru_cache(maxsize=None)
def _table() -> dict:
    with files("fipgen").joinpath("data/pdg_branching.toml").open("rb") as fh:
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
        ``2 eps^2 (1 - m^2/M^2)^3 BR(P -> gamma gamma)`` (docs/physics.md#meson-decays-to-gamma-z; arXiv:1801.04847
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
    # docs/physics.md#meson-decays-to-gamma-z / arXiv:1801.04847 eqs. 2.7-2.10 (dark photon charges)
    return 2.0 * epsilon**2 * x**3 * sm_branching_ratio(pdg, "gamma_gamma")


#: DarkCast flavour matrices (diagonals over u, d, s) of the pseudoscalars (arXiv:1801.04847).
_T_DIAG = {C.PI0: (1.0, -1.0, 0.0), C.ETA: (1.0, 1.0, -1.0)}
_Q_QUARK = (2.0 / 3.0, -1.0 / 3.0, -1.0 / 3.0)


def anomaly_factor(meson_pdg: int, x_u: float, x_d: float, x_s: float) -> float:
    """``A_P = tr(T_P Q X) / tr(T_P Q Q)`` for vector quark charges ``x_u, x_d, x_s`` (module docstring)."""
    t = _T_DIAG[int(meson_pdg)]
    num = sum(ti * qi * xi for ti, qi, xi in zip(t, _Q_QUARK, (x_u, x_d, x_s)))
    den = sum(ti * qi * qi for ti, qi in zip(t, _Q_QUARK))
    return num / den


def br_to_gamma_zprime(meson_pdg: int, model) -> float:
    """``BR(P -> gamma Z')`` of a pi0 or eta for any :class:`~fipgen.models.zprime.ZPrime` kind.

    ``2 (g/e)^2 A_P^2 (1 - m^2/M^2)^3 BR(P -> gamma gamma)`` (module docstring; arXiv:1801.04847
    eqs. 2.7-2.10); equals :func:`br_to_gamma_darkphoton` for the dark photon.
    """
    pdg = int(meson_pdg)
    if pdg not in SUPPORTED_MESONS:
        raise PhysicsError(f"P -> gamma Z' is implemented for pdg 111 (pi0) and 221 (eta), not {meson_pdg}")
    M = C.mass(pdg)
    if model.mass >= M:
        return 0.0
    e = (4.0 * math.pi * C.ALPHA_EM) ** 0.5
    a = anomaly_factor(pdg, model.charge_of("u"), model.charge_of("d"), model.charge_of("s"))
    x = 1.0 - (model.mass / M) ** 2
    return 2.0 * (model.g / e) ** 2 * a * a * x**3 * sm_branching_ratio(pdg, "gamma_gamma")


#: omega -> pi0 gamma* transition form factor slope Lambda^-2 (GeV^-2): NA60, Arnaldi et al.,
#: Phys. Lett. B757 (2016) 437, arXiv:1608.07898: 2.223 +- 0.026 (stat) +- 0.037 (syst), in the
#: pole form |F(m^2)|^2 = (1 - m^2 Lambda^-2)^-2 (vector dominance would give 1/m_rho^2 = 1.69).
OMEGA_LAMBDA_INV2 = 2.223


def omega_pi0_form_factor_sq(m: float) -> float:
    """``|F_omega-pi0(m^2)|^2 = (1 - m^2 Lambda^-2)^-2`` with :data:`OMEGA_LAMBDA_INV2` (NA60 pole fit)."""
    return 1.0 / (1.0 - m * m * OMEGA_LAMBDA_INV2) ** 2


def br_omega_to_pi0_zprime(model) -> float:
    """``BR(omega -> pi0 Z')`` for a :class:`~fipgen.models.zprime.ZPrime` of mass ``m`` (GeV).

    A vector -> pseudoscalar + vector decay through the ``eps^{mu nu rho sigma}`` coupling has
    ``Gamma ~ |F(q^2)|^2 p*^3`` for a real or massive photon alike, so, relative to
    ``omega -> pi0 gamma`` (PDG 2024: 8.33 %; DarkCast's omega -> pi0 X production, arXiv:1801.04847)::

        BR = (g/e)^2 A_omega^2 |F(m^2)|^2 [lambda(M^2, m_pi^2, m^2) / (M^2 - m_pi^2)^2]^(3/2) BR(pi0 gamma)

    with ``lambda`` the Kallen function and ``A_omega = (x_u - x_d)/(Q_u - Q_d)``: the omega-pi0
    transition is isovector (G parity), so only the isovector part of the Z' charges enters
    (dark photon: A = 1; B-L and B: A = 0, the channel is absent). The transition form factor
    is the measured omega -> pi0 gamma* one (:func:`omega_pi0_form_factor_sq`; NA60 measured it
    for ``m < M - m_pi``, the whole range open here). 0 for ``m >= M_omega - m_pi0``.
    """
    M, mp, m = C.mass(223), C.mass(C.PI0), float(model.mass)
    if m >= M - mp:
        return 0.0
    e = (4.0 * math.pi * C.ALPHA_EM) ** 0.5
    a = (model.charge_of("u") - model.charge_of("d")) / (2.0 / 3.0 + 1.0 / 3.0)
    lam = (M * M - (mp + m) ** 2) * (M * M - (mp - m) ** 2)
    ps = (lam / (M * M - mp * mp) ** 2) ** 1.5
    return (model.g / e) ** 2 * a * a * omega_pi0_form_factor_sq(m) * ps * sm_branching_ratio(223, "pi0_gamma")
