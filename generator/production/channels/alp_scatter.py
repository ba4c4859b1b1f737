"""ALP detection by scattering in the detector: inverse Primakoff and inverse Compton.

For an ALP of energy ``E`` crossing the active volume along chord segments ``[a_s, b_s]``
(m from its production point) with lab decay length ``ell = beta gamma c tau``, the
probability to scatter inside before decaying is

    P_int = sum_k r_k(E) int_chord exp(-l/ell) dl = sum_k r_k(E) ell sum_s exp(-a_s/ell) (1 - exp(-(b_s - a_s)/ell)),

``r_k = sum_targets n sigma_k(E)`` the interaction rate per metre of process ``k``
(docs/physics.md#from-production-to-detection: ``n sigma L P_survive`` in the limit ``ell >> L``; written exactly here, with
the ``expm1`` form, which tends to the chord length for a stable ALP). The interaction point
follows the same truncated exponential as a forced decay (fipgen.transport), so the
transport's sampled point is used. The process is chosen in proportion to ``r_k(E)``, the
target element (mixtures: CH2's C and H) in proportion to ``n sigma``. The inverse Primakoff rate
follows the ALP's ``inverse_primakoff_xsec`` (fipgen.models.alp_xsec item 8: ``"alplib"`` is the
massless screened form of arXiv:2307.03878's code, applied per element); the photon's angle keeps
the Tsai ``t`` law in either case.

Kinematics (fipgen.models.alp_xsec for the cross sections and samplers):

* ``"primakoff"``, ``a N -> gamma N``: the photon's polar angle to the ALP from the inverse
  Primakoff ``dsigma/dtheta`` (the Tsai form factor's ``t`` law), azimuth uniform; the photon
  energy from exact two-body kinematics with the nucleus (mass ``A u``) at rest,
  ``E_gamma = (m_a^2 + 2 E M) / (2 (E + M - p cos theta))``; the nucleus takes the rest.
* ``"compton"``, ``a e -> gamma e``: the photon energy from ``dsigma/dE_gamma``, both angles
  from two-body kinematics with the electron at rest, opposite azimuths.

Daughters: the photon (22) and the recoil (the nucleus' PDG code ``10LZZZAAAI``, or 11).
Couplings: ``g_gamma_eff`` of the ALP (photon coupling including the gluon-induced part) for
Primakoff, ``g_electron`` for Compton. Atomic electrons are free and at rest; incoherent
scattering on nuclei is not included.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numba
import numpy as np

from ..._jit import JIT_OPTIONS
from ...errors import PhysicsError
from ...models import alp_xsec as X
from . import alp_xsec_sampling as XS

__all__ = ["ScatterSpec", "scatter_spec", "interaction_rates", "chord_exposure", "sample_scatter",
           "PROCESS_NAMES"]

#: Names of the scattering "channels" (the decay_channel codes are 1 + position).
PROCESS_NAMES = {"primakoff": "gamma N (inverse Primakoff)", "compton": "gamma e- (inverse Compton)"}
_U_GEV = 0.9314941  # atomic mass unit


@dataclass(frozen=True)
class ScatterSpec:
    processes: tuple[str, ...]
    m_a: float
    g_gamma: float
    g_electron: float
    Z: np.ndarray
    A: np.ndarray
    n_nuclei: np.ndarray  # per m^3
    n_electrons: float  # per m^3
    nucleus_pdg: np.ndarray
    nucleus_mass: np.ndarray
    #: inverse Primakoff variant (index in alp_xsec.INVERSE_PRIMAKOFF_XSEC_VARIANTS; 0 the default)
    inverse_primakoff_variant: int = 0


def scatter_spec(model, material, processes) -> ScatterSpec:
    """The detector material's targets and the ALP's couplings for ``processes``."""
    from ...constants import nuclear_pdg

    z, a, n = X.material_targets(material)
    procs = tuple(processes)
    g_g = float(model.g_gamma_eff)
    g_e = float(model.g_electron)
    if "primakoff" in procs and g_g == 0.0 and "compton" not in procs:
        raise PhysicsError("inverse Primakoff needs a photon coupling (g_gamma, or c_gg with f_a)")
    if "compton" in procs and g_e == 0.0 and "primakoff" not in procs:
        raise PhysicsError("inverse Compton needs the electron coupling g_electron")
    if g_g == 0.0 and g_e == 0.0:
        raise PhysicsError("ALP scattering needs g_gamma (Primakoff) or g_electron (Compton)")
    pdg = np.array([nuclear_pdg(int(zi), int(round(ai))) for zi, ai in zip(z, a)], dtype=np.int64)
    mass = np.array([0.938272 if p == 2212 else round(ai) * _U_GEV for p, ai in zip(pdg, a)])
    variant = X.variant_code(getattr(model, "inverse_primakoff_xsec", X.INVERSE_PRIMAKOFF_XSEC_VARIANTS[0]),
                             X.INVERSE_PRIMAKOFF_XSEC_VARIANTS)
    return ScatterSpec(procs, float(model.mass), g_g, g_e, z, a, n, float(material.electron_density), pdg, mass,
                       variant)


@numba.njit(**JIT_OPTIONS)
def _rates_kernel(E, m_a, g_g, g_e, Z, A, n_nuc, n_e, do_p, do_c, conv, pvar):  # pragma: no cover - compiled
    n = E.size
    k = Z.size
    out = np.zeros((n, 2))
    per_el = np.zeros((n, k))
    for i in range(n):
        if do_p and g_g != 0.0:
            s = 0.0
            for j in range(k):
                r = n_nuc[j] * X.inverse_primakoff_sigma_variant(E[i], m_a, g_g, Z[j], A[j], pvar) * conv
                per_el[i, j] = r
                s += r
            out[i, 0] = s
        if do_c and g_e != 0.0:
            out[i, 1] = n_e * X.inverse_compton_sigma(E[i], m_a, g_e) * conv
    return out, per_el


def interaction_rates(spec: ScatterSpec, E) -> tuple[np.ndarray, np.ndarray]:
    """``(rates (n, 2), primakoff_per_element (n, n_elements))`` in interactions per metre:
    column 0 inverse Primakoff, column 1 inverse Compton (0 for a process not selected)."""
    E = np.ascontiguousarray(E, dtype=np.float64)
    return _rates_kernel(E, spec.m_a, spec.g_gamma, spec.g_electron, spec.Z, spec.A, spec.n_nuclei,
                         spec.n_electrons, "primakoff" in spec.processes, "compton" in spec.processes, X.GEV2_TO_M2,
                         spec.inverse_primakoff_variant)


@numba.njit(**JIT_OPTIONS)
def chord_exposure(n_seg, seg_in, seg_out, ell):  # pragma: no cover - compiled
    """``int_chord exp(-l/ell) dl`` (m) per event: the path length weighted by survival."""
    n = n_seg.size
    out = np.zeros(n)
    for i in range(n):
        L = ell[i]
        s = 0.0
        for j in range(n_seg[i]):
            a = seg_in[i, j]
            b = seg_out[i, j]
            if b > a:
                if math.isinf(L):
                    s += b - a
                else:
                    s += math.exp(-a / L) * L * -math.expm1(-(b - a) / L)
        out[i] = s
    return out


def sample_scatter(spec: ScatterSpec, llp_p4, proc, per_el, rng):
    """Outgoing ``(p4 (n, 2, 4), pdg (n, 2))`` for ALPs ``llp_p4`` scattering by ``proc``
    (0 Primakoff, 1 Compton); ``per_el`` the Primakoff rate per element (target choice)."""
    from ...kinematics.directions import about_axis_array

    n = llp_p4.shape[0]
    p4 = np.zeros((n, 2, 4))
    pdg = np.zeros((n, 2), dtype=np.int32)
    if n == 0:
        return p4, pdg
    E = llp_p4[:, 3]
    p3 = llp_p4[:, :3]
    pm = np.sqrt(np.einsum("ij,ij->i", p3, p3))
    axis = p3 / pm[:, None]
    m = spec.m_a
    phi = 2.0 * math.pi * rng.random(n)
    ip = np.flatnonzero(proc == 0)
    if ip.size:
        # target element in proportion to n sigma
        w = per_el[ip]
        cum = np.cumsum(w, axis=1)
        u = rng.random(ip.size) * cum[:, -1]
        el = np.minimum((cum < u[:, None]).sum(axis=1), w.shape[1] - 1)
        th = np.array([XS.sample_inverse_primakoff_theta(E[i], m, spec.Z[e], spec.A[e], rng)
                       for i, e in zip(ip, el)])
        M = spec.nucleus_mass[el]
        c = np.cos(th)
        eg = (m * m + 2.0 * E[ip] * M) / (2.0 * (E[ip] + M - pm[ip] * c))
        d = about_axis_array(axis[ip], c, phi[ip])
        pg = eg[:, None] * d
        p4[ip, 0, :3], p4[ip, 0, 3] = pg, eg
        pn = p3[ip] - pg
        p4[ip, 1, :3], p4[ip, 1, 3] = pn, E[ip] + M - eg
        pdg[ip, 0], pdg[ip, 1] = 22, spec.nucleus_pdg[el]
    ic = np.flatnonzero(proc == 1)
    if ic.size:
        me = X.M_E
        eg = np.array([XS.sample_inverse_compton_egamma(E[i], m, rng) for i in ic])
        kin = np.array([X.inverse_compton_kinematics(g, E[i], m) for g, i in zip(eg, ic)])
        cg = kin[:, 0]  # the recoil's energy follows from conservation below
        d = about_axis_array(axis[ic], cg, phi[ic])
        pg = eg[:, None] * d
        p4[ic, 0, :3], p4[ic, 0, 3] = pg, eg
        p4[ic, 1, :3], p4[ic, 1, 3] = p3[ic] - pg, E[ic] + me - eg
        pdg[ic, 0], pdg[ic, 1] = 22, 11
    return p4, pdg
