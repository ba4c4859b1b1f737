"""The cascade kernel: photons, electrons and positrons in one homogeneous medium.

One call of :func:`cascade` runs every primary's whole shower with an explicit particle
stack (last in, first out), in numba, drawing every random number from the
``numpy.random.Generator`` it is given (numba reproduces numpy's stream, so a seed fixes
the result). What it scores, weighted by the primary's weight:

* ``hist[s, i, j]``: track length (m) of species s (0 photon, 1 e-, 2 e+) in energy bin i
  (photon energy / kinetic energy, log-uniform edges) and polar-angle bin j (angle to the
  z axis, ``theta_edges``). A charged step spreads its length uniformly over the kinetic
  energies it crosses (continuous loss is linear in path length over one short step).
* ``depth[i]``: energy deposited (continuous loss and particles stopped below the cuts)
  in slices of z of width ``depth_dz`` from z = 0.
* ``ledger[p] = (deposited, escaped, below_cut)`` of primary p (unweighted, GeV), where
  the energy of a photon is k, of an electron its kinetic energy T and of a positron
  T + 2 m_e (it will annihilate with an atomic electron): with this bookkeeping every
  interaction conserves it exactly, so the three add up to the primary's to rounding.
* ``tracklen[p, s]``: total track length of species s in primary p's shower (m,
  unweighted), for the spread of the totals.

Transport (the physics modules give the formulas and citations):

* Photons fly to the next pair production or Compton scattering (exponential distance
  with the tabulated total cross section) or out of the volume; below ``cut_g`` they stop.
* Charged particles take condensed-history steps limited by (i) the next discrete
  interaction (bremsstrahlung above ``cut_g``, Moller/Bhabha delta rays above
  ``cut_e``, annihilation in flight), sampled with the largest cross section over the
  step and a fictitious-interaction rejection, (ii) a fractional continuous energy loss
  ``f_loss`` (restricted stopping power, through the range table), (iii) a multiple-
  scattering limit (Highland angle <= ``theta_max`` per step), (iv) the distance to the
  volume's surface and (v) the distance to the kinetic-energy cut. Multiple scattering
  deflects the direction at the step's midpoint by a Highland angle (PDG RPP "Multiple
  scattering through small angles", theta0 = 13.6 MeV/(beta c p) sqrt(s/X0) [1 + 0.038
  ln(s/(X0 beta^2))], applied per step, the space angle drawn as a 2-d Gaussian with
  per-plane width theta0). No lateral displacement within a step beyond the midpoint kink.
* Below ``cut_e`` an electron stops; a positron stops and annihilates at rest (two
  back-to-back 511 keV photons, tracked only if ``cut_g`` is below 511 keV).
* Compounds and mixtures: a pair conversion or a bremsstrahlung emission happens on
  element j of the medium with probability ``n_j sigma_j / sum_i n_i sigma_i`` at that
  energy (:func:`pick_element`, from the tables' per-element rows), and element j's atom
  vector (``atoms[j]``) gives the final state (:func:`sample_pair_in_medium`,
  :func:`sample_brems_in_medium`). For an element no random number is drawn
  for this, so single-element showers are what they were before compounds existed.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from .._jit import JIT_OPTIONS
from .annihilation import sample_annihilation_eps
from .bremsstrahlung import sample_brems_k, sample_urban_u
from .compton import sample_compton_eps
from .constants import HIGHLAND_E_S, M_E
from .geometry import distance_to_exit, inside
from .ionisation import sample_bhabha, sample_moller
from .pair import sample_pair_x
from .tables import ELEMENT_ROWS

__all__ = ["cascade", "pick_element", "sample_pair_in_medium", "sample_brems_in_medium", "PAR_X0", "PAR_CUT_E", "PAR_CUT_G",
           "PAR_F_LOSS", "PAR_THETA_MAX", "PAR_MSC", "N_PAR", "STACK"]

# rows of the tables (see tables.py)
_PAIR, _COMPTON, _BREM, _MOLLER, _BHABHA, _ANNIH, _DEDX_E, _DEDX_P, _RANGE_E, _RANGE_P = range(10)
# entries of the parameter vector
PAR_X0, PAR_CUT_E, PAR_CUT_G, PAR_F_LOSS, PAR_THETA_MAX, PAR_MSC = range(6)
N_PAR = 6
#: capacity of the particle stack (a LIFO cascade needs ~ log of the multiplicity)
STACK = 100000
_GAMMA, _ELEC, _POSI = 0, 1, 2


@numba.njit(**JIT_OPTIONS)
def _interp(tab, row, lnE, ln_lo, dln):  # pragma: no cover - compiled
    f = (lnE - ln_lo) / dln
    n = tab.shape[1]
    if f <= 0.0:
        return tab[row, 0]
    i = int(f)
    if i >= n - 1:
        return tab[row, n - 1]
    t = f - i
    return tab[row, i] * (1.0 - t) + tab[row, i + 1] * t


@numba.njit(**JIT_OPTIONS)
def _inv_range(tab, row, r, ln_lo, dln):  # pragma: no cover - compiled
    n = tab.shape[1]
    if r <= tab[row, 0]:
        return math.exp(ln_lo)
    if r >= tab[row, n - 1]:
        return math.exp(ln_lo + dln * (n - 1))
    lo = 0
    hi = n - 1
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if tab[row, mid] <= r:
            lo = mid
        else:
            hi = mid
    t = (r - tab[row, lo]) / (tab[row, hi] - tab[row, lo])
    return math.exp(ln_lo + dln * (lo + t))


@numba.njit(**JIT_OPTIONS)
def pick_element(tab, row0, nel, lnE, ln_lo, dln, rng):  # pragma: no cover - compiled
    """Index j of the element of an interaction, drawn with probability
    ``tab[row0 + j](E) / sum_i tab[row0 + i](E)`` (the per-element macroscopic cross sections
    of :mod:`.tables`, interpolated at ln E); 0 without drawing for a single element."""
    if nel == 1:
        return 0
    tot = 0.0
    for j in range(nel):
        tot += _interp(tab, row0 + j, lnE, ln_lo, dln)
    r = rng.random() * tot
    acc = 0.0
    for j in range(nel - 1):
        acc += _interp(tab, row0 + j, lnE, ln_lo, dln)
        if r < acc:
            return j
    return nel - 1


@numba.njit(**JIT_OPTIONS)
def sample_pair_in_medium(tab, lnk, ln_lo, dln, k, atoms, rng):  # pragma: no cover - compiled
    """(element j, positron energy fraction x) of a pair conversion of a photon of energy k
    (ln k = ``lnk``) in the medium of ``tab`` and ``atoms``: j by :func:`pick_element`
    from the pair rows, x from element j's Tsai cross section."""
    j = pick_element(tab, ELEMENT_ROWS, atoms.shape[0], lnk, ln_lo, dln, rng)
    return j, sample_pair_x(k, atoms[j], rng)


