"""The hadron cascade's physics against measurements: what it meets, and (strict xfail) what
it does not, so that a change of Pythia or of the engine that fixes either shows up.

Numbers and sources are those of ``scripts/validate_cascade.py`` (which prints them all):

* ``sigmahA`` (Pythia's inelastic hadron-nucleus cross section, which sets the interaction
  points) against the PDG nuclear interaction lengths of ``geometries/materials.toml``;
* pi- p at 205 GeV/c against the Fermilab 30-inch bubble chamber (Phys. Rev. D 15, no. 11
  (1977), OSTI 7219616): sigma_tot 24.19 +- 0.44 mb, sigma_el 3.18 +- 0.13 mb,
  sigma(gamma) = 171.3 +- 15.3 mb, 7.99 +- 0.06 charged particles per inelastic event;
* pi+ from p-Be at 8.89 GeV/c in the HARP acceptance (0.75-6.5 GeV/c, 30-210 mrad) against
  the MiniBooNE Sanford-Wang fit to the HARP data (arXiv:0806.1449; fipgen's
  ``charged_mesons.bnb_density``);
* pp -> pp pi0 at T = 735 MeV (3.46 +- 0.25 mb, LBL 184-inch synchrocyclotron), which the
  isospin of the excitations (``fipgen.cascade.isospin``) brings from Pythia's 4x to the
  measured one;
* isospin symmetry of nucleon-nucleon collisions: summed over p p, p n, n p, n n (an
  isoscalar mixture) pi0 = (pi+ + pi-)/2, which Pythia's low-energy excitations break (1.3)
  and the cascade's isospin of the p n pairs restores (to within the eta's 3 pi0 decays);
* the EM fraction of a contained proton shower in iron against Groom's parameterisation (NIM A
  572 (2007) 633): within its band at 120 GeV/c; a known failure (strict xfail) at 8.89 GeV/c,
  where the cascade lies above it, near Groom's pion law.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

pytest.importorskip("pythia8mc")

from fipgen.cascade.pythia import CascadeSettings, make_cascade, vec4  # noqa: E402

M_P = 0.93827208816
N_A = 6.02214076e23


@pytest.fixture(scope="module")
def casc():
    # Pythia's own collisions, short-lived hadrons decayed at once (no nucleus to cross first)
    return make_cascade(CascadeSettings(intranuclear=False), 424242)


def _collide(casc, pid, p, z, a, n):
    """(sigma_hA in mb, list of final-state event records as [(id, px, py, pz, e, charged)], failures)."""
    m = casc.particleData().m0(pid)
    e = math.hypot(p, m)
    assert casc.sigmaSetuphN(pid, vec4(0.0, 0.0, p, e), m)
    sig = casc.sigmahA(a)
    events, failed = [], 0
    for _ in range(n):
        casc.sigmaSetuphN(pid, vec4(0.0, 0.0, p, e), m)
        ev = casc.nextColl(z, a)
        if ev.size() == 0:
            failed += 1
            continue
        events.append([(ev[j].id(), ev[j].px(), ev[j].py(), ev[j].pz(), ev[j].e(), ev[j].isCharged(), ev[j].isFinal())
                       for j in range(ev.size())])
    return sig, events, failed


@pytest.mark.parametrize("material, z, a, tol", [("C", 6, 12, 0.03), ("Al", 13, 27, 0.03), ("Fe", 26, 56, 0.03),
                                                 ("Be", 4, 9, 0.05)])
def test_inelastic_cross_section_matches_the_pdg_interaction_length(casc, material, z, a, tol):
    """sigma_hA(p, 120 GeV/c) = A / (N_A lambda_I) within 3 % (C, Al, Fe: Pythia is 1.6-1.9 %
    low) and 5 % for Be (4.1 % low); the cascade's interaction lengths follow."""
    from fipgen.geometry.materials import get_material

    mt = get_material(material)
    pdg = mt.A / (N_A * mt.interaction_length) * 1e27
    casc.sigmaSetuphN(2212, vec4(0.0, 0.0, 120.0, math.hypot(120.0, M_P)), M_P)
    assert casc.sigmahA(a) == pytest.approx(pdg, rel=tol)


