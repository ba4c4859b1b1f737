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
measured one to it (``tests/test_cascade_physics.py``). ``p n`` is a mixture of ``I = 0`` and
``I = 1`` whose ratio the model does not give; its pairs are left as Pythia makes them (for
``N Delta``, where only ``I = 1`` contributes, Pythia's choice of the excited side already
gives ``p Delta0`` and ``n Delta+`` equally). Charge ``Q = I3 + 1/2`` for every nucleon and
Delta state.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["Multiplets", "clebsch_gordan", "multiplets", "nn_charge_states", "recharge", "remass_pair"]

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
def nn_charge_states(twice1: int, twice2: int, i3: int) -> tuple[tuple[tuple[int, int], float], ...]:
    """The charge states ``(Q1, Q2)`` of a pair of isospins ``(twice1/2, twice2/2)`` made from
    an ``I = 1``, ``I3 = i3`` nucleon pair, with their probabilities (summing to 1; cached:
    the cascade asks at every excitation)."""
    j1, j2 = twice1 / 2, twice2 / 2
    out = []
    for k in range(twice1 + 1):
        m1 = -j1 + k
        m2 = i3 - m1
        w = clebsch_gordan(j1, m1, j2, m2, 1.0, float(i3)) ** 2
        if w > 1e-12:
            out.append(((int(round(m1 + 0.5)), int(round(m2 + 0.5))), w))
    tot = sum(w for _, w in out)
    return tuple((q, w / tot) for q, w in out)


def recharge(incoming: tuple[int, int], outgoing: tuple[int, int], table: Multiplets, u: float) -> tuple[int, int]:
    """The ids of an excitation pair ``outgoing`` of the nucleons ``incoming``, with charges
    drawn by isospin (``u`` uniform in [0, 1)); unchanged unless ``incoming`` is ``p p`` or
    ``n n`` and both outgoing states belong to complete multiplets."""
    if incoming not in ((_P, _P), (_N, _N)):
        return outgoing
    a, b = outgoing
    if a not in table.members or b not in table.members:
        return outgoing
    states = nn_charge_states(table.twice_isospin[a], table.twice_isospin[b], 1 if incoming[0] == _P else -1)
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