@numba.njit(**JIT_OPTIONS)
def sample_brems_in_medium(tab, lnT, ln_lo, dln, E, kc, atoms, rng):  # pragma: no cover - compiled
    """(element j, photon energy k >= kc) of a bremsstrahlung emission of a lepton of total
    energy E (ln of its kinetic energy = ``lnT``): j by :func:`pick_element` from the
    bremsstrahlung rows, k from element j's Tsai cross section."""
    nel = atoms.shape[0]
    j = pick_element(tab, ELEMENT_ROWS + nel, nel, lnT, ln_lo, dln, rng)
    return j, sample_brems_k(E, kc, atoms[j], rng)


@numba.njit(**JIT_OPTIONS)
def _rotate(u, v, w, cost, phi):  # pragma: no cover - compiled
    """Direction at polar angle acos(cost), azimuth phi about the unit vector (u, v, w)."""
    cost = min(max(cost, -1.0), 1.0)
    sint = math.sqrt(max(1.0 - cost * cost, 0.0))
    cp = math.cos(phi)
    sp = math.sin(phi)
    a2 = u * u + v * v
    if a2 < 1e-20:
        s = 1.0 if w >= 0.0 else -1.0
        return sint * cp, sint * sp, s * cost
    a = math.sqrt(a2)
    nu = u * cost + sint * (u * w * cp - v * sp) / a
    nv = v * cost + sint * (v * w * cp + u * sp) / a
    nw = w * cost - sint * a * cp
    norm = math.sqrt(nu * nu + nv * nv + nw * nw)
    return nu / norm, nv / norm, nw / norm


