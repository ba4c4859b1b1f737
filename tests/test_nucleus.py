"""The intranuclear cascade (fipgen.cascade.nucleus): the nucleus it uses, its pion absorption
against measurements, and its energy bookkeeping."""

from __future__ import annotations

import math

import numpy as np
import pytest

pytest.importorskip("pythia8mc")

from fipgen.cascade.nucleus import ASHERY_ABSORPTION, IntranuclearCascade, Nucleus, absorption_cross_section  # noqa: E402
from fipgen.cascade.pythia import CascadeSettings, NuclearModel, make_cascade  # noqa: E402


@pytest.fixture(scope="module")
def casc():
    return make_cascade(CascadeSettings(), 99)


@pytest.fixture()
def pdata(casc):
    return casc.particleData()  # (valid while the cascade lives)


def test_nucleus_holds_its_nucleons_at_the_measured_fermi_momentum():
    """The Woods-Saxon density integrates to A, its central density is nuclear matter's
    (0.16-0.17 fm^-3), and the Fermi momentum from quasi-elastic electron scattering (E. J. Moniz
    et al., Phys. Rev. Lett. 26 (1971) 445: C 221, Ni 260 MeV/c, one global Fermi gas) lies between
    the local Fermi gas's mean over its nucleons (C 190, Ni 222 MeV/c) and its central value
    (269, 268 MeV/c)."""
    for (z, a), pf in (((6, 12), 0.221), ((28, 58), 0.260)):
        nuc = Nucleus(z, a)
        r = np.linspace(0.0, nuc.r_max, 20001)
        shape = np.array([nuc.shape(x * x) for x in r])
        weight = 4 * np.pi * r * r * nuc.rho0 * shape
        assert np.trapezoid(weight, r) == pytest.approx(a, rel=2e-3)
        assert 0.15 < nuc.rho0 < 0.18
        mean = np.trapezoid(weight * np.array([nuc.p_fermi(x) for x in shape]), r) / a
        assert mean < pf < nuc.p_fermi0
        assert nuc.p_fermi(0.5) == pytest.approx(nuc.p_fermi0 * 0.5 ** (1 / 3), rel=1e-12)


def test_pion_absorption_matches_ashery(pdata):
    """pi+ absorption cross sections of carbon and iron, 85-315 MeV (Ashery et al., Phys. Rev. C
    23 (1981) 2173, 12 points): chi2 / point below 2 with the fitted absorption width (about 1.1
    measured, the model's tail at 245-315 MeV is high); without absorption (Pythia's pi N
    collisions alone absorb nothing) chi2 / point is about 30."""
    for width, ok in ((NuclearModel().absorption_width, True), (0.0, False)):
        inc = IntranuclearCascade(NuclearModel(absorption_width=width), pdata, 3)
        chi2 = 0.0
        for (z, a), data in ASHERY_ABSORPTION.items():
            for t_mev, (sig, err) in data.items():
                mine, dm = absorption_cross_section(inc, z, a, 211, t_mev / 1e3, 600)
                chi2 += (mine - sig) ** 2 / (err ** 2 + dm ** 2)
        assert (chi2 / 12 < 2.0) == ok, (width, chi2)


def test_every_gev_crossing_the_nucleus_is_booked(pdata):
    """Hadrons of a few hundred MeV to a few GeV made in an iron nucleus: what leaves plus what
    stays (``nuclear``) equals what entered plus the Fermi-sea nucleons struck, up to Pythia's
    own non-conservation (``imbalance``, booked); no nucleon leaves below the well, nothing
    leaves with more energy than came in."""
    inc = IntranuclearCascade(NuclearModel(), pdata, 5)
    rng = np.random.default_rng(5)
    ids = (211, -211, 111, 2212, 2112, 321, 221)
    ledger = {"struck_nucleons": 0.0, "nuclear": 0.0, "imbalance": 0.0}
    e_in = e_out = 0.0
    for _ in range(150):
        items = []
        for _ in range(6):
            pid = int(rng.choice(ids))
            m = pdata.m0(pid)
            p = rng.uniform(0.1, 3.0)
            u = rng.normal(size=3)
            p3 = tuple(float(x) for x in p * u / np.linalg.norm(u))
            items.append((pid, m, p3, (0.0, 0.0, 0.0), 0.0, 1))
            e_in += math.hypot(p, m)
        out = inc.cross(items, 26, 56, 30.0, (0.0, 0.0, 1.0), ledger)
        for pid, m, p3, *_ in out:
            e = math.hypot(math.sqrt(p3[0] ** 2 + p3[1] ** 2 + p3[2] ** 2), m)
            e_out += e
            if pid in (2212, 2112):
                assert e - m > 0.0
    assert inc.counts["collisions"] > 100 and inc.counts["absorbed"] > 10 and inc.counts["trapped"] > 10
    assert e_out + ledger["nuclear"] == pytest.approx(e_in + ledger["struck_nucleons"] + ledger["imbalance"], rel=1e-10)
    assert abs(ledger["imbalance"]) < 1e-3 * e_in
    assert ledger["nuclear"] > 0.0 and e_out < e_in + ledger["struck_nucleons"]
