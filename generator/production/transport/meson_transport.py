"""Charged mesons (and K0L) from the target to their decay: in flight or at rest.

:func:`sample_parent_decays` turns a :class:`~fipgen.production.sources.meson_spectra.MesonSource`
into :class:`~fipgen.production.parents.ParentDecays` on a beamline read from
``geometries/*.toml``: where, when and with which four-momentum each meson decays, and
how many such decays there are per proton on target (POT). Beam frame, metres, GeV, ns.

What is modelled
----------------
Each trial follows one meson along a straight line through up to three regions:

1. **Target** (or dump). The meson starts at a proton interaction point
   (:func:`~fipgen.production.sources.vertex.sample_interaction_points`: beam spot and
   exponential depth) with the source's momentum and direction, at ``t = 0``, and crosses
   the rest of the target.
2. **Decay region** (only on beamlines with a ``decay_pipe``): the inside of the pipe's
   cylinder (its radius, about its axis, which must be parallel to the beam), extended
   upstream to the target's upstream face and downstream to the absorber's downstream
   face. The meson flies at constant momentum (ionisation in the gas is neglected:
   1.8 MeV cm^2/g x 1.2e-3 g/cm^3 x 49 m = 11 MeV of air at the BNB; NuMI's 46 m of air
   and 677 m of helium: 10 + 22 MeV) and may decay or be absorbed by the gas (its hadronic
   interaction length). Two gases: where the pipe starts downstream of the target's
   downstream face (NuMI: 46 m, LBNF: 22 m), the stretch before the pipe's upstream face,
   the *gap*, holds ``gap_material`` (default air: the target halls, whose horns,
   baffles and shielding are not described) inside the same radius; from the pipe's
   upstream face on, the pipe's material (air at the BNB, helium at NuMI and LBNF; 46 m
   of air are 0.047 pion interaction lengths, 677 m of helium 0.11). Between the pipe's
   downstream face and the absorber (1.6 m at NuMI) the pipe's gas is kept. On the BNB
   the pipe starts at the target's end: no gap. The region ends where the meson enters
   the absorber, reaches the pipe's radius or goes back upstream of the target (then it
   enters the *surrounding material*, ``wall_material``, default PDG shielding concrete:
   a stand-in for the concrete/earth around the decay pipes and for the target-hall
   shielding, treated as infinitely thick), or passes the absorber's downstream face
   (then it escapes). On beamlines without a pipe (the dumps) a meson leaving the target
   enters the absorber if it is aimed at one and otherwise escapes: its tracking ends.
3. **Absorber or wall**: the beamline's absorber (``beamline.absorber``: BNB iron, the
   NuMI and LBNF aluminium cores; until its far side, where the meson escapes) or the
   surrounding material. Mesons that reach the absorber slowly enough range out in it and
   pi+ / K+ decay at rest there (below).

In a material (target, absorber, wall) a charged meson slows down continuously (CSDA):
Bethe-Bloch mean energy loss (PDG RPP "Passage of particles through matter", eq. 34.5,
with ``W_max`` and the Sternheimer density effect, eq. 34.7: :func:`fipgen.geometry.stopping.bethe_dedx`,
with the mean excitation energy and density-effect parameters of ``geometries/materials.toml``;
no shell, Barkas or radiative terms), tabulated
as the CSDA range ``R(p)`` (g/cm^2) per material and meson. Along the way it may decay
(rate ``1/(beta gamma c tau)``, PDG lifetime from :mod:`fipgen.constants`) or be absorbed
(hadronic interaction length ``Lambda`` of :func:`interaction_length`, constant in momentum)
with exact survival ``exp(-H(R_in) + H(R_out))``, ``H(R) = int_0^R [dR'/(beta gamma rho c tau)
+ dR'/Lambda]``. A meson that reaches zero range stops: pi+ and K+ then decay at rest
(isotropically; at the stopping point; time = arrival + an exponential proper lifetime),
pi- and K- are captured by a nucleus (no decay: weight 0), K0L never stops (neutral: no
energy loss; it decays in flight or is absorbed). Mesons too slow to leave the target stop
and decay at rest there.

What is not modelled
--------------------
Magnetic horn focusing (users wanting focused beams give an external parent list);
multiple Coulomb scattering (straight lines); range straggling (every meson of a given
momentum stops at the CSDA range); secondary (tertiary) meson production by the absorbed
hadrons or the primary protons in the absorber; the momentum dependence of the hadronic
cross sections (the Delta(1232) region at ``p ~ 0.3 GeV/c`` absorbs pions more strongly than
the high-energy ``Lambda_pi`` used here); energy loss in the gases; materials other than
those of the beamline file (horn conductors, collimator, baffle, target-hall shielding,
pipe windows, the steel parts of the NuMI absorber: one material per element).

Fates and weights
-----------------
``fate="flight"``: the decay is forced to happen in flight in one of ``flight_regions``
(chosen with probability proportional to its decay probability; inside it, the position
follows the decay density exactly: a truncated exponential in the gap and in the pipe, the
tabulated ``int h e^H dR`` in materials), weight = ``per_pot x P(decay in flight there)``.
``fate="rest"``: the meson stops and decays at rest, weight = ``per_pot x P(stop)`` (0 for
negative mesons, K0L and mesons that cannot stop). ``fate="all"``: each trial is "flight"
with probability ``flight_fraction`` and "rest" otherwise, its weight divided by that
probability, so ``weight.mean()`` estimates flight + rest decays per POT.
``ParentDecays.weight.mean()`` is decays per POT of that kind (parents.py convention).

BNB numbers (per POT, ``fate_summary``, no horn): pi+ 0.633 produced, 0.0565 decay in
flight in the decay pipe (0.0646 in flight anywhere), 0.113 decay at rest (0.010 in the
target, 0.103 in the surrounding wall: unfocused pions hit the pipe wall long before the
absorber), 0.455 absorbed; pi- 0.575 produced, 0.053 in the pipe, 0.138 captured at rest;
K+ 0.0509 produced, 0.0146 in the pipe, 0.0040 at rest; K0L 0.0179 produced, 0.0021 in
the pipe.

NuMI and LBNF (shipped 120 GeV tables, ``load_meson_source``; no horns; per POT): NuMI
pi+ 2.60 produced, 0.171 decay in flight in the decay region (0.161 of them in the 46 m
gap, 0.0098 in the pipe proper), 0.146 at rest (0.142 in the walls), 2.26 absorbed;
K+ 0.235 produced, 0.063 in the region (0.0034 in the pipe proper), 0.0046 at rest.
LBNF pi+ 2.99 produced, 0.330 in the region (0.066 in the pipe proper), 0.148 at rest;
K+ 0.271 produced, 0.105 in the region (0.021 in the pipe proper), 0.0034 at rest.
Unfocused mesons mostly leave the pipe's aperture (0.99 m / 2 m radius) before its start;
decays at rest in the absorbers are < 1e-7 per POT: the mesons that reach them are fast,
and slow ones decay long before (the NuMI-absorber kaons decaying at rest seen by
MicroBooNE are made in the absorber, which is not modelled here).

Performance: table lookups and the per-meson bookkeeping run in one numba kernel, the
pipe geometry in another, the chords with the geometry kernels; 1e6 parents take about
0.7 s on one core after warm-up (vertex and source sampling included: ~0.15 s of it).

Interaction lengths are module constants (:func:`interaction_length`) rather than keys of
``geometries/materials.toml``: the materials loader accepts only its documented keys
(``generator/geometry/materials.py``, ``_MATERIAL_KEYS``), so a new key there would make
every geometry fail to load.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numba
import numpy as np

from ... import constants as C
from ..._jit import JIT_OPTIONS
from ...errors import PhysicsError
from ...geometry.materials import Material, get_material
from ...geometry.shapes import Cylinder
from ...geometry.stopping import bethe_dedx, mean_excitation_energy
from ..sources.meson_spectra import MesonSource
from ..parents import ParentDecays
from ..sources.vertex import sample_interaction_points

__all__ = [
    "FATES",
    "REGIONS",
    "StoppingTable",
    "stopping_table",
    "mean_excitation_energy",
    "interaction_length",
    "bethe_dedx",
    "MesonFates",
    "meson_fates",
    "fate_summary",
    "sample_parent_decays",
]

FATES = ("flight", "rest", "all")
#: Regions where a meson can decay in flight: the target, the decay region ("pipe": the
#: gap between the target and the pipe, if any, and the pipe), the absorber or surrounding
#: wall downstream of it.
REGIONS = ("target", "pipe", "absorber")

# ------------------------------------------------------------------ material data

#: Pion interaction lengths (g/cm^2), PDG "Atomic and nuclear properties" (as lengths:
#: Fe 20.42 cm, Cu 18.51 cm, Al 50.64 cm, W 11.33 cm, shielding concrete 55.92 cm).
_PION_LAMBDA_PDG = {"Fe": 160.8, "Cu": 165.85, "Al": 136.7, "W": 218.67, "concrete": 128.6}
#: For other materials lambda_pi = lambda_I * exp(a + b ln A): a fit of the PDG ratio
#: lambda_pi / lambda_I for Al, Fe, Cu, W (residuals < 0.3 %; it gives 130.6 g/cm^2 for
#: concrete, 1.5 % above the PDG value). Be: 105.5, C: 114.4, air: 118.8 g/cm^2.
_PION_RATIO_FIT = (0.4329, -0.05828)
#: sigma_abs(K A) / sigma_abs(pi A): an estimate (+-15 %) from high-energy absorption
#: cross sections on nuclei (pi, K+- on Be..Pb: Denisov et al. NPB 61 (1973) 62, Carroll
#: et al. PLB 80 (1979) 319): K+ ~0.85, K- ~1, K0L (K0 + K0bar)/2 ~0.92. No PDG table exists
#: for kaons; low-momentum K+ (p < 0.8 GeV/c) interact even less (K+ N ~ 10-18 mb).
_KAON_XSEC_RATIO = {C.K_PLUS: 0.85, -C.K_PLUS: 1.0, C.K0L: 0.92}


def interaction_length(pdg: int, material: Material) -> float:
    """Hadronic interaction length (g/cm^2) of meson ``pdg`` in ``material`` (constants above)."""
    lam_pi = _PION_LAMBDA_PDG.get(material.name)
    if lam_pi is None:
        a, b = _PION_RATIO_FIT
        lam_pi = material.interaction_length * math.exp(a + b * math.log(material.A))
    apdg = abs(int(pdg))
    if apdg == C.PI_PLUS:
        return lam_pi
    ratio = _KAON_XSEC_RATIO.get(int(pdg), _KAON_XSEC_RATIO.get(apdg))
    if ratio is None:
        raise PhysicsError(f"no hadronic interaction length for pdg {pdg}")
    return lam_pi / ratio


# ------------------------------------------------------------------ range tables

_BG_MIN, _BG_MAX, _N_GRID = 0.05, 1.0e5, 1500


@dataclass(frozen=True, eq=False)
class StoppingTable:
    """CSDA range and related integrals of one meson in one material, on a grid in ``ln(beta gamma)``.

    Attributes
    ----------
    mass : float
        GeV.
    material : Material
    ln_bg : numpy.ndarray
        Uniform grid of ``ln(beta gamma)``.
    range_gcm2 : numpy.ndarray
        CSDA range ``R = int dE / (dE/dx)`` in g/cm^2.
    proper_gcm2 : numpy.ndarray
        ``int dR / (beta gamma)``: ``c`` times the proper time to stop, times the density (g/cm^2).
    lab_gcm2 : numpy.ndarray
        ``int dR / beta``: ``c`` times the lab time to stop, times the density (g/cm^2).
    """

    mass: float
    material: Material
    ln_bg: np.ndarray
    range_gcm2: np.ndarray
    proper_gcm2: np.ndarray
    lab_gcm2: np.ndarray

    def range(self, p) -> np.ndarray:
        """CSDA range (g/cm^2) at momentum ``p`` (GeV/c)."""
        return np.interp(np.log(np.asarray(p, dtype=np.float64) / self.mass), self.ln_bg, self.range_gcm2)

    def range_m(self, p) -> np.ndarray:
        """CSDA range in metres."""
        return self.range(p) / (100.0 * self.material.density)

    def momentum(self, range_gcm2) -> np.ndarray:
        """Momentum (GeV/c) with residual range ``range_gcm2`` (inverse of :meth:`range`)."""
        return self.mass * np.exp(np.interp(np.asarray(range_gcm2, dtype=np.float64), self.range_gcm2, self.ln_bg))


@lru_cache(maxsize=64)
def _stopping_table(mass: float, material_name: str) -> StoppingTable:
    mat = get_material(material_name)
    ln_bg = np.linspace(math.log(_BG_MIN), math.log(_BG_MAX), _N_GRID)
    bg = np.exp(ln_bg)
    beta = bg / np.sqrt(1.0 + bg * bg)
    dedx = bethe_dedx(bg, mass, mat)
    # dE = mass beta d(beta gamma) = mass beta bg d ln(bg)
    dr = mass * beta * bg / dedx  # dR / d ln(bg)
    h = ln_bg[1] - ln_bg[0]

    def cumtrapz(y):
        out = np.empty_like(y)
        out[0] = 0.0
        out[1:] = np.cumsum(0.5 * (y[1:] + y[:-1]) * h)
        return out

    # below bg_min: dE/dx ~ T^-0.75 (R ~ T^1.75), so R(bg_min) = T / (1.75 dE/dx)
    t0 = mass * (math.sqrt(1.0 + bg[0] ** 2) - 1.0)
    r0 = t0 / (1.75 * dedx[0])
    rng = r0 + cumtrapz(dr)
    # below bg_min the meson moves with bg ~ (R/r0)^(1/3.5): int dR/bg = 3.5/2.5 r0/bg0
    prop = r0 / bg[0] * (3.5 / 2.5) + cumtrapz(dr / bg)
    lab = r0 / beta[0] * (3.5 / 2.5) + cumtrapz(dr / beta)
    for a in (ln_bg, rng, prop, lab):
        a.setflags(write=False)
    return StoppingTable(mass, mat, ln_bg, rng, prop, lab)


def stopping_table(pdg_or_mass, material) -> StoppingTable:
    """The :class:`StoppingTable` of a meson (PDG code, or mass in GeV as a float) in ``material`` (name or Material)."""
    if isinstance(pdg_or_mass, (int, np.integer)):
        mass = C.mass(int(pdg_or_mass))
    else:
        mass = float(pdg_or_mass)
    name = material.name if isinstance(material, Material) else str(material)
    return _stopping_table(mass, name)


def _log_phi(z: np.ndarray) -> np.ndarray:
    """``log(expm1(z) / z)`` for z >= 0, stable."""
    z = np.asarray(z, dtype=np.float64)
    small = z < 1e-8
    zs = np.where(small, 1.0, z)
    big = zs > 30.0
    mid = np.log(np.expm1(np.minimum(zs, 30.0)) / np.minimum(zs, 30.0))
    large = zs + np.log1p(-np.exp(-zs)) - np.log(zs)
    return np.where(small, 0.5 * z, np.where(big, large, mid))


@lru_cache(maxsize=64)
def _decay_rows(pdg: int, material_name: str) -> np.ndarray:
    """Rows ``(X, Hd, H, T, ln_bg, LF)`` (6, N) of a charged meson in a material.

    ``X`` range (g/cm^2); ``Hd = int dR/(bg rho c tau)``; ``H = Hd + X/Lambda``; ``T`` lab
    time integral (g/cm^2); ``LF = log int_0^X (dHd/dX') e^H dX'`` with ``Hd`` and ``H``
    linear in X inside each cell (exact for piecewise-constant rates).
    """
    mass = C.mass(pdg)
    ctau = C.HBARC_GEV_M / C.width(pdg)
    tab = _stopping_table(mass, material_name)
    mat = tab.material
    rho100 = 100.0 * mat.density  # (g/cm^2) per metre
    lam = interaction_length(pdg, mat)
    X = tab.range_gcm2
    Hd = tab.proper_gcm2 / (rho100 * ctau)
    H = Hd + X / lam
    lf0 = math.log(Hd[0]) + float(_log_phi(H[0]))
    seg = np.log(np.diff(Hd)) + H[:-1] + _log_phi(np.diff(H))
    LF = np.logaddexp.accumulate(np.concatenate([[lf0], seg]))  # cumulative log-sum-exp
    rows = np.ascontiguousarray(np.stack([X, Hd, H, tab.lab_gcm2, tab.ln_bg, LF]))
    rows.setflags(write=False)
    return rows


# ------------------------------------------------------------------ numba kernel

_IX, _IHD, _IH, _IT, _ILB, _ILF = range(6)


@numba.njit(inline="always", **JIT_OPTIONS)
def _lphi(z):  # pragma: no cover - compiled
    if z < 1e-8:
        return 0.5 * z
    if z > 30.0:
        return z + math.log1p(-math.exp(-z)) - math.log(z)
    return math.log(math.expm1(z) / z)


@numba.njit(**JIT_OPTIONS)
def _cell_lnbg(tab, lnbg):  # pragma: no cover - compiled
    """(X, j, w) at ln(beta gamma): range and its cell (see _cell); O(1) on the uniform grid."""
    lb = tab[_ILB]
    n = lb.size
    h = lb[1] - lb[0]
    f = (lnbg - lb[0]) / h
    if f <= 0.0:
        # below the grid: R ~ bg^3.5
        w = math.exp(3.5 * (lnbg - lb[0]))
        return tab[_IX, 0] * w, -1, w
    j = int(f)
    if j >= n - 1:
        return tab[_IX, n - 1], n - 2, 1.0
    w = f - j
    return tab[_IX, j] * (1.0 - w) + tab[_IX, j + 1] * w, j, w


@numba.njit(**JIT_OPTIONS)
def _x_of_lnbg(tab, lnbg):  # pragma: no cover - compiled
    """Range at ln(beta gamma)."""
    return _cell_lnbg(tab, lnbg)[0]


@numba.njit(**JIT_OPTIONS)
def _locate_below(arr, x, jhint):  # pragma: no cover - compiled
    """_locate for x <= arr[jhint + 1]: galloping search downwards from jhint."""
    if x < arr[0]:
        return -1
    hi = jhint + 1
    step = 1
    lo = hi - step
    while lo > 0 and arr[lo] > x:
        hi = lo
        step *= 2
        lo = hi - step
    if lo < 0:
        lo = 0
    while hi - lo > 1:
        mid = (lo + hi) >> 1
        if arr[mid] <= x:
            lo = mid
        else:
            hi = mid
    return lo


@numba.njit(**JIT_OPTIONS)
def _locate(arr, x):  # pragma: no cover - compiled
    """Largest j with arr[j] <= x (-1 below arr[0]; n-2 at or above the end)."""
    n = arr.size
    if x < arr[0]:
        return -1
    if x >= arr[n - 1]:
        return n - 2
    lo = 0
    hi = n - 1
    while hi - lo > 1:
        mid = (lo + hi) >> 1
        if arr[mid] <= x:
            lo = mid
        else:
            hi = mid
    return lo


@numba.njit(**JIT_OPTIONS)
def _cell(tab, X):  # pragma: no cover - compiled
    """(j, w): X = X[j] (1 - w) + X[j+1] w; j = -1 below the first node (w = X / X[0])."""
    xs = tab[_IX]
    j = _locate(xs, X)
    if j < 0:
        return -1, X / xs[0]
    return j, (X - xs[j]) / (xs[j + 1] - xs[j])


@numba.njit(**JIT_OPTIONS)
def _row(tab, row, j, w):  # pragma: no cover - compiled
    """Row ``row`` (H, Hd, T or ln_bg) at the cell position (j, w) of _cell."""
    if j < 0:
        if row == _ILB:
            return tab[_ILB, 0] + math.log(max(w, 1e-300)) / 3.5
        return tab[row, 0] * w
    return tab[row, j] * (1.0 - w) + tab[row, j + 1] * w


@numba.njit(**JIT_OPTIONS)
def _at(tab, row, X):  # pragma: no cover - compiled
    j, w = _cell(tab, X)
    return _row(tab, row, j, w)


@numba.njit(**JIT_OPTIONS)
def _lf_cell(tab, X, j, w):  # pragma: no cover - compiled
    """log F(X), F = int_0^X (dHd/dX') e^H dX' with the cell model of _decay_rows."""
    if X <= 0.0:
        return -np.inf
    if j < 0:
        return tab[_ILF, 0] + math.log(w)
    xs = tab[_IX]
    dx = xs[j + 1] - xs[j]
    d = w * dx
    if d <= 0.0:
        return tab[_ILF, j]
    gd = (tab[_IHD, j + 1] - tab[_IHD, j]) / dx
    a = (tab[_IH, j + 1] - tab[_IH, j]) / dx
    seg = math.log(gd * d) + tab[_IH, j] + _lphi(a * d)
    l0 = tab[_ILF, j]
    if seg > l0:
        return seg + math.log1p(math.exp(l0 - seg))
    return l0 + math.log1p(math.exp(seg - l0))


@numba.njit(**JIT_OPTIONS)
def _lf(tab, X):  # pragma: no cover - compiled
    j, w = _cell(tab, X)
    return _lf_cell(tab, X, j, w)


@numba.njit(**JIT_OPTIONS)
def _x_of_lf(tab, lft):  # pragma: no cover - compiled
    """Inverse of _lf: the range X with log F(X) = lft."""
    lfs = tab[_ILF]
    xs = tab[_IX]
    if lft == -np.inf:
        return 0.0
    j = _locate(lfs, lft)
    if j < 0:
        return xs[0] * math.exp(lft - lfs[0])
    dx = xs[j + 1] - xs[j]
    gd = (tab[_IHD, j + 1] - tab[_IHD, j]) / dx
    a = (tab[_IH, j + 1] - tab[_IH, j]) / dx
    # y = (F_t - F_j) e^{-H_j}
    e = lft - lfs[j]
    if e < 0.0:
        e = 0.0
    y = math.exp(lfs[j] - tab[_IH, j]) * math.expm1(e)
    if a * dx > 1e-10:
        d = math.log1p(a * y / gd) / a
    else:
        d = y / gd
    if d < 0.0:
        d = 0.0
    elif d > dx:
        d = dx
    return xs[j] + d


# fate codes
_FLIGHT, _REST = 0, 1
# probabilities columns
_P_DIF_T, _P_DIF_F, _P_DIF_A, _P_STOP, _P_ESC, _STOP_REGION, _AFTER, _P_DIF_G = range(8)
_NPROB = 8


@numba.njit(**JIT_OPTIONS)
def _slot(k, after_i):  # pragma: no cover - compiled
    """Table slot of region k: 0 target, 1 absorber, 2 wall (-1: decay region)."""
    if k == 0:
        return 0
    if k == 2:
        return 1 + after_i
    return -1


@numba.njit(**JIT_OPTIONS)
def _kernel(
    p0, dirs, vtx, L_t, L_f, L_g, after, L_a,
    mass, ctau, c_m_ns, tau_ns, charged, dar,
    tabs, rho100, kap_had, kap_free, kap_gap,
    do_sample, fate, q_flight, mask, u,
):  # pragma: no cover - compiled
    """Per meson: region probabilities (n, 8) and, if do_sample, the sampled decay.

    tabs (3, 6, N): target, absorber, wall tables (charged only); rho100 (3,) (g/cm^2)/m;
    kap_had (3,) hadronic absorption per metre (neutral mesons in materials);
    L_f (n,): decay-region length, of which the first L_g (n,) lies upstream of the pipe
    (absorption kap_gap per metre there, kap_free in the pipe); after (n,): 0 absorber,
    1 wall, 2 escape; mask (3,) bool: flight regions allowed.
    """
    n = p0.shape[0]
    probs = np.zeros((n, _NPROB))
    vout = np.empty((n, 3))
    p4 = np.zeros((n, 4))
    tout = np.zeros(n)
    wf = np.zeros(n)
    rest = np.zeros(n, dtype=np.bool_)
    # per region k (0 target, 1 decay region, 2 absorber/wall): unconditional P(decay in
    # flight), start distance along the ray and time, entry momentum, entry/exit range
    pd = np.zeros(3)
    s0 = np.zeros(3)
    t0 = np.zeros(3)
    pin = np.zeros(3)
    xin = np.zeros(3)
    xout = np.zeros(3)
    Lk = np.zeros(3)
    for i in range(n):
        p = p0[i]
        for k in range(3):
            pd[k] = 0.0
        pd_gap = 0.0  # part of pd[1] upstream of the pipe
        Lk[0] = L_t[i]
        Lk[1] = L_f[i]
        Lk[2] = L_a[i]
        surv = 1.0
        s = 0.0
        t = 0.0
        stop_k = -1
        stop_s = 0.0
        stop_t = 0.0
        esc = 0.0
        for k in range(3):
            if k == 2 and after[i] == 2:
                esc = surv
                break
            m = _slot(k, after[i])
            s0[k] = s
            t0[k] = t
            pin[k] = p
            L = Lk[k]
            if k == 1:
                # decay region, constant momentum: a gap of length L_g (gas kap_gap), then
                # the pipe (kap_free); exponential decay and absorption in each
                bg = p / mass
                beta = p / math.sqrt(p * p + mass * mass)
                kd = 1.0 / (bg * ctau)
                lg = L_g[i]
                if lg > 0.0:
                    ktg = kd + kap_gap
                    pd_gap = surv * kd / ktg * (-math.expm1(-ktg * lg))
                    surv *= math.exp(-ktg * lg)
                kt = kd + kap_free
                lp = L - lg
                if lp == np.inf:
                    pd[k] = pd_gap + surv * kd / kt
                    surv = 0.0
                    break
                pd[k] = pd_gap + surv * kd / kt * (-math.expm1(-kt * lp))
                surv *= math.exp(-kt * lp)
                s += L
                t += L / (beta * c_m_ns)
            elif not charged:
                # constant momentum in a material: exponential decay and absorption
                bg = p / mass
                beta = p / math.sqrt(p * p + mass * mass)
                kd = 1.0 / (bg * ctau)
                ka = kap_had[m]
                kt = kd + ka
                if L == np.inf:
                    pd[k] = surv * kd / kt
                    surv = 0.0
                    break
                pd[k] = surv * kd / kt * (-math.expm1(-kt * L))
                surv *= math.exp(-kt * L)
                s += L
                t += L / (beta * c_m_ns)
            else:
                tab = tabs[m]
                r100 = rho100[m]
                X0, j0, w0 = _cell_lnbg(tab, math.log(p / mass))
                X1 = X0 - r100 * L if L != np.inf else -1.0
                xin[k] = X0
                lf0 = _lf_cell(tab, X0, j0, w0)
                h0 = _row(tab, _IH, j0, w0)
                T0 = _row(tab, _IT, j0, w0)
                if X1 <= 0.0:
                    xout[k] = 0.0
                    pd[k] = surv * math.exp(lf0 - h0)
                    surv *= math.exp(-h0)
                    stop_k = k
                    stop_s = s + X0 / r100
                    stop_t = t + T0 / (r100 * c_m_ns)
                    break
                xout[k] = X1
                j1 = _locate_below(tab[_IX], X1, max(j0, 0))
                w1 = X1 / tab[_IX, 0] if j1 < 0 else (X1 - tab[_IX, j1]) / (tab[_IX, j1 + 1] - tab[_IX, j1])
                lf1 = _lf_cell(tab, X1, j1, w1)
                pd[k] = surv * math.exp(lf0 - h0) * (-math.expm1(lf1 - lf0))
                surv *= math.exp(_row(tab, _IH, j1, w1) - h0)
                s += L
                t += (T0 - _row(tab, _IT, j1, w1)) / (r100 * c_m_ns)
                p = mass * math.exp(_row(tab, _ILB, j1, w1))
            if k == 2:
                esc = surv  # left the absorber on its far side
        probs[i, _P_DIF_T] = pd[0]
        probs[i, _P_DIF_F] = pd[1]
        probs[i, _P_DIF_A] = pd[2]
        probs[i, _P_STOP] = surv if stop_k >= 0 else 0.0
        probs[i, _P_ESC] = esc
        probs[i, _STOP_REGION] = stop_k
        probs[i, _AFTER] = after[i]
        probs[i, _P_DIF_G] = pd_gap
        if not do_sample:
            continue
        # ------------------------------------------------ sampling
        if fate == 2:
            if u[0, i] < q_flight:
                f = _FLIGHT
                choose = q_flight
            else:
                f = _REST
                choose = 1.0 - q_flight
        else:
            f = fate
            choose = 1.0
        d0 = dirs[i, 0]
        d1 = dirs[i, 1]
        d2 = dirs[i, 2]
        if f == _REST:
            rest[i] = True
            p_rest = probs[i, _P_STOP] if (dar and stop_k >= 0) else 0.0
            wf[i] = p_rest / choose
            if stop_k >= 0:
                ss = stop_s
                tt = stop_t - tau_ns * math.log1p(-u[2, i])
            else:
                ss = 0.0
                tt = 0.0
            vout[i, 0] = vtx[i, 0] + ss * d0
            vout[i, 1] = vtx[i, 1] + ss * d1
            vout[i, 2] = vtx[i, 2] + ss * d2
            p4[i, 3] = mass
            tout[i] = tt
            continue
        # flight: choose a region with probability pd[k] among the allowed ones
        tot = 0.0
        for k in range(3):
            if mask[k]:
                tot += pd[k]
        wf[i] = tot / choose
        if not (tot > 0.0):
            vout[i, 0] = vtx[i, 0]
            vout[i, 1] = vtx[i, 1]
            vout[i, 2] = vtx[i, 2]
            pp = p0[i]
            p4[i, 0] = pp * d0
            p4[i, 1] = pp * d1
            p4[i, 2] = pp * d2
            p4[i, 3] = math.sqrt(pp * pp + mass * mass)
            continue
        target = u[1, i] * tot
        acc = 0.0
        kk = -1
        before = 0.0
        for k in range(3):
            if mask[k] and pd[k] > 0.0:
                kk = k
                before = acc
                acc += pd[k]
                if target < acc:
                    break
        uu = (target - before) / pd[kk]
        if uu < 0.0:
            uu = 0.0
        elif uu > 1.0:
            uu = 1.0
        pk = pin[kk]
        m = _slot(kk, after[i])
        if kk == 1 or not charged:
            bg = pk / mass
            beta = pk / math.sqrt(pk * pk + mass * mass)
            kd = 1.0 / (bg * ctau)
            L = Lk[kk]
            off = 0.0  # start of the chosen stretch inside the region
            if kk == 1:
                # gap (probability pd_gap) or pipe (the rest): truncated exponential in either
                lg = L_g[i]
                if pd_gap > 0.0 and uu * pd[1] < pd_gap:
                    uu = uu * pd[1] / pd_gap
                    kt = kd + kap_gap
                    L = lg
                else:
                    if pd_gap > 0.0:
                        uu = (uu * pd[1] - pd_gap) / (pd[1] - pd_gap)
                        if uu < 0.0:
                            uu = 0.0
                        elif uu > 1.0:
                            uu = 1.0
                    kt = kd + kap_free
                    off = lg
                    L = L - lg
            else:
                kt = kd + kap_had[m]
            if L == np.inf:
                ds = -math.log1p(-uu) / kt
            else:
                ds = -math.log1p(uu * math.expm1(-kt * L)) / kt
                if ds > L:
                    ds = L
            ds += off
            ss = s0[kk] + ds
            tt = t0[kk] + ds / (beta * c_m_ns)
            pdec = pk
        else:
            tab = tabs[m]
            r100 = rho100[m]
            X0 = xin[kk]
            lf0 = _lf(tab, X0)
            lf1 = _lf(tab, xout[kk])
            r = math.exp(lf1 - lf0) if lf1 > -np.inf else 0.0
            arg = r + uu * (1.0 - r)
            lft = lf0 + math.log(arg) if arg > 0.0 else -np.inf
            Xs = _x_of_lf(tab, lft)
            if Xs > X0:
                Xs = X0
            if Xs < xout[kk]:
                Xs = xout[kk]
            js, ws = _cell(tab, Xs)
            ss = s0[kk] + (X0 - Xs) / r100
            tt = t0[kk] + (_at(tab, _IT, X0) - _row(tab, _IT, js, ws)) / (r100 * c_m_ns)
            pdec = mass * math.exp(_row(tab, _ILB, js, ws)) if Xs > 0.0 else 0.0
        vout[i, 0] = vtx[i, 0] + ss * d0
        vout[i, 1] = vtx[i, 1] + ss * d1
        vout[i, 2] = vtx[i, 2] + ss * d2
        p4[i, 0] = pdec * d0
        p4[i, 1] = pdec * d1
        p4[i, 2] = pdec * d2
        p4[i, 3] = math.sqrt(pdec * pdec + mass * mass)
        tout[i] = tt
    return probs, vout, p4, tout, wf, rest


@numba.njit(**JIT_OPTIONS)
def _free_region(vtx, d, L_t, s_abs, L_abs, cx, cy, R, z_lo, z_hi, z_gas):  # pragma: no cover - compiled
    """Per ray: decay-region length L_f, its part L_g upstream of ``z_gas`` (the gap between
    the target and the pipe), what follows it (0 absorber, 1 wall, 2 escape) and the length
    of that (L_a).

    The decay region is the inside of the cylinder of radius R about (cx, cy) parallel to z,
    from where the ray leaves the target to the first of: the absorber, the cylinder's
    surface, the plane z_lo (going backwards) and the plane z_hi (going forwards).
    """
    n = vtx.shape[0]
    L_f = np.zeros(n)
    L_g = np.zeros(n)
    after = np.full(n, 2, dtype=np.int64)
    L_a = np.zeros(n)
    for i in range(n):
        qx = vtx[i, 0] + L_t[i] * d[i, 0] - cx
        qy = vtx[i, 1] + L_t[i] * d[i, 1] - cy
        qz = vtx[i, 2] + L_t[i] * d[i, 2]
        a = d[i, 0] * d[i, 0] + d[i, 1] * d[i, 1]
        b = qx * d[i, 0] + qy * d[i, 1]
        cc = qx * qx + qy * qy - R * R
        if cc >= 0.0:
            s_wall = 0.0
        elif a > 0.0:
            s_wall = (-b + math.sqrt(max(b * b - a * cc, 0.0))) / a
        else:
            s_wall = np.inf
        if d[i, 2] < 0.0:
            s_wall = min(s_wall, max((z_lo - qz) / d[i, 2], 0.0))
            s_end = np.inf
        elif d[i, 2] > 0.0:
            s_end = max((z_hi - qz) / d[i, 2], 0.0)
        else:
            s_end = np.inf
        sa = s_abs[i]
        if sa <= s_wall and sa <= s_end:
            L_f[i] = sa
            after[i] = 0
            L_a[i] = L_abs[i]
        elif s_wall <= s_end:
            L_f[i] = s_wall
            after[i] = 1
            L_a[i] = np.inf
        else:
            L_f[i] = s_end if s_end < np.inf else 0.0
        if qz < z_gas:
            if d[i, 2] > 0.0:
                L_g[i] = min((z_gas - qz) / d[i, 2], L_f[i])
            else:
                L_g[i] = L_f[i]
    return L_f, L_g, after, L_a


# ------------------------------------------------------------------ geometry


@dataclass(frozen=True)
class _Setup:
    """What the kernel needs about a beamline for one species (cached)."""

    tabs: np.ndarray  # (3, 6, N)
    rho100: np.ndarray  # (3,)
    kap_had: np.ndarray  # (3,)
    kap_free: float  # absorption per metre in the pipe's gas
    kap_gap: float  # ... in the gap between the target and the pipe
    pipe: tuple | None  # (cx, cy, R, z_lo, z_hi, z_gas)


def _pipe_geometry(beamline) -> tuple | None:
    """``(cx, cy, R, z_lo, z_hi, z_gas)`` of the decay region (module docstring), or None.

    The region is the pipe's cylinder extended upstream to the target's upstream face
    (``z_lo``) and downstream to the absorber's far face (``z_hi``). ``z_gas`` is the pipe's
    upstream face when it lies downstream of the target's downstream face (NuMI, LBNF: the
    stretch in between is the gap, filled with the gap material), else -inf (BNB: the
    pipe starts at the target).
    """
    pipe = beamline.decay_pipe
    if pipe is None:
        return None
    vols = pipe.solid.volumes
    if len(vols) != 1 or not isinstance(vols[0].shape, Cylinder):
        raise PhysicsError(f"beamline {beamline.name!r}: meson transport needs the decay pipe to be one cylinder")
    v = vols[0]
    if not np.allclose(v.placement.matrix, np.eye(3), atol=1e-9):
        raise PhysicsError(f"beamline {beamline.name!r}: meson transport needs the decay pipe's axis along the beam (z)")
    cx, cy, _ = (float(c) for c in v.placement.offset)
    z_lo = min(float(beamline.target.solid.extent()[0][2]), float(pipe.solid.extent()[0][2]))
    z_hi = float(pipe.solid.extent()[1][2])
    if beamline.absorber is not None:
        z_hi = max(z_hi, float(beamline.absorber.solid.extent()[1][2]))
    z_pipe = float(pipe.solid.extent()[0][2])
    z_gas = z_pipe if z_pipe > float(beamline.target.solid.extent()[1][2]) + 1e-6 else -np.inf
    return (cx, cy, float(v.shape.radius), z_lo, z_hi, z_gas)


@lru_cache(maxsize=64)
def _setup(beamline, pdg: int, wall_material: str, gap_material: str = "air") -> _Setup:
    target = beamline.target.material
    absorber = beamline.absorber.material if beamline.absorber is not None else get_material(wall_material)
    wall = get_material(wall_material)
    mats = (target, absorber, wall)
    charged = C.charge(pdg) != 0
    if charged:
        tabs = np.ascontiguousarray(np.stack([_decay_rows(pdg, m.name) for m in mats]))
    else:
        tabs = np.zeros((3, 6, 2))
    rho100 = np.array([100.0 * m.density for m in mats])
    kap_had = np.array([100.0 * m.density / interaction_length(pdg, m) for m in mats])
    if beamline.decay_pipe is not None:
        gas = beamline.decay_pipe.material
        kap_free = 100.0 * gas.density / interaction_length(pdg, gas)
        gap = get_material(gap_material)
        kap_gap = 100.0 * gap.density / interaction_length(pdg, gap)
    else:
        kap_free = kap_gap = 0.0
    return _Setup(tabs, rho100, kap_had, kap_free, kap_gap, _pipe_geometry(beamline))


def _first_segment(solid, origins, dirs) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    seg = solid.chords(origins, dirs)
    has = seg.n > 0
    return has, seg.t_in[:, 0], seg.t_out[:, 0]


def _regions(beamline, setup: _Setup, vtx: np.ndarray, d: np.ndarray):
    """Lengths of the three regions along each ray: (L_t, L_f, L_g, after, L_a); L_g is the
    part of the decay region L_f upstream of the pipe (the gap)."""
    n = vtx.shape[0]
    has_t, _, t_out = _first_segment(beamline.target.solid, vtx, d)
    L_t = np.where(has_t, t_out, 0.0)
    if beamline.absorber is not None:
        has_a, t_ai, t_ao = _first_segment(beamline.absorber.solid, vtx, d)
        has_a &= t_ai >= L_t - 1e-9
        s_abs = np.where(has_a, np.maximum(t_ai - L_t, 0.0), np.inf)
        L_abs = np.where(has_a, t_ao - np.maximum(t_ai, L_t), 0.0)
    else:
        s_abs = np.full(n, np.inf)
        L_abs = np.zeros(n)
    if setup.pipe is None:
        hit = np.isfinite(s_abs)
        L_f = np.where(hit, s_abs, 0.0)
        after = np.where(hit, 0, 2).astype(np.int64)
        L_a = np.where(hit, L_abs, 0.0)
        return L_t, L_f, np.zeros(n), after, L_a
    L_f, L_g, after, L_a = _free_region(vtx, d, L_t, s_abs, L_abs, *setup.pipe)
    return L_t, L_f, L_g, after, L_a


@numba.njit(**JIT_OPTIONS)
def _directions(mom):  # pragma: no cover - compiled
    """|p| (>= 1e-9 GeV/c) and unit directions (+z for p = 0) of four-momenta (n, 4)."""
    n = mom.shape[0]
    p = np.empty(n)
    d = np.empty((n, 3))
    for i in range(n):
        q = math.sqrt(mom[i, 0] ** 2 + mom[i, 1] ** 2 + mom[i, 2] ** 2)
        if q > 0.0:
            d[i, 0] = mom[i, 0] / q
            d[i, 1] = mom[i, 1] / q
            d[i, 2] = mom[i, 2] / q
        else:
            d[i, 0] = 0.0
            d[i, 1] = 0.0
            d[i, 2] = 1.0
        p[i] = max(q, 1e-9)
    return p, d


def _prepare(source: MesonSource, beamline, n: int, rng: np.random.Generator, wall_material: str, gap_material: str):
    pdg = int(source.pdg)
    if abs(pdg) not in (C.PI_PLUS, C.K_PLUS) and pdg != C.K0L:
        raise PhysicsError(f"meson transport handles pi+-, K+- and K0L, not pdg {pdg}")
    setup = _setup(beamline, pdg, wall_material, gap_material)
    vtx = sample_interaction_points(beamline, n, rng)
    mom = source.sample(n, rng)
    p, d = _directions(mom)
    L_t, L_f, L_g, after, L_a = _regions(beamline, setup, vtx, d)
    return pdg, setup, vtx, p, d, L_t, L_f, L_g, after, L_a


def _run(source, beamline, n, rng, wall_material, gap_material, do_sample, fate, q_flight, mask):
    pdg, setup, vtx, p, d, L_t, L_f, L_g, after, L_a = _prepare(source, beamline, n, rng, wall_material, gap_material)
    mass = C.mass(pdg)
    ctau = C.HBARC_GEV_M / C.width(pdg)
    tau_ns = ctau / C.C_M_PER_NS
    charged = C.charge(pdg) != 0
    dar = charged and pdg > 0
    u = rng.random((3, n)) if do_sample else np.zeros((3, 1))
    out = _kernel(
        p, d, vtx, L_t, L_f, L_g, after, L_a,
        mass, ctau, C.C_M_PER_NS, tau_ns, charged, dar,
        setup.tabs, setup.rho100, setup.kap_had, setup.kap_free, setup.kap_gap,
        do_sample, fate, q_flight, mask, u,
    )
    return pdg, vtx, p, d, out


# ------------------------------------------------------------------ public API


@dataclass(frozen=True)
class MesonFates:
    """Per-trial fate probabilities of ``n`` mesons drawn from a source (no decay sampled).

    All arrays have shape (n,). Probabilities are per produced meson; multiply by
    ``per_pot`` for per-POT numbers.

    Attributes
    ----------
    pdg : int
    per_pot : float
        Mesons produced per POT (the source's normalisation).
    vertex, direction : numpy.ndarray (n, 3)
        Production point (m) and unit direction.
    p : numpy.ndarray
        Production momentum, GeV/c.
    dif_target, dif_pipe, dif_absorber : numpy.ndarray
        Probability to decay in flight in the target, the decay region (gap and pipe), the
        absorber or wall (see ``after``).
    stop : numpy.ndarray
        Probability to come to rest (whatever happens next: decay at rest for pi+/K+,
        capture for pi-/K-).
    stop_region : numpy.ndarray int
        0 target, 2 absorber/wall, -1 does not stop.
    escape : numpy.ndarray
        Probability to leave the described geometry (tracking ends).
    after : numpy.ndarray int
        What follows the decay region: 0 absorber, 1 surrounding wall, 2 nothing (escape).
    dif_gap : numpy.ndarray
        The part of ``dif_pipe`` upstream of the pipe's upstream face (the gap between the
        target and a pipe that starts downstream of it: NuMI, LBNF; 0 on the BNB).
    """

    pdg: int
    per_pot: float
    vertex: np.ndarray
    direction: np.ndarray
    p: np.ndarray
    dif_target: np.ndarray
    dif_pipe: np.ndarray
    dif_absorber: np.ndarray
    stop: np.ndarray
    stop_region: np.ndarray
    escape: np.ndarray
    after: np.ndarray
    dif_gap: np.ndarray

    @property
    def dif(self) -> np.ndarray:
        """Probability to decay in flight anywhere."""
        return self.dif_target + self.dif_pipe + self.dif_absorber

    @property
    def absorbed(self) -> np.ndarray:
        """Probability of a hadronic interaction (1 - the rest), clipped at 0."""
        return np.clip(1.0 - self.dif - self.stop - self.escape, 0.0, 1.0)

    @property
    def dar(self) -> np.ndarray:
        """Probability to decay at rest (0 for pi-, K-, K0L)."""
        return self.stop if (self.pdg > 0 and C.charge(self.pdg) != 0) else np.zeros_like(self.stop)

    @property
    def captured(self) -> np.ndarray:
        """Probability of nuclear capture at rest (pi-, K-)."""
        return self.stop if (self.pdg < 0) else np.zeros_like(self.stop)


def _check_common(source, n, wall_material, gap_material="air"):
    if not isinstance(source, MesonSource):
        raise TypeError(f"source must be a MesonSource, got {type(source).__name__}")
    n = int(n)
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    get_material(wall_material)
    get_material(gap_material)
    return n


def meson_fates(
    source: MesonSource,
    beamline,
    n: int,
    rng: np.random.Generator,
    *,
    wall_material: str = "concrete",
    gap_material: str = "air",
) -> MesonFates:
    """Draw ``n`` mesons from ``source`` on ``beamline`` and return their fate probabilities.

    Uses the same random draws as :func:`sample_parent_decays` up to the fate choice
    (vertex, then source), so with equal seeds the mesons are the same. ``wall_material``
    and ``gap_material``: see :func:`sample_parent_decays`.
    """
    n = _check_common(source, n, wall_material, gap_material)
    pdg, vtx, p, d, out = _run(source, beamline, n, rng, wall_material, gap_material, False, 0, 0.5, np.ones(3, dtype=np.bool_))
    pr = out[0]
    return MesonFates(
        pdg=pdg,
        per_pot=source.per_pot,
        vertex=vtx,
        direction=d,
        p=p,
        dif_target=pr[:, _P_DIF_T],
        dif_pipe=pr[:, _P_DIF_F],
        dif_absorber=pr[:, _P_DIF_A],
        stop=pr[:, _P_STOP],
        stop_region=pr[:, _STOP_REGION].astype(np.int64),
        escape=pr[:, _P_ESC],
        after=pr[:, _AFTER].astype(np.int64),
        dif_gap=pr[:, _P_DIF_G],
    )


def fate_summary(
    source: MesonSource,
    beamline,
    n: int = 400_000,
    seed: int = 20240611,
    *,
    wall_material: str = "concrete",
    gap_material: str = "air",
) -> dict[str, float]:
    """Per-POT numbers of each fate (Monte Carlo averages over ``n`` mesons).

    Keys: ``produced``; decays in flight ``dif_target``, ``dif_pipe`` (decay region: gap
    and pipe), ``dif_gap`` (its part upstream of the pipe), ``dif_absorber`` (the
    beamline's absorber), ``dif_wall`` (surrounding material), ``dif`` (all); decays at
    rest ``dar_target``, ``dar_absorber``, ``dar_wall``, ``dar`` (all; pi+ and K+ only);
    ``captured`` (pi-/K- at rest), ``absorbed`` (hadronic), ``escaped``.
    """
    rng = np.random.Generator(np.random.PCG64(seed))
    f = meson_fates(source, beamline, n, rng, wall_material=wall_material, gap_material=gap_material)
    w = f.per_pot
    at_t = f.stop_region == 0
    in_abs = f.after == 0
    in_wall = f.after == 1

    def mean(x):
        return w * float(np.mean(x)) if x.size else 0.0

    return {
        "produced": w,
        "dif_target": mean(f.dif_target),
        "dif_pipe": mean(f.dif_pipe),
        "dif_gap": mean(f.dif_gap),
        "dif_absorber": mean(np.where(in_abs, f.dif_absorber, 0.0)),
        "dif_wall": mean(np.where(in_wall, f.dif_absorber, 0.0)),
        "dif": mean(f.dif),
        "dar_target": mean(np.where(at_t, f.dar, 0.0)),
        "dar_absorber": mean(np.where(~at_t & in_abs, f.dar, 0.0)),
        "dar_wall": mean(np.where(~at_t & in_wall, f.dar, 0.0)),
        "dar": mean(f.dar),
        "captured": mean(f.captured),
        "absorbed": mean(f.absorbed),
        "escaped": mean(f.escape),
    }


def sample_parent_decays(
    source: MesonSource,
    beamline,
    n: int,
    rng: np.random.Generator,
    *,
    fate: str = "all",
    flight_fraction: float = 0.5,
    flight_regions: tuple[str, ...] = REGIONS,
    wall_material: str = "concrete",
    gap_material: str = "air",
) -> ParentDecays:
    """Transport ``n`` mesons of ``source`` down ``beamline`` to their decays (module docstring).

    No horn focusing: mesons keep the source's direction (give an external parent list for
    focused beams).

    Parameters
    ----------
    source : MesonSource
        pi+- (+-211), K+- (+-321) or K0L (130), per POT (e.g.
        :func:`~fipgen.production.sources.charged_mesons.bnb_charged_source`).
    beamline : Beamline
        ``fipgen.geometry.load_beamline(...)``: target, optional decay_pipe and absorber.
    n : int
        Number of trials (entries returned).
    rng : numpy.random.Generator
        Draws, in order: vertices, source, then ``rng.random((3, n))`` (fate choice, decay
        position or region, rest lifetime).
    fate : {"flight", "rest", "all"}
        Which decays to produce (module docstring, "Fates and weights").
    flight_fraction : float
        For ``fate="all"``: probability that a trial is a decay in flight (0 < q < 1).
    flight_regions : tuple of str
        Subset of ``("target", "pipe", "absorber")`` where in-flight decays are produced
        (``("pipe",)``: only in the decay region, gap included; "absorber" includes the
        wall).
    wall_material : str
        Material of the surroundings of the decay pipe (materials.toml name).
    gap_material : str
        Material between the target and a decay pipe that starts downstream of it (NuMI:
        46 m of target hall, LBNF: 20 m; materials.toml name). Default ``"air"``.

    Returns
    -------
    ParentDecays
        One entry per trial; ``weight.mean()`` is decays per POT of the requested kind.
        Entries of impossible fates (a pi- at rest, a meson that escapes...) have weight 0,
        the production vertex (or stopping point) and finite values.
    """
    n = _check_common(source, n, wall_material, gap_material)
    if fate not in FATES:
        raise ValueError(f"fate must be one of {FATES}, got {fate!r}")
    q = float(flight_fraction)
    if fate == "all" and not (0.0 < q < 1.0):
        raise ValueError(f"flight_fraction must be in (0, 1), got {flight_fraction!r}")
    regions = tuple(flight_regions)
    bad = [r for r in regions if r not in REGIONS]
    if bad or not regions:
        raise ValueError(f"flight_regions must be a non-empty subset of {REGIONS}, got {flight_regions!r}")
    mask = np.array([r in regions for r in REGIONS], dtype=np.bool_)
    code = {"flight": 0, "rest": 1, "all": 2}[fate]
    pdg, vtx, p, d, out = _run(source, beamline, n, rng, wall_material, gap_material, True, code, q, mask)
    _, vout, p4, tout, wf, rest = out
    return ParentDecays(
        pdg=np.full(n, pdg, dtype=np.int32),
        vertex=vout,
        p4=p4,
        time=tout,
        weight=source.per_pot * wf,
        at_rest=rest,
    )