@numba.njit(**JIT_OPTIONS)
def _normalise(x, y, z):  # pragma: no cover - compiled
    n = math.sqrt(x * x + y * y + z * z)
    if n <= 0.0:
        return 0.0, 0.0, 1.0
    return x / n, y / n, z / n


@numba.njit(**JIT_OPTIONS)
def _theta_bin(w, theta_edges):  # pragma: no cover - compiled
    th = math.acos(min(max(w, -1.0), 1.0))
    j = np.searchsorted(theta_edges, th, side="right") - 1
    nt = theta_edges.size - 1
    if j < 0:
        return 0
    if j >= nt:
        return nt - 1
    return j


@numba.njit(**JIT_OPTIONS)
def _ebin(E, eb_lo, eb_dln, neb):  # pragma: no cover - compiled
    i = int(math.floor((math.log(E) - eb_lo) / eb_dln))
    if i < 0:
        return 0
    if i >= neb:
        return neb - 1
    return i


@numba.njit(**JIT_OPTIONS)
def _score(hist, sp, Ta, Tb, s, w, wt, theta_edges, eb_lo, eb_dln, neb):  # pragma: no cover - compiled
    """Add track length s over the energies [Ta, Tb] (uniform in energy) at direction cosine w."""
    if s <= 0.0:
        return
    j = _theta_bin(w, theta_edges)
    ia = _ebin(Ta, eb_lo, eb_dln, neb)
    ib = _ebin(Tb, eb_lo, eb_dln, neb)
    if ia == ib or Tb <= Ta:
        hist[sp, ib, j] += wt * s
        return
    span = Tb - Ta
    for i in range(ia, ib + 1):
        lo = Ta if i == ia else math.exp(eb_lo + eb_dln * i)
        hi = Tb if i == ib else math.exp(eb_lo + eb_dln * (i + 1))
        if hi > lo:
            hist[sp, i, j] += wt * s * (hi - lo) / span


@numba.njit(**JIT_OPTIONS)
def _deposit(depth, z, dE, wt, depth_dz):  # pragma: no cover - compiled
    if depth.size == 0:
        return
    iz = int(math.floor(z / depth_dz))
    if 0 <= iz < depth.size:
        depth[iz] += wt * dE


@numba.njit(**JIT_OPTIONS)
def _push(st_t, st_e, st_p, n, kind, e, x, y, z, du, dv, dw):  # pragma: no cover - compiled
    """Put a secondary (type, kinetic energy, position, direction) on the stack at ``n``; return n + 1."""
    st_t[n] = kind
    st_e[n] = e
    st_p[n, 0] = x
    st_p[n, 1] = y
    st_p[n, 2] = z
    st_p[n, 3] = du
    st_p[n, 4] = dv
    st_p[n, 5] = dw
    return n + 1


@numba.njit(**JIT_OPTIONS)
def p1(T):  # pragma: no cover - compiled
    """Momentum of an electron of kinetic energy T."""
    return math.sqrt(T * (T + 2.0 * M_E))