@pytest.mark.parametrize("material, tol", [("W", 0.04), ("Cu", 0.04), ("concrete", 0.04)])
def test_untabulated_nuclei_get_pythias_interpolation_in_real_arithmetic(material, tol):
    """Pythia tabulates its hadron-nucleus collision count for 16 mass numbers and interpolates
    the others with integer ratios (``PythiaCascade.h``): tungsten's sigmahA(184) is 2.5x the
    PDG cross section. The cascade's macroscopic cross section (the engine's ``_sigma``, summed
    over the material's elements; :class:`fipgen.cascade.pythia.NucleusRule`) against
    ``1 / lambda_I`` of ``materials.toml`` at 120 GeV/c: W -0.9 %, Cu -1.4 %, concrete -1.0 %
    (as Fe and C, which Pythia tabulates: -1.8 %, -1.9 %), asserted within 4 %. For Cu and
    concrete Pythia's own values are off by only +2-3 % (their elements lie just above a
    tabulated A); for W it is asserted above 2x, so that a Pythia that fixes the interpolation
    shows up here."""
    from fipgen.cascade.engine import HadronCascade, _Medium
    from fipgen.cascade.world import world_of
    from fipgen.geometry import load_beamline
    from fipgen.geometry.materials import get_material

    engine = HadronCascade(world_of(load_beamline("bnb")), 2212, 8.89, seed=5)
    mt = get_material(material)
    p = 120.0
    sig, _ = engine._sigma(2212, 0.0, 0.0, p, math.hypot(p, M_P), M_P, _Medium(mt))  # 1/m
    pdg = 1.0 / (mt.interaction_length / mt.density / 100.0)  # lambda_I in g/cm^2 -> 1/m
    assert sig == pytest.approx(pdg, rel=tol), (sig, pdg)
    if material == "W":
        raw, _ = engine._sigma(2212, 0.0, 0.0, p, math.hypot(p, M_P), M_P, _Medium(mt, interpolate=False))
        assert raw > 2.0 * pdg


def test_pi_minus_p_at_205_gevc_against_the_bubble_chamber(casc):
    """Inelastic cross section within 5 % of 24.19 - 3.18 = 21.01 +- 0.46 mb; photons per
    inelastic collision (pi0, eta, Sigma0... decays) within two standard deviations of
    171.3/21.01 = 8.15 +- 0.75 (Pythia: 8.4-8.7); charged hadrons within 12 % of
    7.99 +- 0.06 (Pythia is 8-10 % high: 8.6-8.8 over seeds)."""
    sig, events, failed = _collide(casc, -211, 205.0, 1, 1, 2500)
    assert failed == 0
    assert sig == pytest.approx(21.01, rel=0.05)
    ng = np.array([sum(1 for q in ev if q[6] and q[0] == 22) for ev in events])
    nch = np.array([sum(1 for q in ev if q[6] and q[5] and abs(q[0]) != 11) for ev in events])
    data, err = 171.3 / 21.01, 171.3 / 21.01 * math.hypot(15.3 / 171.3, 0.46 / 21.01)
    assert abs(ng.mean() - data) < 2 * math.hypot(err, ng.std() / math.sqrt(ng.size)), (ng.mean(), data, err)
    assert nch.mean() == pytest.approx(7.99, rel=0.12)


def _harp_sw_cross_section(pdg, plo=0.75, phi=6.5, tlo=0.030, thi=0.210) -> float:
    from scipy import integrate

    from fipgen.production.sources.charged_mesons import bnb_density

    f = bnb_density(pdg)
    return integrate.dblquad(lambda th, p: f(p, th) * 2 * math.pi * math.sin(th), plo, phi, tlo, thi)[0]


def test_p_be_pi_plus_in_the_harp_acceptance(casc):
    """pi+ from p-Be at 8.89 GeV/c with 0.75 < p < 6.5 GeV/c, 30 < theta < 210 mrad: Pythia's
    production cross section times its pi+ per collision within 15 % of the Sanford-Wang fit
    to HARP (40.2 mb; Pythia gives ~42 mb). (pi- is 28-33 % low in the same acceptance and
    is not asserted.)"""
    sig, events, failed = _collide(casc, 2212, 8.89, 4, 9, 12000)
    assert failed < 0.01 * 12000
    n_in = 0
    for ev in events:
        for pid, px, py, pz, *_ in ev:
            if pid != 211:
                continue
            p = math.sqrt(px * px + py * py + pz * pz)
            th = math.acos(max(-1.0, min(1.0, pz / p)))
            n_in += 0.75 < p < 6.5 and 0.030 < th < 0.210
    mine = sig * n_in / len(events)
    assert mine == pytest.approx(_harp_sw_cross_section(211), rel=0.15)


