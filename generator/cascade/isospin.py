"""Isospin of the nucleon-nucleon excitations of Pythia's low-energy model.

Pythia 8.3's ``LowEnergyQCD`` excitation process (code 157: ``N N -> X Y``, each nucleon
turned into a nucleon resonance N* or a Delta) keeps each nucleon's charge: ``p p`` gives
``p Delta+`` and never ``n Delta++``. Isospin fixes the charges instead. ``p p`` and ``n n``
are pure ``I = 1`` states (``I3 = +1, -1``), so a final pair of isospins ``(j1, j2)`` is
made in the charge states ``(m1, m2)``, ``m1 + m2 = I3``, with probability
``|<j1 m1; j2 m2 | 1 I3>|^2``:

* ``N N*``: one way only (``p p -> p N*+``); Pythia is right;
* ``N Delta`` (``N`` a nucleon or N*): ``n Delta++`` 3/4, ``p Delta+`` 1/4;
* ``Delta Delta``: ``Delta++ Delta0`` and ``Delta0 Delta++`` 3/10 each, ``Delta+ Delta+`` 2/5.

Near threshold (``p p -> N Delta -> N N pi``) this takes ``sigma(pp -> pp pi0)`` from 4x the
measured one to it (``tests/test_cascade_physics.py``).

``p n`` (``I3 = 0``) is a mixture of ``I = 1`` and ``I = 0``: ``sigma(pn) = (sigma_1 + sigma_0) / 2``
with ``sigma_1 = sigma(pp)``. Pythia's excitation cross sections and pair compositions give
``sigma_1`` and ``sigma(pn)`` (:func:`isospin_one_share`); a ``p n`` excitation is ``I = 1`` with
probability ``sigma(pp) / (2 sigma(pn))``, charges then drawn as above. Otherwise it is ``I = 0``,
which only pairs of equal isospin can carry (``N N*``, ``N* N*``, ``Delta Delta``; charge states
equally likely, ``|<j m; j -m | 0 0>|^2 = 1 / (2j + 1)``): an ``N Delta`` pair, forbidden there,
is replaced by another ``p n`` excitation drawn from Pythia at the same energy until it is an
allowed one (:func:`to_lab` puts it in the collision's frame). Pythia's own ``p n`` excitations
have the ``p p`` composition, with ``N Delta`` twice the ``I = 1`` rate and ``Delta Delta`` only
as ``Delta+ Delta0``, and make ``pi0`` where isospin makes charged pions: summed over ``p p``,
``p n``, ``n p``, ``n n`` (an isoscalar mixture) ``pi0 : (pi+ + pi-)/2`` is 1.3 at 8.9 GeV/c
instead of 1. Charge ``Q = I3 + 1/2`` for every nucleon and Delta state.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["Multiplets", "allows_isospin", "clebsch_gordan", "isospin_one_share", "multiplets", "nn_charge_states",
           "recharge", "remass_pair", "to_lab"]

_DELTA = re.compile(r"^Delta(\(\d+\))?(\+\+|\+|0|-)$")
_NUCLEON = re.compile(r"^([pn])(\(\d+\))?(\+|0)$")
_DELTA_CHARGE = {"++": 2, "+": 1, "0": 0, "-": -1}
_P, _N = 2212, 2112


@dataclass(frozen=True)
class Multiplets:
    """Isospin multiplets of the nucleon and Delta states of a particle table.

    Attributes
    ----------
    twice_isospin : dict
        PDG id -> 2I (1 for the nucleon and N* states, 3 for the Delta states).
    members : dict
        PDG id -> {charge: PDG id} of its multiplet.
    """

    twice_isospin: dict
    members: dict

    def charge(self, pdg: int) -> int:
        """The electric charge of ``pdg`` (a member)."""
        return next(q for q, i in self.members[pdg].items() if i == pdg)


def multiplets(names: dict[int, str]) -> Multiplets:
    """The nucleon (``p+``/``n0``, ``p(1440)+``/``n(1440)0``...) and Delta
    (``Delta(1600)++`` ... ``Delta(1600)-``) multiplets of ``{id: name}`` (Pythia's names)."""
    groups: dict[tuple, dict[int, int]] = {}
    for pdg, name in names.items():
        m = _DELTA.match(name)
        if m:
            groups.setdefault(("Delta", m.group(1) or ""), {})[_DELTA_CHARGE[m.group(2)]] = pdg
            continue
        m = _NUCLEON.match(name)
        if m:
            groups.setdefault(("N", m.group(2) or ""), {})[1 if m.group(1) == "p" else 0] = pdg
    twice, members = {}, {}
    for (kind, _), by_charge in groups.items():
        full = len(by_charge) == (4 if kind == "Delta" else 2)
        if not full:  # an incomplete multiplet cannot be recharged
            continue
        for pdg in by_charge.values():
            twice[pdg] = 3 if kind == "Delta" else 1
            members[pdg] = dict(by_charge)
    return Multiplets(twice, members)


def clebsch_gordan(j1: float, m1: float, j2: float, m2: float, j: float, m: float) -> float:
    """``<j1 m1; j2 m2 | j m>`` (Condon-Shortley phases; the closed form of G. Racah, Phys. Rev.
    62 (1942) 438; values checked against the PDG review's table "Clebsch-Gordan
    coefficients, spherical harmonics, and d functions")."""
    if abs(m1 + m2 - m) > 1e-9 or not abs(j1 - j2) - 1e-9 <= j <= j1 + j2 + 1e-9:
        return 0.0
    if abs(m1) > j1 + 1e-9 or abs(m2) > j2 + 1e-9 or abs(m) > j + 1e-9:
        return 0.0

    def f(x: float) -> float:
        return math.factorial(int(round(x)))

    pre = math.sqrt((2 * j + 1) * f(j + j1 - j2) * f(j - j1 + j2) * f(j1 + j2 - j) / f(j1 + j2 + j + 1))
    pre *= math.sqrt(f(j + m) * f(j - m) * f(j1 - m1) * f(j1 + m1) * f(j2 - m2) * f(j2 + m2))
    s = 0.0
    for k in range(int(round(j1 + j2 - j)) + 1):
        a = (j1 + j2 - j - k, j1 - m1 - k, j2 + m2 - k, j - j2 + m1 + k, j - j1 - m2 + k)
        if min(a) < -1e-9:
            continue
        s += (-1) ** k / (f(k) * f(a[0]) * f(a[1]) * f(a[2]) * f(a[3]) * f(a[4]))
    return pre * s


@lru_cache(maxsize=None)
def nn_charge_states(twice1: int, twice2: int, i3: int, isospin: int = 1) -> tuple[tuple[tuple[int, int], float], ...]:
    """The charge states ``(Q1, Q2)`` of a pair of isospins ``(twice1/2, twice2/2)`` made from
    a nucleon pair of total isospin ``isospin`` (1 or 0) and ``I3 = i3``, with their
    probabilities (summing to 1; empty if the pair cannot carry that isospin; cached: the
    cascade asks at every excitation)."""
    j1, j2 = twice1 / 2, twice2 / 2
    out = []
    for k in range(twice1 + 1):
        m1 = -j1 + k
        m2 = i3 - m1
        w = clebsch_gordan(j1, m1, j2, m2, float(isospin), float(i3)) ** 2
        if w > 1e-12:
            out.append(((int(round(m1 + 0.5)), int(round(m2 + 0.5))), w))
    tot = sum(w for _, w in out)
    return tuple((q, w / tot) for q, w in out)


def allows_isospin(outgoing: tuple[int, int], table: Multiplets, isospin: int) -> bool:
    """Whether the pair ``outgoing`` (both in complete multiplets) can carry total isospin
    ``isospin``: ``|j1 - j2| <= I <= j1 + j2``."""
    a, b = (table.twice_isospin[x] for x in outgoing)
    return abs(a - b) <= 2 * isospin <= a + b


def isospin_one_share(sigma_pp: float, sigma_pn: float) -> float:
    """The probability that a ``p n`` excitation is ``I = 1``: ``sigma(pp) / (2 sigma(pn))``
    (``sigma(pn) = (sigma_1 + sigma_0) / 2``, ``sigma_1 = sigma(pp)``), at most 1."""
    if sigma_pn <= 0.0:
        return 1.0
    return min(1.0, 0.5 * sigma_pp / sigma_pn)


def recharge(incoming: tuple[int, int], outgoing: tuple[int, int], table: Multiplets, u: float,
             isospin: int = 1) -> tuple[int, int]:
    """The ids of an excitation pair ``outgoing`` of the nucleons ``incoming``, with charges
    drawn by isospin (``u`` uniform in [0, 1)) for a nucleon pair of total isospin ``isospin``
    (``p p`` and ``n n`` are ``I = 1``; ``p n`` either, drawn by the caller). Unchanged unless
    ``incoming`` is two nucleons and both outgoing states belong to complete multiplets; a
    pair that cannot carry ``isospin`` is a ``ValueError``."""
    if incoming not in ((_P, _P), (_N, _N), (_P, _N), (_N, _P)):
        return outgoing
    a, b = outgoing
    if a not in table.members or b not in table.members:
        return outgoing
    i3 = (1 if incoming[0] == _P else -1) + (1 if incoming[1] == _P else -1)
    if i3 != 0:
        i3 //= 2
        isospin = 1
    states = nn_charge_states(table.twice_isospin[a], table.twice_isospin[b], i3, isospin)
    if not states:
        raise ValueError(f"the pair {outgoing} cannot carry isospin {isospin}")
    chosen = states[-1][0]
    for charges, w in states:
        u -= w
        if u < 0.0:
            chosen = charges
            break
    return table.members[a][chosen[0]], table.members[b][chosen[1]]


def remass_pair(pa: tuple, pb: tuple, ma: float, mb: float) -> tuple[tuple, tuple] | None:
    """Four-momenta ``(px, py, pz, e)`` of two particles with the total four-momentum of ``pa``
    and ``pb`` and the masses ``ma``, ``mb``, the directions in their rest frame kept (a
    nucleon that changes charge changes mass by 1.3 MeV: energy and momentum stay conserved);
    their rest-frame momentum is ``lambda^(1/2)(s, ma^2, mb^2) / (2 sqrt(s))`` (PDG review
    "Kinematics", two-body decays).
    None if the pair is below the new threshold ``ma + mb``."""
    ex, ey, ez, ee = (pa[i] + pb[i] for i in range(4))
    s = ee * ee - ex * ex - ey * ey - ez * ez
    if s <= (ma + mb) ** 2:
        return None
    w = math.sqrt(s)
    bx, by, bz = ex / ee, ey / ee, ez / ee
    b2 = bx * bx + by * by + bz * bz
    g = ee / w

    def boost(p, sign):  # Lorentz boost by -sign*beta (sign=+1: to the pair's rest frame)
        bp = bx * p[0] + by * p[1] + bz * p[2]
        g2 = (g - 1.0) / b2 if b2 > 0 else 0.0
        c = g2 * bp - sign * g * p[3]
        return (p[0] + c * bx, p[1] + c * by, p[2] + c * bz, g * (p[3] - sign * bp))

    ra = boost(pa, 1.0)
    k = math.sqrt(ra[0] ** 2 + ra[1] ** 2 + ra[2] ** 2)
    q = math.sqrt((s - (ma + mb) ** 2) * (s - (ma - mb) ** 2)) / (2.0 * w)
    ux, uy, uz = ra[0] / k, ra[1] / k, ra[2] / k
    na = (q * ux, q * uy, q * uz, math.sqrt(q * q + ma * ma))
    nb = (-q * ux, -q * uy, -q * uz, math.sqrt(q * q + mb * mb))
    return boost(na, -1.0), boost(nb, -1.0)


def to_lab(pair_cm: list[tuple], total: tuple) -> list[tuple]:
    """Four-momenta ``(px, py, pz, e)`` of a pair made in its rest frame with the collision axis
    along +z (``pair_cm``, as Pythia makes it: the projectile's side at +z) in the frame where
    the pair's total four-momentum is ``total`` and the target nucleon was at rest, i.e. where
    the collision axis is the direction of ``total``'s momentum: a rotation taking +z to that
    direction (about the axis ``z x n``, Rodrigues' formula), then the boost by ``beta = p / E``
    along it (``p_par' = gamma (p_par + beta E)``, ``E' = gamma (E + beta p_par)``: PDG review
    "Kinematics", Lorentz transformations)."""
    px, py, pz, e = total
    p = math.sqrt(px * px + py * py + pz * pz)
    nx, ny, nz = (px / p, py / p, pz / p) if p > 0 else (0.0, 0.0, 1.0)
    beta, gamma = p / e, e / math.sqrt(max(e * e - p * p, 1e-300))
    out = []
    for qx, qy, qz, qe in pair_cm:
        if nz > -1.0 + 1e-12:  # Rodrigues: R v = v cos + (k x v) sin + k (k.v)(1 - cos), k = z x n / |z x n|
            c = 1.0 / (1.0 + nz)
            rx = qx * (nz + ny * ny * c) - qy * nx * ny * c + qz * nx
            ry = -qx * nx * ny * c + qy * (nz + nx * nx * c) + qz * ny
            rz = -qx * nx - qy * ny + qz * nz
        else:  # n = -z: a half turn about x
            rx, ry, rz = qx, -qy, -qz
        par = rx * nx + ry * ny + rz * nz
        dpar = (gamma - 1.0) * par + gamma * beta * qe
        out.append((rx + dpar * nx, ry + dpar * ny, rz + dpar * nz, gamma * (qe + beta * par)))
    return out
