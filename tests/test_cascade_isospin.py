"""Isospin of the NN excitations (fipgen.cascade.isospin): Clebsch-Gordan coefficients against
closed forms, the charge-state probabilities of I = 1 and I = 0 nucleon pairs, the multiplets
read from Pythia's names, and the exact four-momenta of a remassed pair and of a pair put in
the collision's frame."""

from __future__ import annotations

import math

import numpy as np
import pytest

from fipgen.cascade.isospin import (
    Multiplets,
    allows_isospin,
    clebsch_gordan,
    isospin_one_share,
    multiplets,
    nn_charge_states,
    recharge,
    remass_pair,
    to_lab,
)


@pytest.mark.parametrize("args, value", [
    ((0.5, 0.5, 0.5, -0.5, 1, 0), math.sqrt(0.5)),
    ((0.5, 0.5, 0.5, -0.5, 0, 0), math.sqrt(0.5)),
    ((0.5, -0.5, 0.5, 0.5, 0, 0), -math.sqrt(0.5)),
    ((1, 1, 1, -1, 0, 0), 1 / math.sqrt(3)),
    ((1, 0, 1, 0, 0, 0), -1 / math.sqrt(3)),
    ((1, 1, 0.5, -0.5, 0.5, 0.5), math.sqrt(2 / 3)),  # <1 1; 1/2 -1/2 | 1/2 1/2>
    ((1.5, 1.5, 0.5, -0.5, 1, 1), math.sqrt(3) / 2),
    ((1.5, 0.5, 0.5, 0.5, 1, 1), -0.5),
    ((1.5, 0.5, 0.5, 0.5, 2, 1), math.sqrt(3) / 2),
    ((0.5, 0.5, 0.5, 0.5, 1, 0), 0.0),  # m1 + m2 != m
])
def test_clebsch_gordan_closed_forms(args, value):
    assert clebsch_gordan(*args) == pytest.approx(value, abs=1e-12)


@pytest.mark.parametrize("j1, j2", [(0.5, 1.5), (1.5, 1.5), (1, 2), (2.5, 1.5)])
def test_clebsch_gordan_orthonormal(j1, j2):
    """sum over m1 of <j1 m1; j2 m-m1 | j m> <j1 m1; j2 m-m1 | j' m> = delta(j, j')."""
    for m in np.arange(-(j1 + j2), j1 + j2 + 0.5):
        js = [j for j in np.arange(abs(j1 - j2), j1 + j2 + 0.5) if abs(m) <= j]
        for j in js:
            for jp in js:
                s = sum(clebsch_gordan(j1, m1, j2, m - m1, j, m) * clebsch_gordan(j1, m1, j2, m - m1, jp, m)
                        for m1 in np.arange(-j1, j1 + 0.5))
                assert s == pytest.approx(1.0 if j == jp else 0.0, abs=1e-12)


def test_charge_states_of_pp_and_nn():
    """pp -> N Delta: n Delta++ 3/4, p Delta+ 1/4; Delta Delta: ++0 and 0++ 3/10, ++ 2/5;
    N N*: one way; nn mirrored (p Delta- 3/4)."""
    assert dict(nn_charge_states(1, 3, 1)) == pytest.approx({(0, 2): 0.75, (1, 1): 0.25})
    assert dict(nn_charge_states(3, 3, 1)) == pytest.approx({(2, 0): 0.3, (1, 1): 0.4, (0, 2): 0.3})
    assert dict(nn_charge_states(1, 1, 1)) == pytest.approx({(1, 1): 1.0})
    assert dict(nn_charge_states(3, 1, -1)) == pytest.approx({(-1, 1): 0.75, (0, 0): 0.25})


def test_charge_states_of_pn():
    """p n (I3 = 0). I = 1: N Delta as p Delta0 / n Delta+, 1/2 each; Delta Delta as
    |<3/2 m; 3/2 -m | 1 0>|^2 = 9/20 (Delta++ Delta-), 1/20 (Delta+ Delta0) (PDG table:
    <3/2 3/2; 3/2 -3/2 | 1 0> = 3/sqrt(20)). I = 0: equal pairs only, each charge state
    1/(2j + 1); N Delta cannot be I = 0."""
    assert dict(nn_charge_states(1, 3, 0, 1)) == pytest.approx({(1, 0): 0.5, (0, 1): 0.5})
    assert dict(nn_charge_states(3, 3, 0, 1)) == pytest.approx({(2, -1): 0.45, (1, 0): 0.05, (0, 1): 0.05, (-1, 2): 0.45})
    assert dict(nn_charge_states(3, 3, 0, 0)) == pytest.approx({(2, -1): 0.25, (1, 0): 0.25, (0, 1): 0.25, (-1, 2): 0.25})
    assert dict(nn_charge_states(1, 1, 0, 0)) == pytest.approx({(1, 0): 0.5, (0, 1): 0.5})
    assert nn_charge_states(1, 3, 0, 0) == ()
    # sigma(pn) = (sigma_1 + sigma_0) / 2 with sigma_1 = sigma(pp)
    assert isospin_one_share(20.0, 20.0) == pytest.approx(0.5)
    assert isospin_one_share(19.21, 12.87) == pytest.approx(19.21 / 25.74)
    assert isospin_one_share(30.0, 10.0) == 1.0  # (sigma_0 would be negative)