def _single_pion_final_states(cascade, t: float, n: int) -> tuple[float, int, int, int]:
    """(sigma_inel in mb, collisions, pp pi0, pn pi+) of n pp collisions at kinetic energy t,
    as the cascade's engine makes them (photons of the pi0 not counted as particles)."""
    p = math.sqrt(t * (t + 2 * M_P))
    assert cascade.casc.sigmaSetuphN(2212, vec4(0.0, 0.0, p, math.hypot(p, M_P)), M_P)
    sig = cascade.casc.sigmahA(1)
    done = n_ppi0 = n_pnpi = 0
    for _ in range(n):
        made = cascade.collide(2212, (0.0, 0.0, p), 1, 1)
        if made is None:
            continue
        out, produced = made
        done += 1
        hadrons = sorted(q[0] for q in out if q[0] not in (22, 11, -11))
        n_pi0 = sum(1 for q in produced if q[0] == 111)
        n_ppi0 += hadrons == [2212, 2212] and n_pi0 == 1
        n_pnpi += hadrons == [211, 2112, 2212] and n_pi0 == 0
    return sig, done, n_ppi0, n_pnpi


@pytest.fixture(scope="module")
def engines():
    from fipgen.cascade.engine import HadronCascade
    from fipgen.cascade.world import world_of
    from fipgen.geometry import load_beamline

    world = world_of(load_beamline("bnb"))
    return {iso: HadronCascade(world, 2212, 8.89, settings=CascadeSettings(nn_isospin=iso), seed=4242)
            for iso in (False, True)}


def test_pp_to_pp_pi0_at_735_mev(engines):
    """sigma(pp -> pp pi0) at T = 735 MeV: 3.46 +- 0.25 mb ('Neutral-pion production from
    proton-proton collisions at 735 MeV', LBL 184-inch synchrocyclotron), within 30 %
    (3.3 mb here). Pythia's own low-energy excitation (``nn_isospin = False``) keeps each
    nucleon's charge (``p Delta+``, never ``n Delta++``) and gives ~14 mb: asserted above
    2.5x, so that a Pythia that fixes it shows up here. Near threshold both channels go
    through ``N Delta(1232)``; isospin then fixes pp pi0 : pn pi+ = (1/4)(2/3) : (3/4 + (1/4)(1/3))
    = 1/6 : 5/6, checked as a binomial fraction within 4 standard deviations."""
    t = 0.735
    sig, n, ppi0, pnpi = _single_pion_final_states(engines[True], t, 3000)
    assert sig * ppi0 / n == pytest.approx(3.46, rel=0.30)
    frac, k = ppi0 / (ppi0 + pnpi), ppi0 + pnpi
    assert abs(frac - 1 / 6) < 4 * math.sqrt((1 / 6) * (5 / 6) / k)
    sig0, n0, ppi0_0, _ = _single_pion_final_states(engines[False], t, 1000)
    assert sig0 * ppi0_0 / n0 > 2.5 * 3.46


def _isoscalar_pi0_ratio(cascade, p: float, n: int) -> tuple[float, float]:
    """pi0 / ((pi+ + pi-)/2) of an isoscalar nucleon-nucleon mixture at momentum p (GeV/c),
    and its statistical error: p p and n p collisions as the engine makes them, n n and p n by
    their charge mirrors (pi+ <-> pi-)."""
    counts = []
    for beam in (2212, 2112):
        per = np.zeros((n, 3))
        for i in range(n):
            made = cascade.collide(beam, (0.0, 0.0, p), 1, 1)
            if made is not None:
                out, produced = made
                per[i] = (sum(q[0] == 111 for q in produced), sum(q[0] == 211 for q in out),
                          sum(q[0] == -211 for q in out))
        counts.append(per)
    both = counts[0] + counts[1]  # per event pair: pi0 of pp + np, charged of both
    num, den = 2.0 * both[:, 0], both[:, 1] + both[:, 2]
    r = num.sum() / den.sum()
    err = r * math.sqrt(np.var(num - r * den, ddof=1) * n) / num.sum()  # ratio estimator's error
    return float(r), float(err)


