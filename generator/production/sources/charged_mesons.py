"""Charged-meson (pi+, pi-, K+) and K0L sources of the BNB target (8.89 GeV/c p on Be).

Each source is a :class:`~fipgen.production.sources.meson_spectra.MesonSource` in the beam
frame (z along the protons), normalised per proton on target (POT), with a provenance
string. Tables are built on first use (about 0.1 s each) and cached.

Models (parameters in docs/beamlines.md#meson-production-parameterisations)
-------------------------------------------------------------------------
* **pi+, pi-, K0L**: the Sanford-Wang fits of the MiniBooNE flux paper (A. A.
  Aguilar-Arevalo et al., PRD 79, 072002 (2009), arXiv:0806.1449), the same numbers as the
  G4BNB production card (SBNSoftware/G4BNB ``input/production.in``):
  :data:`~fipgen.production.sources.meson_spectra.SW_PI_PLUS`, ``SW_PI_MINUS`` (the set the
  card attributes to the paper's Table VI; the card keeps, commented out, another pi- set
  ``237.2 0.8986 4.521 1.154 1.105 4.224 0.06613 9.961`` that "reproduces the multiplicity
  table in MB flux paper (Table X)"), ``SW_K0L``. Range ``0 <= p <= p_B - c9`` (7.89 GeV/c
  for pions, 7.612 GeV/c for K0L) and ``0 <= theta <= pi/2`` (the form's domain, as for
  the pi0 source of :mod:`.meson_spectra`).
* **K+**: the Feynman-scaling fit of C. Mariani et al., PRD 84, 114021 (2011), used by
  MiniBooNE/G4BNB (card ``FSKaonPlusPar 11.70 0.88 4.77 1.51 2.21 2.17 1.51 0.0``)::

      d2sigma/dp dOmega = (p^2/E) c1 (1 - |x_F|)^c8
                          exp[-c3 |x_F|^c4 - c7 |p_T x_F|^c6 - c2 p_T - c5 p_T^2]

  with ``x_F = p_L* / p*_max``: ``p_L*`` the K+ longitudinal momentum in the
  nucleon-nucleon centre of mass (target nucleon at rest with the proton mass,
  ``sqrt(s) = sqrt(2 m_p^2 + 2 m_p E_beam)``, boost ``gamma = (E_beam + m_p)/sqrt(s)``)
  and ``p*_max`` the largest K+ centre-of-mass momentum, reached with a recoiling
  ``Lambda p`` system of mass 2.053 GeV (sbncode ``PHFSWeightCalc``, comment "K+: lambda
  + proton"; its note records that the fit used ``E_cm = sqrt(2 m_p^2 + 2 m_p E_b)``).
  ``c8 = 0``: the ``(1 - |x_F|)`` factor is absent (as in sbncode, which uses c1..c7
  only); the density is 0 for ``|x_F| >= 1``. Range: ``0 <= p <=`` the lab momentum at
  ``x_F = 1, theta = 0`` (7.2045 GeV/c) and ``0 <= theta <= pi`` (the form is defined
  backwards too; 0.3 % of the integral lies beyond pi/2).
* **K-**: no fit exists at the BNB. MiniBooNE/G4BNB take K- from MARS tables (card
  ``kaonMinusModel MARS``); those tables are not public here, so no K- source is given:
  :func:`bnb_charged_source` raises for ``pdg = -321``.

Units
-----
``d2sigma/dp dOmega`` in mb/(GeV/c sr) (arXiv:0806.1449 quotes its fits in these units;
G4BNB multiplies the Sanford-Wang form by the Jacobian ``2 pi p_T / p^2`` to get
``d2sigma/dp_z dp_T`` in mb/(GeV/c)^2, confirming them; the tests integrate both ways).
Momenta GeV/c, angles rad.

Normalisation per POT (first-interaction estimate, as the pi0 estimate of
:func:`~fipgen.production.sources.meson_spectra.sanford_wang_pi0_per_pot`)
----------------------------------------------------------------------------------------
``N/POT = sigma_meson / sigma_inel x f`` with ``sigma_meson`` the integral of the
density over the tabulated range, ``sigma_inel(p Be, 8.89 GeV/c) = 212.28 mb`` (the
paper's Regge fit) and ``f = 0.8137`` the fraction of protons that interact in the 71.12 cm
beryllium target (:func:`bnb_interacting_fraction`, from the beamline's geometry and spot, as
the vertex sampler draws them). Only the protons' first interactions are
counted: tertiary production (re-interacting secondaries in 1.86 interaction lengths of
Be) and the protons' quasi-elastic re-scattering are not, so these are lower bounds of
the true per-POT multiplicities. A variant worth carrying as a systematic: G4BNB divides
the production cross sections by ``sigma_inel - sigma_QE = 177.6 mb`` (its
``GetpBeInelasticCrossSection``); attenuating the beam with that cross section instead
gives 1.117 times the numbers here. Results (``python -m fipgen.production.sources.charged_mesons``):

    ========  =========  ===================  ========
    meson      sigma/mb  per p-Be interaction  per POT
    ========  =========  ===================  ========
    pi+        158.92          0.7486           0.6092
    pi-        144.44          0.6804           0.5537
    K+          12.774         0.06017          0.04897
    K0L          4.4932        0.02117          0.01722
    ========  =========  ===================  ========

The paper's own multiplicity table (its Table X, according to the G4BNB card comment)
could not be retrieved here; see ``tests/test_charged_mesons.py`` for what is checked
instead.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import NamedTuple

import numpy as np

from ... import constants as C
from ...errors import PhysicsError
from .meson_spectra import (
    BNB_P_BEAM,
    BNB_THETA_MAX,
    SW_K0L,
    SW_PI_MINUS,
    SW_PI_PLUS,
    MesonSource,
    SanfordWangParams,
    bnb_interacting_fraction,
    pbe_inelastic_cross_section,
    sanford_wang,
    tabulate_source,
)

__all__ = [
    "FeynmanScalingParams",
    "FS_K_PLUS",
    "K_PLUS_RECOIL_MASS",
    "BNB_CHARGED_PDGS",
    "feynman_x",
    "kplus_feynman_scaling",
    "kplus_p_max",
    "bnb_density",
    "bnb_interacting_fraction",
    "bnb_production_cross_section",
    "bnb_charged_source",
]


class FeynmanScalingParams(NamedTuple):
    """``c1..c8`` of the Feynman-scaling form (c1 in mb/GeV^2: invariant cross section)."""

    c1: float
    c2: float
    c3: float
    c4: float
    c5: float
    c6: float
    c7: float
    c8: float


#: K+ Feynman-scaling parameters (Mariani et al., PRD 84 114021; G4BNB FSKaonPlusPar).
FS_K_PLUS = FeynmanScalingParams(11.70, 0.88, 4.77, 1.51, 2.21, 2.17, 1.51, 0.0)
#: Mass (GeV) of the lightest system recoiling against a K+ (Lambda p), which sets
#: ``p*_max`` in ``x_F`` (sbncode PHFSWeightCalc, "MaxThreshold = 2.053").
K_PLUS_RECOIL_MASS = 2.053
#: Proton (and target-nucleon) mass used in the kinematics of x_F, GeV (PDG).
_M_P = 0.93827208816
#: Species with a BNB source here.
BNB_CHARGED_PDGS = (C.PI_PLUS, -C.PI_PLUS, C.K_PLUS, C.K0L)
_SW = {C.PI_PLUS: SW_PI_PLUS, -C.PI_PLUS: SW_PI_MINUS, C.K0L: SW_K0L}
_N_P, _N_THETA = 200, 200


def _cm_kinematics(p_beam: float, recoil_mass: float, m: float) -> tuple[float, float, float]:
    """``(gamma, gamma beta, p*_max)`` of the nucleon-nucleon centre of mass."""
    e_beam = math.hypot(p_beam, _M_P)
    rs = math.sqrt(2.0 * _M_P * _M_P + 2.0 * _M_P * e_beam)
    e_max = (rs * rs + m * m - recoil_mass * recoil_mass) / (2.0 * rs)
    if not e_max > m:
        raise PhysicsError(f"Feynman scaling: no phase space for mass {m} GeV at p_beam = {p_beam} GeV/c")
    return (e_beam + _M_P) / rs, p_beam / rs, math.sqrt(e_max * e_max - m * m)


def feynman_x(p, theta, m: float, p_beam: float = BNB_P_BEAM, recoil_mass: float = K_PLUS_RECOIL_MASS):
    """``(x_F, p_T)`` of a meson of mass ``m`` at lab momentum ``p`` and angle ``theta``.

    ``x_F = p_L* / p*_max`` in the nucleon-nucleon centre of mass (module docstring).
    """
    g, gb, pmax = _cm_kinematics(p_beam, recoil_mass, m)
    p = np.asarray(p, dtype=np.float64)
    th = np.asarray(theta, dtype=np.float64)
    e = np.sqrt(p * p + m * m)
    pl_star = g * p * np.cos(th) - gb * e
    return pl_star / pmax, p * np.sin(th)


def kplus_p_max(p_beam: float = BNB_P_BEAM) -> float:
    """Largest K+ lab momentum of the Feynman-scaling form (``x_F = 1`` at ``theta = 0``), GeV/c."""
    m = C.mass(C.K_PLUS)
    g, gb, pmax = _cm_kinematics(p_beam, K_PLUS_RECOIL_MASS, m)
    return g * pmax + gb * math.sqrt(pmax * pmax + m * m)


def kplus_feynman_scaling(p, theta, params: FeynmanScalingParams = FS_K_PLUS, p_beam: float = BNB_P_BEAM):
    """K+ ``d2sigma/dp dOmega`` (mb/(GeV/c sr)) of the Feynman-scaling fit (module docstring).

    Zero for ``|x_F| >= 1``, ``p < 0`` or ``theta`` outside ``[0, pi]``. A float for scalar input.
    """
    c1, c2, c3, c4, c5, c6, c7, c8 = (float(c) for c in params)
    m = C.mass(C.K_PLUS)
    p = np.asarray(p, dtype=np.float64)
    th = np.asarray(theta, dtype=np.float64)
    xf, pt = feynman_x(p, th, m, p_beam)
    ax = np.abs(xf)
    ok = (ax < 1.0) & (p >= 0.0) & (th >= 0.0) & (th <= math.pi)
    axs = np.where(ok, ax, 0.5)
    pts = np.where(ok, pt, 0.0)
    ps = np.where(ok, p, 0.0)
    val = (
        ps * ps / np.sqrt(ps * ps + m * m)
        * c1
        * (1.0 - axs) ** c8
        * np.exp(-c3 * axs**c4 - c7 * np.abs(pts * axs) ** c6 - c2 * pts - c5 * pts * pts)
    )
    out = np.where(ok, val, 0.0)
    return out if out.ndim else float(out)


def _check(pdg: int) -> int:
    pdg = int(pdg)
    if pdg == -C.K_PLUS:
        raise PhysicsError(
            "no BNB K- source: no parametrised fit of K- production in 8.89 GeV/c p-Be exists "
            "(MiniBooNE/G4BNB use MARS tables for K-, arXiv:0806.1449); give a K- parent list instead"
        )
    if pdg not in BNB_CHARGED_PDGS:
        raise PhysicsError(f"BNB charged-meson sources exist for pdg {BNB_CHARGED_PDGS}, not {pdg}")
    return pdg


def bnb_density(pdg: int):
    """The production model of ``pdg`` as a function ``(p, theta) -> d2sigma/dp dOmega`` (mb/(GeV/c sr))."""
    pdg = _check(pdg)
    if pdg == C.K_PLUS:
        return kplus_feynman_scaling
    params: SanfordWangParams = _SW[pdg]
    return lambda p, theta: sanford_wang(p, theta, params, BNB_P_BEAM)


def _range(pdg: int) -> tuple[float, float]:
    """``(p_max, theta_max)`` of the tabulated range."""
    if pdg == C.K_PLUS:
        return kplus_p_max(), math.pi
    return BNB_P_BEAM - _SW[pdg].c9, BNB_THETA_MAX


@lru_cache(maxsize=None)
def _table(pdg: int) -> tuple[MesonSource, float]:
    p_max, th_max = _range(pdg)
    density = bnb_density(pdg)
    src, total = tabulate_source(pdg, density, p_max, th_max, 1.0, "", _N_P, _N_THETA)
    s_in = pbe_inelastic_cross_section(BNB_P_BEAM)
    frac = bnb_interacting_fraction()
    per_pot = total / s_in * frac
    if pdg == C.K_PLUS:
        model = (
            "Feynman-scaling fit of Mariani et al., PRD 84 114021 (2011) (c = 11.70, 0.88, 4.77, 1.51, "
            "2.21, 2.17, 1.51, 0.0; G4BNB FSKaonPlusPar), x_F = p_L*/p*_max with a 2.053 GeV Lambda-p "
            "recoil (sbncode PHFSWeightCalc)"
        )
    else:
        c = ", ".join(f"{x:.6g}" for x in _SW[pdg])
        model = f"Sanford-Wang fit of the MiniBooNE flux paper arXiv:0806.1449 (c1..c9 = {c}; G4BNB production.in)"
    prov = (
        f"fipgen BNB {C.name(pdg)} source: {model}; p_B = {BNB_P_BEAM} GeV/c p on Be; "
        f"0 <= p <= {p_max:.4f} GeV/c, 0 <= theta <= {th_max:.4f} rad, {_N_P} x {_N_THETA} bins "
        f"(theta edges quadratic); sigma = {total:.5g} mb over that range; per POT = sigma / sigma_inel "
        f"x f = {total:.5g} / {s_in:.5g} mb x {frac:.4f} = {per_pot:.5g} (first interactions only, "
        "no tertiary production: arXiv:0806.1449 Regge sigma_inel(p Be), f = 1 - exp(-n sigma_inel L) "
        "for the 71.12 cm Be target). Beam frame, z along the protons; no horn focusing."
    )
    src = MesonSource(src.pdg, per_pot, src.p_edges, src.theta_edges, src.cdf, prov)
    return src, total


def bnb_production_cross_section(pdg: int) -> float:
    """Integral (mb) of the production model of ``pdg`` over the tabulated ``(p, theta)`` range."""
    return _table(_check(pdg))[1]


def bnb_charged_source(pdg: int) -> MesonSource:
    """BNB Be-target source of pi+ (211), pi- (-211), K+ (321) or K0L (130), per POT (cached).

    Raises
    ------
    PhysicsError
        For K- (-321: no fit exists at the BNB) and any other code.
    """
    return _table(_check(pdg))[0]


def _main() -> None:  # pragma: no cover - report helper
    s_in = pbe_inelastic_cross_section(BNB_P_BEAM)
    print(f"sigma_inel(p Be, {BNB_P_BEAM} GeV/c) = {s_in:.4f} mb, interacting fraction {bnb_interacting_fraction():.5f}")
    for pdg in BNB_CHARGED_PDGS:
        src = bnb_charged_source(pdg)
        sig = bnb_production_cross_section(pdg)
        print(f"{C.name(pdg):>4}: sigma {sig:9.4f} mb  per interaction {sig / s_in:.5f}  per POT {src.per_pot:.5f}")


if __name__ == "__main__":  # pragma: no cover
    _main()
