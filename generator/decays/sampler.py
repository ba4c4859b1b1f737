"""Decay samplers for every channel of the HNL, ALP and Z' models.

:func:`sample_decays` turns lab four-momenta of decaying BSM particles into the lab
four-momenta of their daughters, for one :class:`~fipgen.models.base.Channel`:

* **two-body** channels: isotropic in the parent rest frame; optionally polarised for
  ``N -> l P``, ``nu P``, ``l V``, ``nu V`` (P pseudoscalar, V vector meson): the fermion
  follows ``1 + P A cos(theta)`` about the spin axis, :func:`polarised_asymmetry`. Other
  channels given a non-zero polarisation raise (never a silent isotropic decay). The
  vector meson's own polarisation is not passed on to its decay (isotropic).
* **three-body** channels: sampled from the matrix element (Dalitz density,
  :mod:`fipgen.decays.threebody`), with isotropic orientation:

  ============================  ===========================================================
  ``nu_a l_b+ l_b-``            neutral current, W/Z interference when a == b
                                (:func:`~fipgen.decays.hnl_matrix_elements.dgamma_nc`)
  ``l_a- l_b+ nu_b`` (a != b)   charged current (:func:`~.hnl_matrix_elements.dgamma_cc`)
  ``nu nu nu``                  :func:`~.hnl_matrix_elements.dgamma_3nu` (not flat)
  ``pi+ pi- pi0`` (ALP)         the model's amplitude
                                (:func:`fipgen.models.alp.three_pion_amplitude_sq`):
                                linear in ``s(+-)`` (three-flavour, arXiv:1811.03474) or
                                ``~ (s(+-) - m_pi^2)`` (two-flavour, arXiv:1708.00443)
  ``pi0 pi0 pi0`` (ALP)         flat (constant amplitude at leading order, both treatments)
  ``pi+ pi- pi0`` (Z')          vector -> 3 pi through omega (VMD):
                                :func:`~fipgen.decays.resonances.vector_3pi_density`
  ============================  ===========================================================

* **four bodies** (``Z' -> pi+ pi- pi+ pi-``, ``pi+ pi- pi0 pi0``): the matrix element of the
  isovector four-pion current, ``|M|^2 = -g_{mu nu} J^mu J^nu* / 3`` (unpolarised vector):

  ============================  ===========================================================
  ``pi+ pi- pi+ pi-`` (Z')      a1(1260) pi (a1 -> rho pi, running widths) + rho0 f0(1370),
                                Bose-symmetrised by the isospin relation (Czyz and Kuhn,
                                arXiv:hep-ph/0008262; :mod:`fipgen.decays.fourpion`)
  ``pi+ pi- pi0 pi0`` (Z')      the same a1 pi + rho f0 current plus omega(-> rho pi) pi0
                                (omega pi0 ~ 0.9 of the rate at 1 GeV, ~ 0.3 above 1.4 GeV)
  ============================  ===========================================================

  sampled exactly by accept-reject over four-body phase space with a1/rho/omega importance
  channels (:func:`~fipgen.decays.fourpion.sample_four_pion`); the partial widths stay those
  of the model (DarkCast's VMD fits). Other final states of four or more bodies would get flat
  phase space (:func:`~fipgen.decays.threebody.flat_nbody`); no model has one.
* **Majorana** (``Channel.conjugate``): each decay is replaced by its charge conjugate with
  probability 1/2 (charged codes and neutrinos flip sign, neutral mesons keep theirs; the
  polarised asymmetries flip sign too).
* **Polarised HNL** (``polarization``, ``spin_axis``): two-body ``N -> l/nu + P/V`` as above;
  the leptonic three-body channels (``nu l l``, ``l_a l_b nu``, ``nu nu nu``) from the
  spin-dependent matrix element (``P -> P - M s``,
  :func:`~fipgen.decays.hnl_matrix_elements.spin_ratio`): unpolarised candidates kept
  with probability ``|M(s)|^2 / (2 |M|^2)`` (about half are kept). Other channels raise.
* **Line shapes** (``line_shapes=True``, default): a rho, K*, omega or phi daughter that is
  to be decayed gets a mass drawn per event from its Breit-Wigner times the two-body phase
  space of the producing decay, truncated to the kinematic range
  (:mod:`fipgen.decays.lineshape`); the kinematics and its own decay use that mass.
  Only the final (on-shell, PDG-mass) daughters are returned. Resonances kept undecayed,
  pi0/eta/eta', and daughters of three- and more-body channels stay at the PDG mass.
  ``line_shapes=False`` gives the fixed-mass kinematics of earlier versions.
* **SM resonances** among the daughters are decayed with PDG branching fractions
  (:func:`~fipgen.decays.resonances.decay_resonances`): default all of pi0, eta, eta',
  rho, omega, phi, K*. pi+-, K+-, K0L, K0S and muons are left to the detector simulation.

Names: ``nu`` (flavour sum) is written as nu_e (12) and, in ``nu l+ l-``, is treated as
neutral current without the W exchange; in ``l_a l_b nu`` the charged lepton of the
neutrino's flavour is l_b (the W's). Neutrino signs (nu or nubar) come from the channel's
``daughters`` when it lists them (the notation does not tell nu from nubar).

Output: :class:`DecayProducts` with ``pdg`` (n, k) int32 and ``p4`` (n, k, 4) in the lab
(GeV). ``k`` is fixed per (channel, ``decay_resonances``): the largest final multiplicity
any branch can give; shorter final states are padded at the end of the row with pdg 0
and zero four-vectors.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numba
import numpy as np

from .._jit import JIT_OPTIONS as _JIT
from ..errors import PhysicsError
from ..kinematics.boost import _as_p4, _as_v3, boost_from_rest
from ..fasttrig import cos_sin_turn
from ..kinematics.directions import about_axis_cs
from ..kinematics.twobody import rest_pair, store_pair_from_rest, two_body_isotropic
from ..models.base import Channel
from . import hnl_matrix_elements as hme
from .fourpion import final_state_kind, sample_four_pion
from .lineshape import has_line_shape, sample_line_shape, sample_pair_line_shapes, two_body_isotropic_masses
from .resonances import (
    NEUTRINOS,
    RESONANCE_FAMILIES,
    conjugate,
    decay_resonances as _decay_resonances,
    max_multiplicity,
    parse_channel,
    sm_mass,
    vector_3pi_density,
)
from .threebody import dalitz_fmax, flat_nbody, sample_dalitz, three_body_momenta

__all__ = [
    "DecayProducts",
    "DEFAULT_RESONANCES",
    "sample_decays",
    "three_body_density",
    "polarised_asymmetry",
    "two_body_along_axis",
    "two_body_along_axis_numpy",
    "sample_cos_linear",
]

#: Resonance families decayed by default (all those in the table).
DEFAULT_RESONANCES = tuple(RESONANCE_FAMILIES)

_LEPTONS = {11: "e", 13: "mu", 15: "tau", 12: "e", 14: "mu", 16: "tau"}
_PSEUDOSCALARS = frozenset({211, 111, 321, 221, 331, 411, 431})
_VECTORS = frozenset({213, 113, 223, 333, 323, 313})


@dataclass(frozen=True)
class DecayProducts:
    """Daughters of ``n`` decays.

    Attributes
    ----------
    pdg : numpy.ndarray, shape (n, k), int32
        PDG codes; rows are padded at the end with 0 when a branch has fewer particles.
    p4 : numpy.ndarray, shape (n, k, 4), float64
        Lab four-momenta ``(px, py, pz, E)`` in GeV (zero under pdg 0).
    """

    pdg: np.ndarray
    p4: np.ndarray


# --- three-body densities --------------------------------------------------------------


def _alp_3pi_density(channel: str, M: float, chiral: str):
    # the model's own |M|^2 (fipgen.models.alp.three_pion_amplitude_sq) at unit coupling: the
    # shape does not depend on c_gg / f_a, only on the chiral treatment. s12 = s(pi pi) of the
    # first two daughters.
    from ..models.alp import three_pion_amplitude_sq

    def f(s12, s23):
        s12 = np.asarray(s12, dtype=np.float64)
        amp = three_pion_amplitude_sq(channel, s12, M, 1.0, 1.0, chiral=chiral)
        return amp + 0.0 * np.asarray(s23, dtype=np.float64)

    return f


def _lepton_three_body(codes, masses):
    """``(kind, perm, kwargs, label)`` of an HNL leptonic three-body channel, else None.

    ``kind`` is the :func:`~fipgen.decays.hnl_matrix_elements.spin_ratio` kind and
    ``perm`` the daughters' order in its matrix element.
    """
    a = [abs(c) for c in codes]
    nus = [i for i in range(3) if a[i] in NEUTRINOS]
    charged_leptons = [i for i in range(3) if a[i] in (11, 13, 15)]
    if len(nus) == 3:
        # nu_a nu_b nubar_b: the antineutrino (negative code) is particle 3 when the name says so
        anti = [i for i in range(3) if codes[i] < 0]
        perm = (0, 1, 2) if not anti else tuple([i for i in range(3) if i != anti[0]] + [anti[0]])
        return "3nu", perm, {}, "N -> 3 nu (1805.08567)"
    if len(nus) == 1 and len(charged_leptons) == 2:
        i_nu = nus[0]
        i, j = charged_leptons
        if codes[i] * codes[j] > 0:
            raise PhysicsError(f"three-body channel {codes}: the charged leptons must have opposite charges")
        minus, plus = (i, j) if codes[i] > 0 else (j, i)  # PDG: l- has a positive code
        if a[i] == a[j]:  # neutral current nu_a l_b- l_b+
            same = _LEPTONS[a[i_nu]] == _LEPTONS[a[i]]
            label = "N -> nu l l, neutral current" + (" + W/Z interference" if same else "")
            return "nc", (i_nu, minus, plus), {"m_l": masses[i], "same_flavour": same}, label
        # charged current l_a- l_b+ nu_b: l_b is the charged lepton of the neutrino's flavour
        if _LEPTONS[a[i]] == _LEPTONS[a[i_nu]]:
            ib, ia = i, j
        elif _LEPTONS[a[j]] == _LEPTONS[a[i_nu]]:
            ib, ia = j, i
        else:  # generic "nu": l_b is the positive one (N -> l_a- W+*)
            ib, ia = plus, minus
        return "cc", (ia, ib, i_nu), {}, "N -> l_a l_b nu, charged current"
    return None


def three_body_density(codes: tuple[int, ...], M: float, masses, model=None):
    """Dalitz density for a three-body channel and the order it expects the daughters in.

    Parameters
    ----------
    codes : tuple of 3 int
        Daughter PDG codes in channel-name order.
    M : float
        Parent mass (GeV).
    masses : sequence of 3 float
        Daughter masses (GeV), same order.
    model : {"hnl", "alp", "zprime"} or a model object, optional
        Parent model; needed only where a final state is shared (``pi+ pi- pi0``). An
        :class:`~fipgen.models.alp.ALP` object also passes its ``chiral`` treatment
        (default three-flavour) to the 3 pi matrix element.

    Returns
    -------
    density : callable
        ``f(s12, s23)`` over the Dalitz variables of the daughters taken in order ``perm``.
    perm : tuple of 3 int
        Indices into ``codes``: ``codes[perm[0]]`` is the density's particle 1, etc.
    label : str
        Short description of the matrix element used.
    """
    chiral = getattr(model, "chiral", "three-flavour")
    model = getattr(model, "particle", model)
    lep = _lepton_three_body(codes, masses)
    if lep is not None:
        kind, perm, kw, label = lep
        if kind == "3nu":
            return (lambda s12, s23: hme.dgamma_3nu(s12, s23, M)), perm, label
        if kind == "nc":
            return (lambda s12, s23: hme.dgamma_nc(s12, s23, M, kw["m_l"], same_flavour=kw["same_flavour"])), perm, label
        ma, mb = masses[perm[0]], masses[perm[1]]
        return (lambda s12, s23: hme.dgamma_cc(s12, s23, M, ma, mb)), perm, label
    if sorted(codes) == [-211, 111, 211]:
        order = (codes.index(211), codes.index(-211), codes.index(111))
        if model == "alp":
            return _alp_3pi_density("pi+ pi- pi0", M, chiral), order, f"a -> pi+ pi- pi0 ({chiral}, fipgen.models.alp)"
        if model == "zprime":
            return vector_3pi_density(M, masses[order[0]], masses[order[2]]), order, "V -> pi+ pi- pi0 (GSW, rho-pi)"
        raise PhysicsError("channel 'pi+ pi- pi0' needs model='alp' or model='zprime' to choose its matrix element")
    if codes == (111, 111, 111) and model == "alp":
        return _alp_3pi_density("pi0 pi0 pi0", M, chiral), (0, 1, 2), f"a -> 3 pi0 ({chiral}, fipgen.models.alp)"
    raise PhysicsError(f"no matrix element for the three-body final state {codes} (model {model!r})")


# --- polarised two-body ------------------------------------------------------------------


def polarised_asymmetry(M: float, m_f: float, m_m: float, spin: int = 0) -> float:
    """Asymmetry ``A`` of ``dGamma/dcos(theta) ~ 1 + P A cos(theta)`` for ``N -> f + meson``.

    ``theta`` is the angle between the fermion ``f`` (charged lepton or neutrino of lepton
    number +1: ``l-`` or ``nu``) and the HNL spin axis in the HNL rest frame; ``P`` is the
    HNL polarisation along that axis. The leptonic current is ``f gamma^mu (1 - g5) N``
    for every channel (CC and NC), contracted with ``f_P p_mu`` (pseudoscalar, ``spin=0``)
    or ``g_V eps*_mu`` (vector, ``spin=1``).

    *Derived* here in helicity amplitudes, in the two-component form of the structure of
    arXiv:2109.10358 (de Gouvea, Fox, Kayser, Kelly, sec. 2) and arXiv:1610.08512
    (Balantekin, de Gouvea, Kayser). With the fermion of helicity ``lambda`` along z and
    ``E_f, E_m, p`` the rest-frame energies and momentum, only the left-chiral components
    enter and ``|a|^2`` are

    * pseudoscalar: ``(E_f - 2 lambda p)(E_m - 2 lambda p)^2``, N spin projection ``lambda``;
    * vector, longitudinal: ``(E_f - 2 lambda p)(E_m - 2 lambda p)^2 / m_V^2``, projection
      ``lambda``; transverse (``lambda_V = 2 lambda``): ``2 (E_f - 2 lambda p)``,
      projection ``-lambda``.

    A projection ``+-1/2`` gives ``(1 +- cos theta)/2``, so ``A = sum(+-|a|^2) / sum|a|^2``.
    Checks (tests): pseudoscalar ``A = -(1 - x_f^2) lambda^{1/2}(1, x_f^2, x_P^2) /
    [(1 - x_f^2)^2 - x_P^2 (1 + x_f^2)]``, -1 for a massless fermion; vector with a
    massless fermion ``A = -(M^2 - 2 m_V^2)/(M^2 + 2 m_V^2)`` (the ``F_0``, ``F_-``
    helicity fractions of t -> b W). The charge-conjugate state (``l+``, nubar) has ``-A``;
    the sum of both (Majorana, equal rates) is isotropic (1610.08512).
    """
    M2 = M * M
    ef = (M2 + m_f * m_f - m_m * m_m) / (2 * M)
    em = M - ef
    m_m = np.asarray(m_m, dtype=np.float64)  # may be an array (line-shape masses)
    lam = (M2 - (m_f + m_m) ** 2) * (M2 - (m_f - m_m) ** 2)
    p = np.sqrt(np.maximum(lam, 0.0)) / (2 * M)
    # E - p = m^2 / (E + p): no cancellation
    f_m, f_p = ef + p, m_f * m_f / (ef + p)  # E_f - 2 lambda p for lambda = -1/2, +1/2
    m_m_, m_p_ = em + p, m_m * m_m / (em + p)  # E_m - 2 lambda p
    long_m = f_m * m_m_**2  # projection -1/2
    long_p = f_p * m_p_**2  # projection +1/2
    def out(x):
        return float(x) if np.ndim(x) == 0 else x

    if spin == 0:
        return out((long_p - long_m) / (long_p + long_m))
    if spin == 1:
        mv2 = m_m * m_m
        tr_m = 2.0 * f_m  # lambda = -1/2, lambda_V = -1: projection +1/2
        tr_p = 2.0 * f_p  # lambda = +1/2, lambda_V = +1: projection -1/2
        num = (long_p - long_m) / mv2 + tr_m - tr_p
        den = (long_p + long_m) / mv2 + tr_m + tr_p
        return out(num / den)
    raise ValueError(f"spin must be 0 or 1, got {spin!r}")


def sample_cos_linear(a, u):
    """Inverse CDF of ``(1 + a c)/2`` on ``c`` in [-1, 1] (``|a| <= 1``) at uniforms ``u``.

    ``c = (a - 2 + 4u) / (1 + sqrt((1 - a)^2 + 4 a u))``: the root of
    ``a c^2/2 + c + 1 - a/2 - 2u = 0`` written without the 1/a (exact at a = 0).
    """
    a = np.asarray(a, dtype=np.float64)
    u = np.asarray(u, dtype=np.float64)
    return np.clip((a - 2.0 + 4.0 * u) / (1.0 + np.sqrt(np.clip((1.0 - a) ** 2 + 4.0 * a * u, 0.0, None))), -1.0, 1.0)


@numba.njit(**_JIT)
def _axis_kernel(parent, M, m1, m2, axis, cth, u_phi):  # pragma: no cover - compiled
    n = parent.shape[0]
    p1 = np.empty((n, 4))
    p2 = np.empty((n, 4))
    for i in range(n):
        Mi = M[i]
        ps, e1, e2 = rest_pair(Mi, m1[i], m2[i])
        sx, sy, sz = axis[i, 0], axis[i, 1], axis[i, 2]
        nn = np.sqrt(sx * sx + sy * sy + sz * sz)
        sx /= nn
        sy /= nn
        sz /= nn
        cp, sp = cos_sin_turn(u_phi[i])  # azimuth 2 pi u_phi
        nx, ny, nz = about_axis_cs(sx, sy, sz, cth[i], cp, sp)
        kx, ky, kz = ps * nx, ps * ny, ps * nz
        store_pair_from_rest(parent, i, Mi, kx, ky, kz, e1, e2, p1, p2)
    return p1, p2


def two_body_along_axis(parent_p4, M, m1, m2, axis, cth, u_phi):
    """Two-body decay with daughter 1 at polar angle ``acos(cth)`` to ``axis`` (rest frame).

    Parameters
    ----------
    parent_p4 : array_like, shape (n, 4)
        Lab four-momenta of the parents (GeV).
    M : float or array_like
        Parent mass(es) (GeV).
    m1, m2 : float or array_like (n,)
        Daughter masses (GeV).
    axis : array_like, shape (n, 3) or (3,)
        Quantisation axis in the parent rest frame (axes parallel to the lab's).
    cth : array_like, shape (n,)
        ``cos theta*`` of daughter 1 to ``axis``.
    u_phi : array_like, shape (n,)
        Uniforms for the azimuth about ``axis``.

    Returns
    -------
    p1, p2 : numpy.ndarray, shape (n, 4)
        Lab four-momenta (GeV).
    """
    par = _as_p4(parent_p4)
    n = par.shape[0]
    Mv = np.ascontiguousarray(np.broadcast_to(np.asarray(M, dtype=np.float64), (n,)))
    a = np.ascontiguousarray(np.broadcast_to(np.asarray(m1, dtype=np.float64), (n,)))
    b = np.ascontiguousarray(np.broadcast_to(np.asarray(m2, dtype=np.float64), (n,)))
    if np.any(Mv < a + b):
        raise PhysicsError(f"two-body decay closed: parent mass {float(np.min(Mv)):.6g} GeV < {float(np.max(a + b)):.6g} GeV")
    ax = _as_v3(axis, n)
    c = np.ascontiguousarray(np.broadcast_to(np.asarray(cth, dtype=np.float64), (n,)))
    up = np.ascontiguousarray(np.broadcast_to(np.asarray(u_phi, dtype=np.float64), (n,)))
    return _axis_kernel(par, Mv, a, b, ax, c, up)


def two_body_along_axis_numpy(parent_p4, M, m1, m2, axis, cth, u_phi):
    """Plain-numpy reference of :func:`two_body_along_axis` (same basis, ``np.cross``)."""
    from ..kinematics.boost import boost_from_rest

    par = np.asarray(parent_p4, dtype=np.float64).reshape(-1, 4)
    n = par.shape[0]
    Mv = np.broadcast_to(np.asarray(M, dtype=np.float64), (n,))
    s = np.broadcast_to(np.asarray(axis, dtype=np.float64), (n, 3))
    s = s / np.linalg.norm(s, axis=1)[:, None]
    h = np.where((np.abs(s[:, 0]) < 0.9)[:, None], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0])
    e1 = np.cross(h, s)
    e1 /= np.linalg.norm(e1, axis=1)[:, None]
    e2 = np.cross(s, e1)
    m1 = np.broadcast_to(np.asarray(m1, dtype=np.float64), (n,))
    m2 = np.broadcast_to(np.asarray(m2, dtype=np.float64), (n,))
    ps = np.sqrt((Mv**2 - (m1 + m2) ** 2) * (Mv**2 - (m1 - m2) ** 2)) / (2 * Mv)
    c = np.asarray(cth)
    sn = np.sqrt(1 - c**2)
    phi = 2 * np.pi * np.asarray(u_phi)
    k = ps[:, None] * (c[:, None] * s + sn[:, None] * (np.cos(phi)[:, None] * e1 + np.sin(phi)[:, None] * e2))
    r1 = np.column_stack([k, np.sqrt(ps**2 + m1**2)])
    r2 = np.column_stack([-k, np.sqrt(ps**2 + m2**2)])
    return boost_from_rest(r1, par, Mv), boost_from_rest(r2, par, Mv)


# --- the sampler -------------------------------------------------------------------------


def _check_daughters(channel: Channel, codes):
    if not channel.daughters:
        return
    def key(c):
        return sorted(abs(x) if abs(x) in NEUTRINOS else x for x in c)
    if key(channel.daughters) != key(codes):
        raise PhysicsError(
            f"channel {channel.name!r}: daughters {channel.daughters} do not match the name ({tuple(codes)})"
        )


@lru_cache(maxsize=1024)
def _cached_fmax(codes, M, masses, particle, chiral):
    """The Dalitz density's bound (``dalitz_fmax``) once per (channel, masses, model kind):
    it costs a 256 x 256 grid. Still exact: ``sample_dalitz`` raises it and redraws if ever
    exceeded."""

    class _Model:  # the two attributes three_body_density reads
        pass

    mdl = _Model()
    mdl.particle, mdl.chiral = particle, chiral
    dens, perm, _ = three_body_density(codes, M, list(masses), mdl if particle is not None else None)
    mp = [masses[i] for i in perm]
    return dalitz_fmax(dens, M, mp[0], mp[1], mp[2])


def _lepton_number(codes) -> int:
    return sum((1 if c > 0 else -1) for c in codes if 11 <= abs(c) <= 16)


def _polarised_three_body(par, M, mp, dens, kind, kw, lam, axis, rng, fmax=None):
    """Polarised three-body decay: unpolarised (Dalitz density, isotropic orientation) rest-frame
    candidates kept with probability ``spin_ratio / 2`` (the ratio lies in [0, 2]), then
    boosted to the lab. Exact for the matrix elements of :mod:`hnl_matrix_elements`."""
    n = par.shape[0]
    rest = np.zeros((n, 4))
    rest[:, 3] = M
    q = np.empty((n, 3, 4))
    todo = np.arange(n)
    while todo.size:
        m = todo.size
        s12, s23 = sample_dalitz(dens, M, mp[0], mp[1], mp[2], m, rng, fmax=fmax)
        cand = three_body_momenta(rest[:m], mp, s12, s23, rng.random((m, 3)), parent_mass=M)
        r = hme.spin_ratio(kind, cand, M, lam[todo], axis[todo], **kw)
        keep = 2.0 * rng.random(m) < r
        q[todo[keep]] = cand[keep]
        todo = todo[~keep]
    lab = boost_from_rest(q.reshape(-1, 4), np.repeat(par, 3, axis=0), np.full(3 * n, M))
    return lab.reshape(n, 3, 4)


def sample_decays(
    parent_p4,
    parent_mass: float,
    channel: Channel,
    rng: np.random.Generator,
    *,
    polarization=None,
    spin_axis=None,
    decay_resonances=DEFAULT_RESONANCES,
    model=None,
    bsm_masses=None,
    line_shapes: bool = True,
    antiparticle=None,
) -> DecayProducts:
    """Decay ``n`` parents through ``channel``; daughters' lab four-momenta.

    Parameters
    ----------
    parent_p4 : array_like, shape (n, 4)
        Lab four-momenta of the decaying particles (GeV).
    parent_mass : float
        Their mass (GeV), exact (one value for all rows).
    channel : Channel
        The channel (name in :mod:`fipgen.models.base` notation; ``daughters`` checked
        against it; ``conjugate`` -> charge-conjugate final state with probability 1/2).
        ``kind == "inclusive"`` is an error.
    rng : numpy.random.Generator
        Source of every random number.
    polarization : float or array_like (n,), optional
        HNL polarisation ``P`` in [-1, 1] along ``spin_axis`` (``P = +-1``: helicity +-1 when
        the axis is the direction of flight), for the decay of ``N`` as named (lepton number
        +1; the conjugate half of a Majorana channel gets the opposite sign). For
        ``N -> l/nu + P/V`` (:func:`polarised_asymmetry`) and the leptonic three-body
        channels (:func:`~fipgen.decays.hnl_matrix_elements.spin_ratio`); other channels
        raise if it is non-zero.
    spin_axis : array_like (3,) or (n, 3), optional
        Spin quantisation axis in the parent rest frame (reached from the lab by a pure
        boost, axes parallel to the lab's); default: the parent's direction of flight.
    decay_resonances : iterable of str
        Resonance families to decay (``pi0``, ``eta``, ``eta'``, ``rho``, ``omega``,
        ``phi``, ``K*``); default all. ``()`` keeps every daughter as produced.
    model : {"hnl", "alp", "zprime"} or a model object, optional
        Parent model, needed for final states shared between models (``pi+ pi- pi0``); an
        ALP object also fixes the chiral treatment of its 3 pi matrix element. Four-pion final
        states are decays of a vector (None or ``"zprime"``; another model raises).
    bsm_masses : mapping of int to float, optional
        Masses (GeV) of BSM daughters by PDG code, e.g. ``{9900012: m_N}`` for ``N N``.
    antiparticle : array_like of bool (n,), optional
        For a channel without ``conjugate`` (a Dirac HNL): True where the parent is the
        antiparticle, whose decay is the charge conjugate of the named one (Nbar -> e+ pi-).
        Ignored for ``conjugate`` channels (Majorana: each charge state with probability 1/2).
    line_shapes : bool
        Draw the masses of rho, K*, omega, phi daughters of two-body channels (those that
        are decayed) from their Breit-Wigner line shapes times the phase space
        (:mod:`fipgen.decays.lineshape`), also in resonance decays (``eta' -> rho0
        gamma``, ``omega gamma``). ``False``: PDG masses (fixed-mass kinematics).

    Returns
    -------
    DecayProducts
        ``pdg`` (n, k) int32 and ``p4`` (n, k, 4) GeV, lab frame; ``k`` fixed for the
        channel and ``decay_resonances`` (rows padded at the end with pdg 0).

    Raises
    ------
    PhysicsError
        Inclusive or unknown channel, closed channel, missing mass, unsupported
        polarised channel.
    """
    if channel.kind == "inclusive":
        raise PhysicsError(
            f"channel {channel.name!r} is inclusive (quark level): the model samples it through exclusive final states"
        )
    par = _as_p4(parent_p4)
    n = par.shape[0]
    M = float(parent_mass)
    codes = parse_channel(channel.name)
    _check_daughters(channel, codes)
    if channel.daughters and all(abs(c) == abs(d) for c, d in zip(codes, channel.daughters)):
        # the name does not tell nu from nubar; the channel's daughters do
        codes = tuple(d if abs(d) in NEUTRINOS else c for c, d in zip(codes, channel.daughters))
    masses = [sm_mass(c, bsm_masses) for c in codes]
    if not M > sum(masses):
        raise PhysicsError(f"channel {channel.name!r} closed: parent mass {M:.6g} GeV <= {sum(masses):.6g} GeV")
    fam = tuple(decay_resonances)
    k_out = sum(max_multiplicity(c, fam) for c in codes)
    if n == 0:
        return DecayProducts(pdg=np.zeros((0, k_out), dtype=np.int32), p4=np.zeros((0, k_out, 4)))
    if channel.conjugate:
        conj = rng.random(n) < 0.5
    elif antiparticle is not None:
        conj = np.broadcast_to(np.asarray(antiparticle, dtype=bool), (n,)).copy()
    else:
        conj = np.zeros(n, dtype=bool)
    pol = None
    if polarization is not None:
        pol = np.broadcast_to(np.asarray(polarization, dtype=np.float64), (n,))
        if np.any(np.abs(pol) > 1.0):
            raise ValueError("polarization must lie in [-1, 1]")
        if not np.any(pol != 0.0):
            pol = None
    if pol is not None:
        # the spin-dependent part flips sign with the lepton number of the final state:
        # +1 (l-, nu: the decay of N) as named, -1 for its charge conjugate
        L = _lepton_number(codes)
        if L not in (1, -1):
            raise PhysicsError(f"polarised decays need a final state of lepton number +-1 (an HNL decay), not {channel.name!r}")
        lam = L * pol * np.where(conj, -1.0, 1.0)
        if spin_axis is None:
            pm = np.linalg.norm(par[:, :3], axis=1)
            if np.any(pm == 0.0):
                raise PhysicsError("a parent at rest has no direction of flight: pass spin_axis")
            axis = par[:, :3] / pm[:, None]
        else:
            axis = _as_v3(spin_axis, n)
            nrm = np.linalg.norm(axis, axis=1)
            if np.any(nrm == 0.0):
                raise ValueError("spin_axis must be non-zero")
            axis = axis / nrm[:, None]

    k0 = len(codes)
    p4 = np.empty((n, k0, 4))
    dm = None  # (n, k0) per-event daughter masses when a line shape is sampled
    if line_shapes and k0 == 2:
        decayed = frozenset().union(*(RESONANCE_FAMILIES[f] for f in fam if f in RESONANCE_FAMILIES))
        ls = [i for i in range(2) if has_line_shape(codes[i]) and codes[i] in decayed]
        if ls:
            dm = np.tile(np.asarray(masses, dtype=np.float64), (n, 1))
            if len(ls) == 1:
                i = ls[0]
                dm[:, i] = sample_line_shape(codes[i], M, masses[1 - i], rng.random(n))
            else:
                dm[:, 0], dm[:, 1] = sample_pair_line_shapes(codes[0], codes[1], M, n, rng)
    m_1 = masses[0] if dm is None else dm[:, 0]
    m_2 = masses[1] if dm is None else dm[:, 1]
    if k0 == 2:
        if pol is None and dm is not None:
            p1, p2 = two_body_isotropic_masses(par, M, m_1, m_2, rng.random(n), rng.random(n))
        elif pol is None:  # written into p4 (no copy)
            two_body_isotropic(par, masses[0], masses[1], rng.random(n), rng.random(n), parent_mass=M, out=p4)
            p1 = p2 = None
        else:
            a = [abs(c) for c in codes]
            fi = [i for i in range(2) if a[i] in (11, 12, 13, 14, 15, 16)]
            if len(fi) != 1 or a[1 - fi[0]] not in _PSEUDOSCALARS | _VECTORS:
                raise PhysicsError(
                    f"polarised decays are implemented for N -> l/nu + pseudoscalar or vector meson only, not {channel.name!r}"
                )
            f = fi[0]
            mm = masses[1 - f] if dm is None else dm[:, 1 - f]
            A = polarised_asymmetry(M, masses[f], mm, 0 if a[1 - f] in _PSEUDOSCALARS else 1)
            # A is the asymmetry of the lepton-number +1 fermion; an l+ / nubar in the name has -A
            asym = lam * A * (1.0 if codes[f] > 0 else -1.0) * _lepton_number(codes)
            cth = sample_cos_linear(asym, rng.random(n))
            pf, po = two_body_along_axis(par, M, masses[f], mm, axis, cth, rng.random(n))
            p1, p2 = (pf, po) if f == 0 else (po, pf)
        if p1 is not None:
            p4[:, 0] = p1
            p4[:, 1] = p2
    elif k0 == 3:
        dens, perm, _ = three_body_density(codes, M, masses, model)
        mp = [masses[i] for i in perm]
        fm = _cached_fmax(tuple(codes), M, tuple(masses), getattr(model, "particle", model),
                          getattr(model, "chiral", "three-flavour"))
        if pol is None:
            s12, s23 = sample_dalitz(dens, M, mp[0], mp[1], mp[2], n, rng, fmax=fm)
            out = three_body_momenta(par, mp, s12, s23, rng.random((n, 3)), parent_mass=M)
        else:
            lep = _lepton_three_body(codes, masses)
            if lep is None:
                raise PhysicsError(f"polarised three-body decays are implemented for leptonic HNL channels only, not {channel.name!r}")
            out = _polarised_three_body(par, M, mp, dens, lep[0], lep[2], lam, axis, rng, fm)
        for j, i in enumerate(perm):
            p4[:, i] = out[:, j]
    else:
        if pol is not None:
            raise PhysicsError(f"polarised {k0}-body decays are not implemented ({channel.name!r})")
        if final_state_kind(codes) is not None:
            # Z' -> 4 pi: the isovector four-pion current (fipgen.decays.fourpion)
            kind = getattr(model, "particle", model)
            if kind not in (None, "zprime"):
                raise PhysicsError(f"the four-pion matrix element is that of a vector boson, not of model {kind!r}")
            p4 = sample_four_pion(par, M, codes, rng)
        else:
            # no matrix element for other final states of four and more bodies: flat phase space
            p4 = flat_nbody(par, M, masses, rng)

    pdg = np.tile(np.asarray(codes, dtype=np.int64), (n, 1))
    if np.any(conj):
        cc = np.asarray([conjugate(c) for c in codes], dtype=np.int64)
        pdg[conj] = cc
    if k_out == k0:
        return DecayProducts(pdg=pdg.astype(np.int32), p4=p4)
    P, Q = _decay_resonances(pdg, p4, rng, fam, k_out=k_out, masses=dm, line_shapes=line_shapes)
    return DecayProducts(pdg=P, p4=Q)