@pytest.mark.parametrize("p", [4.0, 8.89])
def test_nucleon_nucleon_pions_are_isospin_symmetric(engines, p):
    """Isospin: for an isoscalar initial state (p p, p n, n p, n n equally) the pions come out
    isospin-symmetric, <pi0> = <pi+> = <pi->. Pythia's own low-energy excitations
    (``nn_isospin = False``) keep each nucleon's charge (p p -> p Delta+, p n -> Delta+ Delta0,
    never n Delta++ or Delta++ Delta-) and make p n pairs N Delta at the p p rate:
    pi0 / ((pi+ + pi-)/2) = 1.7 at 8.89 GeV/c, asserted above 1.2 (so that a Pythia that
    fixes it shows up here). With the cascade's isospin (p p and n n as I = 1, p n as I = 1
    or 0, :mod:`fipgen.cascade.isospin`): 1.08 at 4 GeV/c and 1.04 at 8.89 (+- 0.02), asserted
    within 10 % of 1, the room taken by the decays isospin does not constrain (eta -> 3 pi0
    and pi+ pi- pi0, 0.06 eta per collision: ~3 %) and statistics."""
    n = 5000
    r, err = _isoscalar_pi0_ratio(engines[True], p, n)
    assert abs(r - 1.0) < 0.10, (r, err)
    assert err < 0.02
    if p > 8:
        r0, err0 = _isoscalar_pi0_ratio(engines[False], p, 2000)
        assert r0 > 1.2, (r0, err0)


def test_isospin_redraw_conserves_energy_momentum_and_charge(engines):
    """Redrawn excitation pairs keep the collision's four-momentum (the nucleon's new mass is
    absorbed in the pair's rest frame) and charge: pp at 2 GeV, 300 collisions."""
    cascade = engines[True]
    m = cascade.pdata.m0(2212)  # Pythia's proton mass (3 keV from PDG's)
    p = math.sqrt(2.0 * (2.0 + 2 * m))
    e_in = math.hypot(p, m) + m
    charge = cascade.pdata.charge
    for _ in range(300):
        made = cascade.collide(2212, (0.0, 0.0, p), 1, 1)
        if made is None:
            continue
        out, _ = made
        tot = np.sum([q[1:] for q in out], axis=0)
        assert tot == pytest.approx([0.0, 0.0, p, e_in], abs=1e-9)
        assert sum(charge(q[0]) for q in out) == pytest.approx(2.0)


_BLOCK = """
[beamline]
kind = "beamline"
name = "ironblock"
title = "3 x 3 x 5 m iron, protons on axis"
beam_particle = 2212
beam_momentum = 120.0
sources = ["test"]
[beamline.target]
material = "Fe"
shape = "box"
size = [3.0, 3.0, 5.0]
position = [0.0, 0.0, 2.5]
"""


_FEM_REASON = ("the proton law gives 0.14-0.20 at 8 GeV; the cascade 0.290 +- 0.004 with its intranuclear cascade "
               "(0.371 without; UrQMD 3.4's collisions 0.27), near Groom's pion law (0.30): docs/physics.md")


def _em_fraction(tmp_path, p_beam: float, n: int) -> tuple[float, float, float]:
    """f_em = E(photons and e+- from pi0 and eta decays) / T_beam in a contained iron block,
    its standard error (from the POT-to-POT spread) and T_beam."""
    from fipgen.cascade.engine import _EM, HadronCascade
    from fipgen.cascade.world import world_of
    from fipgen.geometry import load_beamline

    class Tally(HadronCascade):
        em: list = []

        def _emit(self, ev, start, pos, t, region, gen, stack, skip=(), read=None):
            for j in range(start, ev.size()):
                q = ev[j]
                if j in skip:
                    continue
                if q.isFinal() and q.id() in _EM and q.mother1() > 0 and abs(ev[q.mother1()].id()) in (111, 221):
                    self.em[self._pot] += q.e()
            super()._emit(ev, start, pos, t, region, gen, stack, skip, read)

    path = tmp_path / "block.toml"
    path.write_text(_BLOCK.replace("beam_momentum = 120.0", f"beam_momentum = {p_beam}"))
    c = Tally(world_of(load_beamline(str(path))), 2212, p_beam, seed=3)
    c.em = [0.0] * n
    c.run(n)
    t_beam = math.hypot(p_beam, M_P) - M_P
    f = np.array(c.em) / t_beam
    return float(f.mean()), float(f.std(ddof=1) / math.sqrt(n)), t_beam