def test_multiplets_from_pythia_names_and_recharge():
    names = {2212: "p+", 2112: "n0", 2224: "Delta++", 2214: "Delta+", 2114: "Delta0", 1114: "Delta-",
             202212: "p(1440)+", 202112: "n(1440)0", 222212: "Delta(1910)+", 211: "pi+"}
    t = multiplets(names)
    assert isinstance(t, Multiplets)
    assert t.twice_isospin[2214] == 3 and t.twice_isospin[202112] == 1
    assert 222212 not in t.members and 211 not in t.members  # incomplete multiplet, not a baryon
    assert t.charge(1114) == -1
    assert recharge((2212, 2212), (2212, 2214), t, 0.1) == (2112, 2224)
    assert recharge((2212, 2212), (2212, 2214), t, 0.9) == (2212, 2214)
    assert recharge((2112, 2112), (2114, 2112), t, 0.1) == (1114, 2212)
    assert recharge((2212, 2112), (2212, 2114), t, 0.1) == (2112, 2214)  # p n, I = 1: n Delta+ 1/2
    assert recharge((2212, 2112), (2212, 2114), t, 0.9) == (2212, 2114)  # ... p Delta0 1/2
    assert recharge((2112, 2212), (2214, 2114), t, 0.1, isospin=0) == (1114, 2224)  # I = 0: 1/4 each
    assert allows_isospin((2214, 2114), t, 0) and allows_isospin((2212, 202112), t, 0)
    assert not allows_isospin((2212, 2114), t, 0) and allows_isospin((2212, 2114), t, 1)
    with pytest.raises(ValueError):
        recharge((2212, 2112), (2212, 2114), t, 0.1, isospin=0)
    assert recharge((2212, 2212), (2214, 2214), t, 0.1, isospin=0) in {(2224, 2114), (2214, 2214), (2114, 2224)}
    assert recharge((2212, 2212), (2212, 202212), t, 0.1) == (2212, 202212)  # N N*: one way
    assert recharge((2212, 2212), (2212, 222212), t, 0.1) == (2212, 222212)  # unknown multiplet
    u = np.random.default_rng(1).random(20000)
    got = [recharge((2212, 2212), (2214, 2214), t, x) for x in u]
    for pair, p in {(2224, 2114): 0.3, (2214, 2214): 0.4, (2114, 2224): 0.3}.items():
        k = sum(g == pair for g in got)
        assert abs(k / len(u) - p) < 4 * math.sqrt(p * (1 - p) / len(u))


def test_remass_pair_conserves_four_momentum():
    rng = np.random.default_rng(3)
    for _ in range(200):
        ma, mb = 0.938272, rng.uniform(1.1, 1.6)
        pa = tuple(rng.normal(0, 1, 3))
        pb = tuple(rng.normal(0, 1, 3))
        pa = (*pa, math.sqrt(sum(x * x for x in pa) + ma * ma))
        pb = (*pb, math.sqrt(sum(x * x for x in pb) + mb * mb))
        na, nb = remass_pair(pa, pb, 0.939565, mb)
        assert np.add(na, nb) == pytest.approx(np.add(pa, pb), abs=1e-12)
        assert na[3] ** 2 - sum(x * x for x in na[:3]) == pytest.approx(0.939565 ** 2, abs=1e-10)
        assert nb[3] ** 2 - sum(x * x for x in nb[:3]) == pytest.approx(mb * mb, abs=1e-10)


def test_remass_pair_below_the_new_threshold_is_refused():
    ma, mb = 0.938272, 1.08
    pa = (0.0, 0.0, 0.01, math.hypot(0.01, ma))
    pb = (0.0, 0.0, -0.01, math.hypot(0.01, mb))
    assert remass_pair(pa, pb, 0.939565, 1.0805) is None


def test_to_lab_is_a_rotation_and_a_boost():
    """A pair made in its rest frame along z, put where the pair's total four-momentum is
    ``total``: the four-momenta add up to ``total``, the masses are kept, the +z member goes
    along the total momentum (the projectile's side), and angles about the axis are kept."""
    rng = np.random.default_rng(5)
    for _ in range(200):
        ma, mb, w = rng.uniform(0.9, 1.6), rng.uniform(0.9, 1.6), 0.0
        w = ma + mb + rng.uniform(0.01, 3.0)
        q = math.sqrt((w * w - (ma + mb) ** 2) * (w * w - (ma - mb) ** 2)) / (2 * w)
        u = rng.normal(size=3)
        u /= np.linalg.norm(u)
        cm = [(*(q * u), math.hypot(q, ma)), (*(-q * u), math.hypot(q, mb))]
        p3 = rng.normal(size=3) * rng.uniform(0.0, 20.0)
        total = (*p3, math.sqrt(w * w + p3 @ p3))
        lab = to_lab(cm, total)
        assert np.sum(lab, axis=0) == pytest.approx(total, abs=1e-9)
        for v, m in zip(lab, (ma, mb)):
            assert math.sqrt(v[3] ** 2 - v[0] ** 2 - v[1] ** 2 - v[2] ** 2) == pytest.approx(m, rel=1e-9)
    # along z: nothing turns; along -z: the +z member goes to -z
    cm = [(0.1, 0.0, 1.0, math.sqrt(1.01 + 1.44)), (-0.1, 0.0, -1.0, math.sqrt(1.01 + 2.25))]
    e = cm[0][3] + cm[1][3]
    assert to_lab(cm, (0.0, 0.0, 0.0, e)) == pytest.approx(cm, abs=1e-12)
    back = to_lab(cm, (0.0, 0.0, -3.0, math.sqrt(9.0 + e * e)))
    assert back[0][2] < back[1][2] < 0 and back[0][0] == pytest.approx(0.1)
    side = to_lab(cm, (0.0, 3.0, 0.0, math.sqrt(9.0 + e * e)))
    assert side[0][1] > side[1][1] > 0 and side[0][2] == pytest.approx(0.0, abs=1e-12)
