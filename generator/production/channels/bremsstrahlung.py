"""Z' production by bremsstrahlung of the primary proton, ``p A -> p A Z'``: the physics.

Two treatments of the differential rate per inelastic proton interaction,

    d2N/dz dpT2 = [sigma_pp(s') / sigma_pp(s)] (g^2 / 4 pi) |F(m^2)|^2 w(z, pT2),

with ``z = p_Z',z / p_beam`` (the Z' momentum along the beam over the beam momentum), ``pT``
its transverse momentum, ``H = pT^2 + (1 - z) m^2 + z^2 m_p^2`` and ``w`` the splitting
function of the treatment:

* ``"blumlein-brunner"`` (the default): the modified Fermi-Weizsacker-Williams splitting
  function of J. Blumlein, J. Brunner, Phys. Lett. B 731 (2014) 320, arXiv:1311.3870
  (docs/physics.md#proton-bremsstrahlung): :func:`splitting_bb`.
* ``"quasi-real"``: the quasi-real approximation of S. Foroughi-Abari, A. Ritz,
  Phys. Rev. D 105 (2022) 095045, arXiv:2108.05900, with the off-shell proton form factor
  ``F_pp*(p'^2) = Lambda_p^4 / (Lambda_p^4 + (p'^2 - m_p^2)^2)``, ``p'^2 - m_p^2 = -H/z``
  (``Lambda_p`` = 1.5 GeV central, 1 and 2 GeV for the band): :func:`splitting_qr`.

Why Blumlein-Brunner is the default: the quasi-real splitting function keeps the
``H/(2 z m^2)`` term of the longitudinal polarisation, which the off-shell proton current does
not cancel; it makes the quasi-real yield grow as ``1/m^2``: 6x Blumlein-Brunner at 0.1 GeV,
650x at 10 MeV (5 Z' per POT per eps^2 at 120 GeV, as many as pi0 -> gamma A' gives), where a
vector coupled to the conserved electromagnetic current must decouple its longitudinal mode.
The authors revisit the splitting functions in arXiv:2409.09123. Between ~0.3 and 2 GeV the two
treatments differ by the form-factor suppression (factors 1.4-30, growing with mass), the
theory band this module carries. arXiv:2410.08981 uses the quasi-real treatment: its
reproduction cards set ``treatment = "quasi-real"``.

The coupling: a Z' coupling ``g x_q`` to quarks couples to the proton through the
vector-meson-dominance form factor :func:`nucleon_form_factor`, ``F(m) = c_rho F_rho(m) +
c_omega F_omega(m)`` with DarkCast's family coefficients ``c_rho = x_u - x_d``,
``c_omega = 3 (x_u + x_d)`` (fipgen.models.zprime.family_coefficients) and the Faessler et
al. families normalised to ``F_rho(0) = F_omega(0) = 1/2`` (data file
``generator/data/nucleon_vmd_ff.toml``): ``F(0) = 2 x_u + x_d``, the proton's charge. The
dark photon (``g = eps e``, ``x = Q``) gets the proton's ``F1`` (both families, ``g^2/4 pi =
eps^2 alpha``), B and B-L (``x_q = 1/3``) the isoscalar ``2 F_omega``; generic charges combine
the two.

Normalisation ``sigma_pp(s')/sigma_pp(s)``: the proton that radiated carries ``E_p - E_Z'``
into the hard collision; :func:`sigma_pp` is the PDG-style fit of docs/physics.md#proton-bremsstrahlung (mb,
``s`` in GeV^2), ``s = 2 m_p E_p`` and ``s' = 2 m_p (E_p - E_Z')`` (fixed-target, target
proton at rest). Only the primary proton's first inelastic interaction radiates: the yield
per POT is the per-interaction rate times the fraction of protons interacting
(fipgen.production.sources.vertex.interacting_fraction).

Units: GeV, GeV^2, mb.
"""

from __future__ import annotations

import math
from functools import lru_cache
from importlib import resources

import numba
import numpy as np