def _groom_band(t_beam: float) -> tuple[float, float]:
    """Groom's power law for protons, 1 - (T/2.6 GeV)^(m-1), over its band 0.80 <= m <= 0.87."""
    lo, hi = (1 - (t_beam / 2.6) ** (m - 1) for m in (0.87, 0.80))
    return lo, hi


@pytest.mark.slow
def test_em_fraction_of_a_120_gev_proton_shower_in_iron(tmp_path):
    """f_em of 120 GeV/c protons in a 3 x 3 x 5 m iron block within Groom's band for protons
    (NIM A 572 (2007) 633; 0.39-0.54 at T = 119 GeV), allowing three standard errors of the
    sample (0.007 with 200 POT). Measured: 0.545 +- 0.007 and 0.533 +- 0.007 (seeds 3, 5); without
    the intranuclear cascade 0.582 +- 0.004, which fails. (The pion law, E0 = 1 GeV, m = 0.83, is
    in the paper's abstract; E0 = 2.6 GeV for protons and the m band are quoted from the paper
    and the PDG review without having been re-read for this test.)"""
    f, df, t_beam = _em_fraction(tmp_path, 120.0, 200)
    lo, hi = _groom_band(t_beam)
    assert lo - 3 * df <= f <= hi + 3 * df, (f, df, lo, hi)


@pytest.mark.slow
@pytest.mark.xfail(strict=True, raises=AssertionError, reason=_FEM_REASON)
def test_em_fraction_of_an_8_gev_proton_shower_in_iron(tmp_path):
    """As above at 8.89 GeV/c (T = 8.0 GeV: Groom's band 0.14-0.20), 1500 POT."""
    f, df, t_beam = _em_fraction(tmp_path, 8.89, 1500)
    lo, hi = _groom_band(t_beam)
    assert lo - 3 * df <= f <= hi + 3 * df, (f, df, lo, hi)


@pytest.mark.slow
def test_bnb_target_first_collisions_in_the_harp_acceptance():
    """The engine's own chain on the BNB beryllium target (beam spot, ionisation before the
    collision, exponential interaction points with sigma_hA): pi+ and pi- made by the beam's
    first collision in the target, in the HARP acceptance, per such collision, times Pythia's
    sigma_prod(p Be), against the Sanford-Wang fits to HARP. Measured (8000 POT, +-2.5 % and
    +-3.3 % statistical): pi+ +7 %, pi- +8 %, their sum +7 % (without the intranuclear cascade
    +8 %, +11 %, +9 %; with Pythia's charges for the p n excitations too: +18 %, -18 %, +5 %; for
    all NN excitations: +9 %, -29 %, -5 %). Asserted: each within 25 %, the sum within 10 %."""
    from fipgen.cascade.engine import HadronCascade
    from fipgen.cascade.records import COLLISION, PRODUCED
    from fipgen.cascade.world import world_of
    from fipgen.geometry import load_beamline

    bl = load_beamline("bnb")
    c = HadronCascade(world_of(bl), 2212, bl.beam_momentum, bl.beam_spot, seed=17)
    n_pot = 8000
    rec = c.run(n_pot).records
    first = (rec["generation"] == 1) & (rec["region"] == 0)
    n_coll = np.sum(first & (rec["kind"] == COLLISION))
    c.casc.sigmaSetuphN(2212, vec4(0.0, 0.0, 8.89, math.hypot(8.89, M_P)), M_P)
    mine, harp = {}, {}
    for pdg in (211, -211):
        pi = rec[first & (rec["kind"] == PRODUCED) & (rec["pdg"] == pdg)]
        p = np.sqrt(pi["px"] ** 2 + pi["py"] ** 2 + pi["pz"] ** 2)
        th = np.arccos(np.clip(pi["pz"] / p, -1, 1))
        n_in = np.sum((p > 0.75) & (p < 6.5) & (th > 0.030) & (th < 0.210))
        mine[pdg] = c.casc.sigmahA(9) * n_in / n_coll
        harp[pdg] = _harp_sw_cross_section(pdg)
        assert mine[pdg] == pytest.approx(harp[pdg], rel=0.25), (pdg, mine[pdg], harp[pdg])
    assert 0.7 < n_coll / n_pot < 0.85  # 1.6 interaction lengths of Be, most of the spot on the target
    assert sum(mine.values()) == pytest.approx(sum(harp.values()), rel=0.10)