@numba.njit(**JIT_OPTIONS)
def cascade(ptype, penergy, ppos, pdir, pweight, tab, ln_lo, dln, par, atoms, geom, theta_edges, eb_lo, eb_dln, neb,
            depth_dz, rng, hist, depth, ledger, tracklen, counters):  # pragma: no cover - compiled
    """Run the showers of the primaries ``(ptype, penergy, ppos, pdir, pweight)``.

    ``ptype`` 0/1/2 = photon/e-/e+, ``penergy`` the photon energy or the kinetic energy
    (GeV), positions (n, 3) in m, unit directions (n, 3); ``tab`` the rows of
    :mod:`.tables` and ``atoms`` the medium's atom vectors, one row per element. The outputs ``hist``,
    ``depth``, ``ledger``, ``tracklen`` and ``counters`` (steps, pair, Compton, brems,
    delta rays, annihilations in flight, stopped positrons, stack peak) are added to.
    """
    X0 = par[PAR_X0]
    cut_e = par[PAR_CUT_E]
    cut_g = par[PAR_CUT_G]
    f_loss = par[PAR_F_LOSS]
    theta_max = par[PAR_THETA_MAX]
    msc = par[PAR_MSC] > 0.0
    st_t = np.empty(STACK, np.int64)
    st_e = np.empty(STACK)
    st_p = np.empty((STACK, 6))
    r_cut_e = _interp(tab, _RANGE_E, math.log(cut_e), ln_lo, dln)
    r_cut_p = _interp(tab, _RANGE_P, math.log(cut_e), ln_lo, dln)
    for ip in range(ptype.size):
        wt = pweight[ip]
        n = 1
        st_t[0] = ptype[ip]
        st_e[0] = penergy[ip]
        for a in range(3):
            st_p[0, a] = ppos[ip, a]
            st_p[0, 3 + a] = pdir[ip, a]
        dep = 0.0
        esc = 0.0
        cut = 0.0
        while n > 0:
            n -= 1
            kind = st_t[n]
            E = st_e[n]
            x = st_p[n, 0]
            y = st_p[n, 1]
            z = st_p[n, 2]
            u = st_p[n, 3]
            v = st_p[n, 4]
            w = st_p[n, 5]
            if kind == _GAMMA:
                while True:
                    if E < cut_g:
                        cut += E
                        _deposit(depth, z, E, wt, depth_dz)
                        break
                    lk = math.log(E)
                    sp = _interp(tab, _PAIR, lk, ln_lo, dln)
                    sc = _interp(tab, _COMPTON, lk, ln_lo, dln)
                    s_int = -math.log(1.0 - rng.random()) / (sp + sc)
                    s_geo = distance_to_exit(geom, x, y, z, u, v, w)
                    counters[0] += 1
                    if s_geo <= s_int:
                        _score(hist, 0, E, E, s_geo, w, wt, theta_edges, eb_lo, eb_dln, neb)
                        tracklen[ip, 0] += s_geo
                        esc += E
                        break
                    _score(hist, 0, E, E, s_int, w, wt, theta_edges, eb_lo, eb_dln, neb)
                    tracklen[ip, 0] += s_int
                    x += s_int * u
                    y += s_int * v
                    z += s_int * w
                    if rng.random() * (sp + sc) < sp and E > 2.0 * M_E:
                        # pair production: both leptons pushed, the photon ends
                        counters[1] += 1
                        xp = sample_pair_in_medium(tab, lk, ln_lo, dln, E, atoms, rng)[1]
                        uu = sample_urban_u(rng)
                        phi = 2.0 * math.pi * rng.random()
                        for q in range(2):
                            El = xp * E if q == 0 else (1.0 - xp) * E
                            d = _rotate(u, v, w, math.cos(min(uu * M_E / El, math.pi)), phi + q * math.pi)
                            n = _push(st_t, st_e, st_p, n, _POSI if q == 0 else _ELEC, max(El - M_E, 0.0),
                                      x, y, z, d[0], d[1], d[2])
                        break
                    # Compton scattering: the electron is pushed, the photon goes on
                    counters[2] += 1
                    eps = sample_compton_eps(E, rng)
                    kp = eps * E
                    cost = 1.0 - (1.0 - eps) / (eps * E / M_E)
                    nd = _rotate(u, v, w, cost, 2.0 * math.pi * rng.random())
                    de = _normalise(E * u - kp * nd[0], E * v - kp * nd[1], E * w - kp * nd[2])
                    n = _push(st_t, st_e, st_p, n, _ELEC, E - kp, x, y, z, de[0], de[1], de[2])
                    E = kp
                    u, v, w = nd
            else:
                pos = kind == _POSI
                sp_i = 2 if pos else 1
                rrow = _RANGE_P if pos else _RANGE_E
                drow = _DEDX_P if pos else _DEDX_E
                r_cut = r_cut_p if pos else r_cut_e
                T = E
                alive = True
                while alive:
                    if T <= cut_e:
                        if pos:
                            counters[6] += 1
                            if cut_g <= M_E:
                                cut += T
                                _deposit(depth, z, T, wt, depth_dz)
                                phi = 2.0 * math.pi * rng.random()
                                ct = 2.0 * rng.random() - 1.0
                                st = math.sqrt(max(1.0 - ct * ct, 0.0))
                                for q in range(2):
                                    sg = 1.0 if q == 0 else -1.0
                                    n = _push(st_t, st_e, st_p, n, _GAMMA, M_E, x, y, z,
                                              sg * st * math.cos(phi), sg * st * math.sin(phi), sg * ct)
                            else:
                                cut += T + 2.0 * M_E
                                _deposit(depth, z, T + 2.0 * M_E, wt, depth_dz)
                        else:
                            cut += T
                            _deposit(depth, z, T, wt, depth_dz)
                        break
                    lt = math.log(T)
                    S = _interp(tab, drow, lt, ln_lo, dln)
                    R = _interp(tab, rrow, lt, ln_lo, dln)
                    sig0 = _interp(tab, _BREM, lt, ln_lo, dln)
                    sig0 += _interp(tab, _BHABHA if pos else _MOLLER, lt, ln_lo, dln)
                    if pos:
                        sig0 += _interp(tab, _ANNIH, lt, ln_lo, dln)
                    p = math.sqrt(T * (T + 2.0 * M_E))
                    beta = p / (T + M_E)
                    s_cut = R - r_cut
                    s_cont = min(f_loss * T / S, s_cut)
                    if msc:
                        s_cont = min(s_cont, X0 * (theta_max * beta * p / HIGHLAND_E_S) ** 2)
                    s_cont = max(s_cont, 1e-12 * X0)
                    Tend = cut_e if s_cont >= s_cut else _inv_range(tab, rrow, R - s_cont, ln_lo, dln)
                    lte = math.log(Tend)
                    sig1 = _interp(tab, _BREM, lte, ln_lo, dln) + _interp(tab, _BHABHA if pos else _MOLLER, lte, ln_lo, dln)
                    if pos:
                        sig1 += _interp(tab, _ANNIH, lte, ln_lo, dln)
                    smax = max(sig0, sig1)
                    s_int = -math.log(1.0 - rng.random()) / smax if smax > 0.0 else math.inf
                    s_geo = distance_to_exit(geom, x, y, z, u, v, w)
                    s = min(s_cont, s_int, s_geo)
                    limited = 0 if s == s_cont else (1 if s == s_int else 2)
                    if s >= s_cut:
                        T1 = cut_e
                    else:
                        T1 = _inv_range(tab, rrow, R - s, ln_lo, dln)
                        T1 = min(T1, T)
                    counters[0] += 1
                    tracklen[ip, sp_i] += s
                    if limited == 2:
                        # leaves the volume on this step: straight, no deflection
                        _score(hist, sp_i, T1, T, s, w, wt, theta_edges, eb_lo, eb_dln, neb)
                        x += s * u
                        y += s * v
                        z += s * w
                        dep += T - T1
                        _deposit(depth, z - 0.5 * s * w, T - T1, wt, depth_dz)
                        esc += T1 + (2.0 * M_E if pos else 0.0)
                        alive = False
                        break
                    Tm = min(max(_inv_range(tab, rrow, R - 0.5 * s, ln_lo, dln), T1), T)
                    _score(hist, sp_i, Tm, T, 0.5 * s, w, wt, theta_edges, eb_lo, eb_dln, neb)
                    x += 0.5 * s * u
                    y += 0.5 * s * v
                    z += 0.5 * s * w
                    _deposit(depth, z, T - T1, wt, depth_dz)
                    if msc:
                        lg = 1.0 + 0.038 * math.log(s / (X0 * beta * beta))
                        th0 = HIGHLAND_E_S / (beta * p) * math.sqrt(s / X0) * max(lg, 0.3)
                        th = th0 * math.sqrt(-2.0 * math.log(1.0 - rng.random()))
                        if th < math.pi:
                            u, v, w = _rotate(u, v, w, math.cos(th), 2.0 * math.pi * rng.random())
                        else:
                            ct = 2.0 * rng.random() - 1.0
                            u, v, w = _rotate(u, v, w, ct, 2.0 * math.pi * rng.random())
                    _score(hist, sp_i, T1, Tm, 0.5 * s, w, wt, theta_edges, eb_lo, eb_dln, neb)
                    x += 0.5 * s * u
                    y += 0.5 * s * v
                    z += 0.5 * s * w
                    dep += T - T1
                    T = T1
                    if not inside(geom, x, y, z):
                        esc += T + (2.0 * M_E if pos else 0.0)
                        alive = False
                        break
                    if limited != 1 or T <= cut_e:
                        continue
                    lt = math.log(T)
                    sb = _interp(tab, _BREM, lt, ln_lo, dln)
                    sd = _interp(tab, _BHABHA if pos else _MOLLER, lt, ln_lo, dln)
                    sa = _interp(tab, _ANNIH, lt, ln_lo, dln) if pos else 0.0
                    r = rng.random() * smax
                    if r >= sb + sd + sa:
                        continue  # fictitious interaction
                    if r < sb:
                        if T <= cut_g:
                            continue
                        counters[3] += 1
                        k = sample_brems_in_medium(tab, lt, ln_lo, dln, T + M_E, cut_g, atoms, rng)[1]
                        uu = sample_urban_u(rng)
                        d = _rotate(u, v, w, math.cos(min(uu * M_E / (T + M_E), math.pi)), 2.0 * math.pi * rng.random())
                        n = _push(st_t, st_e, st_p, n, _GAMMA, k, x, y, z, d[0], d[1], d[2])
                        T -= k
                    elif r < sb + sd:
                        if (not pos and T <= 2.0 * cut_e) or (pos and T <= cut_e):
                            continue
                        counters[4] += 1
                        Td = sample_bhabha(T, cut_e, rng) if pos else sample_moller(T, cut_e, rng)
                        pd = math.sqrt(Td * (Td + 2.0 * M_E))
                        cost = Td * (T + 2.0 * M_E) / (pd * p1(T))
                        d = _rotate(u, v, w, cost, 2.0 * math.pi * rng.random())
                        pp = p1(T)
                        u, v, w = _normalise(pp * u - pd * d[0], pp * v - pd * d[1], pp * w - pd * d[2])
                        n = _push(st_t, st_e, st_p, n, _ELEC, Td, x, y, z, d[0], d[1], d[2])
                        T -= Td
                    else:
                        counters[5] += 1
                        eps = sample_annihilation_eps(T, rng)
                        tot = T + 2.0 * M_E
                        tau = T / M_E
                        cost = (eps * (tau + 2.0) - 1.0) / (eps * math.sqrt(tau * (tau + 2.0)))
                        d = _rotate(u, v, w, cost, 2.0 * math.pi * rng.random())
                        pp = p1(T)
                        k1 = eps * tot
                        d2 = _normalise(pp * u - k1 * d[0], pp * v - k1 * d[1], pp * w - k1 * d[2])
                        for q in range(2):
                            dd = d if q == 0 else d2
                            n = _push(st_t, st_e, st_p, n, _GAMMA, k1 if q == 0 else tot - k1,
                                      x, y, z, dd[0], dd[1], dd[2])
                        alive = False
            if n >= STACK - 4:
                raise RuntimeError("shower stack overflow")
            if n > counters[7]:
                counters[7] = n
        ledger[ip, 0] += dep
        ledger[ip, 1] += esc
        ledger[ip, 2] += cut