from ..._jit import JIT_OPTIONS
from ...constants import ALPHA_EM  # noqa: F401 - read as bremsstrahlung.ALPHA_EM (tests)
from ...constants import mass as pdg_mass
from ...errors import PhysicsError

try:
    import tomllib
except ModuleNotFoundError:  # pragma: no cover - Python < 3.11
    import tomli as tomllib

__all__ = [
    "TREATMENTS", "DEFAULT_TREATMENT", "DEFAULT_LAMBDA_P", "DEFAULT_Z_RANGE", "DEFAULT_PT_MAX",
    "sigma_pp", "nucleon_form_factor", "family_form_factors", "splitting_bb", "splitting_qr",
    "offshell_form_factor", "LAMBDA_P_BAND", "M_P",
]

M_P = pdg_mass(2212)

#: Treatments (run-card ``signal.bremsstrahlung.treatment``).
TREATMENTS = ("quasi-real", "blumlein-brunner")
DEFAULT_TREATMENT = "blumlein-brunner"
#: Off-shell proton form-factor scale of the quasi-real treatment (GeV): central, and the band.
DEFAULT_LAMBDA_P = 1.5
LAMBDA_P_BAND = (1.0, 2.0)
#: Validity range of the splitting functions (arXiv:1311.3870: z in [0.1, 0.9], p_T <~ 1 GeV).
DEFAULT_Z_RANGE = (0.1, 0.9)
DEFAULT_PT_MAX = 1.0

# sigma_pp(s) fit of docs/physics.md#proton-bremsstrahlung (mb, s in GeV^2)
_SPP = (35.45, 0.308, 28.94, 42.53, 0.458, 33.34, 0.545)


def sigma_pp(s):
    """p-p cross section (mb) at ``s`` (GeV^2): ``35.45 + 0.308 ln^2(s/28.94) + 42.53 s^-0.458
    - 33.34 s^-0.545`` (docs/physics.md#proton-bremsstrahlung)."""
    a, b, s0, c, nc, d, nd = _SPP
    s = np.asarray(s, dtype=np.float64)
    out = a + b * np.log(s / s0) ** 2 + c * s**-nc - d * s**-nd
    return out if out.ndim else float(out)


@numba.njit(**JIT_OPTIONS)
def _sigma_pp_nb(s):  # pragma: no cover - compiled
    lg = math.log(s / 28.94)
    return 35.45 + 0.308 * lg * lg + 42.53 * s**-0.458 - 33.34 * s**-0.545


@lru_cache(maxsize=1)
def _vmd_table() -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    with resources.files("fipgen").joinpath("data/nucleon_vmd_ff.toml").open("rb") as fh:
        raw = tomllib.load(fh)
    if raw.get("schema_version") != 1:
        raise PhysicsError(f"nucleon_vmd_ff.toml: unsupported schema_version {raw.get('schema_version')!r}")
    out = {}
    for fam in ("rho", "omega"):
        f = np.array(raw[fam]["f"], dtype=np.float64)
        m = np.array(raw[fam]["mass"], dtype=np.float64)
        w = np.array(raw[fam]["width"], dtype=np.float64)
        if not (f.shape == m.shape == w.shape) or f.size == 0:
            raise PhysicsError(f"nucleon_vmd_ff.toml: [{fam}] needs equal-length f, mass, width lists")
        s0 = np.sum(f / (1.0 - 1j * w / m))  # the family sum at q^2 = 0 (complex: constant widths)
        out[fam] = (f, m, w, 0.5 / s0)
    return out


def family_form_factors(m):
    """``(F_rho(m), F_omega(m))``: the complex VMD family sums at ``q^2 = m^2`` (GeV),
    ``F_V(q^2) = N_V sum_i f_i m_i^2 / (m_i^2 - q^2 - i m_i Gamma_i)`` with ``N_V`` making
    ``F_V(0) = 1/2`` exactly (module docstring)."""
    m = np.asarray(m, dtype=np.float64)
    q2 = m * m
    res = []
    for fam in ("rho", "omega"):
        f, mv, gv, norm = _vmd_table()[fam]
        res.append(norm * np.sum(f * mv**2 / (mv**2 - q2[..., None] - 1j * mv * gv), axis=-1))
    return res[0], res[1]


def nucleon_form_factor(m, c_rho: float, c_omega: float):
    """``|F(m)|`` of the proton for a Z' with family coefficients ``c_rho``, ``c_omega``
    (``F = c_rho F_rho + c_omega F_omega``, ``F(0) = (c_rho + c_omega)/2``)."""
    fr, fo = family_form_factors(m)
    out = np.abs(c_rho * fr + c_omega * fo)
    return out if out.ndim else float(out)


@numba.njit(**JIT_OPTIONS)
def splitting_bb(z, pt2, m, mp):  # pragma: no cover - compiled
    """Blumlein-Brunner splitting function without its coupling, ``w / (g^2/4 pi)`` (GeV^-2).

    arXiv:1311.3870 (docs/physics.md#proton-bremsstrahlung)::

        w = 1/(2 pi H) { (1 + (1-z)^2)/z - 2 z (1-z) [(2 m_p^2 + m^2)/H - 2 z^2 m_p^4/H^2]
                         + 2 z (1-z) (1 + (1-z)^2) m_p^2 m^2 / H^2 + 2 z (1-z)^2 m^4 / H^2 }
    """
    mp2 = mp * mp
    m2 = m * m
    H = pt2 + (1.0 - z) * m2 + z * z * mp2
    y = 1.0 - z
    t = (1.0 + y * y) / z
    t -= 2.0 * z * y * ((2.0 * mp2 + m2) / H - 2.0 * z * z * mp2 * mp2 / (H * H))
    t += 2.0 * z * y * (1.0 + y * y) * mp2 * m2 / (H * H)
    t += 2.0 * z * y * y * m2 * m2 / (H * H)
    return t / (2.0 * math.pi * H)


@numba.njit(**JIT_OPTIONS)
def offshell_form_factor(z, pt2, m, mp, lam):  # pragma: no cover - compiled
    """``F_pp*(p'^2) = Lambda^4 / (Lambda^4 + (p'^2 - m_p^2)^2)``, ``p'^2 - m_p^2 = -H/z``
    (arXiv:2108.05900; the off-shell intermediate proton)."""
    H = pt2 + (1.0 - z) * m * m + z * z * mp * mp
    v = H / z
    l4 = lam**4
    return l4 / (l4 + v * v)


@numba.njit(**JIT_OPTIONS)
def splitting_qr(z, pt2, m, mp, lam):  # pragma: no cover - compiled
    """Quasi-real splitting function without its coupling, ``w / (g^2/4 pi)`` (GeV^-2).

    arXiv:2108.05900 (Foroughi-Abari, Ritz; the vector case)::

        w = 1/(2 pi H) [ z - z (1-z) (2 m_p^2 + m^2)/H + H/(2 z m^2) ] |F_pp*(p'^2)|^2

    The last term is the ``k_mu k_nu / m^2`` part of the massive polarisation sum, which the
    off-shell proton current does not cancel: it grows as ``1/m^2`` (at m = 0.1 GeV the
    quasi-real rate is ~6x Blumlein-Brunner's; arXiv:2409.09123 revisits this). The equation
    numbers of the paper could not be read here; the formula is the one the two public
    implementations of this treatment write (the arXiv:2410.08981 code's `proton_brem.py`,
    with 2 m_p^2; and a second, independent one), re-derived from the ``p -> p V`` vertex with
    the off-shell proton: the same bracket.
    """
    mp2 = mp * mp
    m2 = m * m
    H = pt2 + (1.0 - z) * m2 + z * z * mp2
    br = z - z * (1.0 - z) * (2.0 * mp2 + m2) / H + H / (2.0 * z * m2)
    F = offshell_form_factor(z, pt2, m, mp, lam)
    return br * F * F / (2.0 * math.pi * H)
