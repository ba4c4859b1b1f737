#!/usr/bin/env python3
"""Validation of the hadron cascade (fipgen.cascade) against published numbers.

Prints four tables:

1. **EM fraction of a contained proton shower in iron** (a 3 x 3 x 5 m Fe block, beam on
   axis): ``f_em = E(photons and e+- from pi0 and eta decays) / T_beam``, Groom's
   ``f_pi0 = <E_pi0>/E`` (D. E. Groom, NIM A 572 (2007) 633, abstract: the mean hadronic
   fraction ``f_h = 1 - f_pi0 = (E/E0)^(m-1)`` with ``E0 ~ 1 GeV`` for pions and
   ``m ~ 0.83``), next to that power law for pions and for protons (``E0 = 2.6 GeV``, see
   ``GROOM`` below for what could and could not be verified), with the band
   ``0.80 <= m <= 0.87``. ``E`` is the beam's kinetic energy (a proton's rest energy is not
   available for pion production). The other EM seeds (mu decay positrons, radiative
   decays of omega, Sigma0, Delta) are shown apart. MC errors from the per-POT spread.
2. **What drives it** (measurements, not engine changes): the ``e_kin_min`` and
   ``enhanceSDtarget`` settings of :class:`~fipgen.cascade.pythia.CascadeSettings`; the
   pi0 : (pi+ + pi-)/2 ratio of everything the cascade makes; and a what-if in which every
   pion made directly in a collision below Pythia's soft-QCD threshold (sqrt(s_NN) < 10 GeV,
   ``LowEnergyQCD``) has its charge redrawn as +, 0, - with probability 1/3 each, i.e. the
   cascade with isospin-symmetric pion charges (a subclass of the engine in this script;
   engine.py is unchanged), and the cascade without its isospin redraw of the NN
   excitations (``CascadeSettings(nn_isospin=False)``, Pythia's charges).
3. **Single collisions against data**: Pythia's ``sigmahA`` against the PDG interaction
   lengths of ``geometries/materials.toml``; pi- p at 205 GeV/c (photons, charged
   multiplicity, inelastic cross section; Fermilab 30-inch bubble chamber, Phys. Rev. D 15
   (1977), OSTI 7219616); pp -> pp pi0 at T = 735 MeV (3.46 +- 0.25 mb, LBL 184-inch
   synchrocyclotron); pp -> pn pi+ at 500 MeV (2.77 +- 0.28 mb, TRIUMF SASP, HEPData);
   pi+- from p-Be at 8.89 GeV/c in the HARP acceptance (0.75-6.5 GeV/c, 30-210 mrad)
   against the MiniBooNE Sanford-Wang fit to the HARP data (arXiv:0806.1449).
4. **Multiplicities per POT** of the packaged beamlines by species and solid (beam's first
   collision and all generations, MC errors), next to the published or fipgen numbers
   (sources in the table).
5. **The nuclear model**: the intranuclear cascade's pi+ absorption cross sections on carbon
   and iron against Ashery et al. (the fit of its absorption width, with half and twice the
   fitted value); f_em of the iron block with and without it at 8.89 and 120 GeV/c; and,
   only where ``chromo`` (the hadronic-model interface on PyPI) is installed, single p-Fe
   collisions at 8.89 GeV/c from Pythia, Pythia with the intranuclear cascade and UrQMD 3.4
   (a transport model), their energy budgets side by side, and f_em when the cascade's
   hadron-nucleus collisions above ``sqrt(s_NN) = 2.2 GeV`` are UrQMD's.

Usage::

    python scripts/validate_cascade.py            # about 8 minutes on one core
    python scripts/validate_cascade.py --quick    # about 1 minute, 10x fewer POT
    python scripts/validate_cascade.py --only fem,collisions
    python scripts/validate_cascade.py --only nuclear      # ~5 minutes (UrQMD part: needs chromo)

Every run is seeded: the same command prints the same numbers.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
import time
from collections import defaultdict

import numpy as np

from fipgen.cascade.engine import _EM, _INCOMING, _NEUTRINOS, RECORDED_SPECIES, HadronCascade
from fipgen.cascade.pythia import CascadeSettings, make_cascade, nucleus_rule, quiet_stdout, vec4
from fipgen.cascade.records import COLLISION, DECAY_AT_REST, EM_SEED, PRODUCED
from fipgen.cascade.world import world_of
from fipgen.geometry import load_beamline

M_P = 0.93827208816
N_A = 6.02214076e23

#: Groom's power law f_h = (E/E0)^(m-1). Pion: E0 ~ 1 GeV, m ~ 0.83 and the definition
#: f_pi0 = <E_pi0>/E are in the abstract of D. E. Groom, NIM A 572 (2007) 633 (read here).
#: Proton: E0 = 2.6 GeV (same m), Groom's value for proton-induced cascades (ibid., section
#: on the pi/p difference; also in the PDG review "Calorimetry"): quoted from the paper, not
#: re-read here. The band 0.80 <= m <= 0.87 is the PDG review's range (same caveat).
GROOM = {"pion": (1.0, 0.83), "proton": (2.6, 0.83)}
M_BAND = (0.80, 0.87)

_BLOCK = """
[beamline]
kind = "beamline"
name = "{name}"
title = "contained block, beam on axis"
beam_particle = 2212
beam_momentum = {p}
sources = ["scripts/validate_cascade.py"]
[beamline.target]
material = "{material}"
shape = "box"
size = [{sx}, {sy}, {sz}]
position = [0.0, 0.0, {zc}]
"""


def groom_fem(e: float, who: str, m: float | None = None) -> float:
    """1 - (E/E0)^(m-1) (0 below E0)."""
    e0, m0 = GROOM[who]
    m = m0 if m is None else m
    return max(0.0, 1.0 - (e / e0) ** (m - 1.0))


_TMP = tempfile.TemporaryDirectory(prefix="fipgen-validate-")  # removed at exit


def block_beamline(p: float, material: str = "Fe", size=(3.0, 3.0, 5.0)):
    path = os.path.join(_TMP.name, f"block_{material}_{p:g}.toml")
    with open(path, "w") as f:
        f.write(_BLOCK.format(name=f"block_{material.lower()}", p=p, material=material, sx=size[0], sy=size[1],
                              sz=size[2], zc=size[2] / 2))
    return load_beamline(path)


# ------------------------------------------------------------------ instrumented cascades

class TallyCascade(HadronCascade):
    """The engine, unchanged, with per-POT tallies of the EM seeds by the decaying parent
    (pi0/eta vs the rest) and of the kinetic energy leaving the solids."""

    def run(self, n_pot: int):
        self.em_pi0eta = np.zeros(int(n_pot))
        self.em_other = defaultdict(float)
        self.escape_t = 0.0
        self._coll_ecm = None
        return super().run(n_pot)

    def _collide(self, pid, m, p3, e, parts, med, pos, t, k, gen, stack):
        self._coll_ecm = math.sqrt(m * m + M_P * M_P + 2.0 * e * M_P)
        try:
            return super()._collide(pid, m, p3, e, parts, med, pos, t, k, gen, stack)
        finally:
            self._coll_ecm = None

    def _track(self, item, stack):
        before = self._ledger["escaping"]
        super()._track(item, stack)
        d = self._ledger["escaping"] - before
        if d > 0:
            self.escape_t += d - item[1]

    def _tally(self, ev, start, skip=()):
        for j in range(start, ev.size()):
            if j in skip:
                continue
            q = ev[j]
            if q.isFinal() and q.id() in _EM:
                mo = q.mother1()
                mid = abs(ev[mo].id()) if mo > 0 else 0
                if mid in (111, 221):
                    self.em_pi0eta[self._pot] += q.e()
                else:
                    self.em_other[mid] += q.e()

    def _emit(self, ev, start, pos, t, region, gen, stack, skip=(), read=None):
        self._tally(ev, start, skip)
        super()._emit(ev, start, pos, t, region, gen, stack, skip, read)


_NOT_DIRECT = frozenset({221, 331, 223, 333})  # pions from these decays keep their charges


class IsospinWhatIf(TallyCascade):
    """What-if: every pion made directly (or through a resonance decay) in a collision with
    sqrt(s_NN) < 10 GeV gets its charge redrawn (+, 0, - with probability 1/3 each), the
    momentum kept. pi0 so made are decayed by Pythia; pi+- are tracked. Collisions above
    10 GeV, decays and pions from eta/eta'/omega/phi decays are untouched. Not a model: a
    measurement of how much of f_em the pion charges of Pythia's LowEnergyQCD carry."""

    def _emit(self, ev, start, pos, t, region, gen, stack, skip=(), read=None):
        if self._coll_ecm is None or self._coll_ecm >= 10.0 or skip:
            return super()._emit(ev, start, pos, t, region, gen, stack, skip, read)
        drop, new = set(), []
        for j in range(start, ev.size()):
            q = ev[j]
            pid = q.id()
            if pid not in (111, 211, -211) or (pid != 111 and not q.isFinal()):
                continue
            mo = q.mother1()
            if mo > 0 and abs(ev[mo].id()) in _NOT_DIRECT:
                continue
            to = (211, 111, -211)[int(self.rng.integers(3))]
            if to == pid:
                continue
            drop.add(j)
            if pid == 111:
                drop.update(range(q.daughter1(), q.daughter2() + 1))
            new.append((to, q.px(), q.py(), q.pz()))
        # the engine's bookkeeping of the entries kept (its _emit, minus the dropped ones)
        self._tally(ev, start, drop)
        led = self._ledger
        e_in = e_out = 0.0
        for j in range(start, ev.size()):
            q = ev[j]
            st = q.status()
            if st in _INCOMING:
                if st in (-181, -182):
                    led["struck_nucleons"] += q.e()
                    e_in += q.e()
                else:
                    e_in += q.e() if st == -12 else 0.0
                continue
            if j in drop:
                e_out += q.e() if q.isFinal() else 0.0
                continue
            pid = q.id()
            if pid in RECORDED_SPECIES:
                self._record(PRODUCED, pid, region, gen, pos, t, (q.px(), q.py(), q.pz()), q.e())
            if not q.isFinal():
                continue
            e = q.e()
            e_out += e
            if pid in _EM:
                self._record(EM_SEED, pid, region, gen, pos, t, (q.px(), q.py(), q.pz()), e)
                led["em_seeds"] += e
            elif pid in _NEUTRINOS:
                led["neutrinos"] += e
            else:
                stack.append((pid, q.m(), np.array([q.px(), q.py(), q.pz()]), pos.copy(), t, gen))
        led["imbalance"] += e_out - e_in
        # the redrawn pions (after the record above is read: nextDecay reuses it)
        for to, px, py, pz in new:
            m = self.pdata.m0(to)
            e = math.sqrt(px * px + py * py + pz * pz + m * m)
            if to == 111:
                self._record(PRODUCED, 111, region, gen, pos, t, (px, py, pz), e)
                sub = self.casc.nextDecay(111, vec4(px, py, pz, e), m)
                saved, self._coll_ecm = self._coll_ecm, None
                TallyCascade._emit(self, sub, 0, pos, t, region, gen, stack)
                self._coll_ecm = saved
            else:
                self._record(PRODUCED, to, region, gen, pos, t, (px, py, pz), e)
                stack.append((to, m, np.array([px, py, pz]), pos.copy(), t, gen))


def fem_run(p: float, n: int, settings: CascadeSettings | None = None, seed: int = 7, cls=TallyCascade,
            material: str = "Fe", **kw) -> dict:
    bl = block_beamline(p, material)
    c = cls(world_of(bl), 2212, p, settings=settings, seed=seed, **kw)
    t0 = time.time()
    r = c.run(n)
    dt = time.time() - t0
    t_beam = math.hypot(p, M_P) - M_P
    f = c.em_pi0eta / t_beam
    rec = r.records[r.records["kind"] == PRODUCED]
    n0 = int((rec["pdg"] == 111).sum())
    nc = int((np.abs(rec["pdg"]) == 211).sum())
    return {"p": p, "T": t_beam, "n": n, "f": float(f.mean()), "df": float(f.std(ddof=1) / math.sqrt(n)),
            "f_all": r.ledger["em_seeds"] / (n * t_beam), "escape": c.escape_t / (n * t_beam),
            "other": {k: v / (n * t_beam) for k, v in c.em_other.items()},
            "pi0_per_pot": n0 / n, "ratio": n0 / max(nc / 2, 1), "ms": 1e3 * dt / n,
            "imbalance": r.ledger["imbalance"] / r.ledger["beam"]}


# ------------------------------------------------------------------ printing helpers

def _pm(v, e, d=3):
    return f"{v:.{d}f} +- {e:.{d}f}"


def section_fem(scale: float) -> dict:
    print("\n== 1. EM fraction of a contained proton shower in iron (3 x 3 x 5 m Fe block)")
    print("   f_em = E(gamma, e+- from pi0 and eta decays) / T_beam; Groom: 1 - (T/E0)^(m-1)")
    out = {}
    rows = [(8.89, int(2000 * scale)), (120.0, int(500 * scale))]
    print(f"   {'p/GeV':>6} {'T/GeV':>7} {'POT':>5} {'f_em (pi0+eta)':>16} {'all EM seeds':>12} {'escaping T':>10} "
          f"{'Groom p (m band)':>22} {'Groom pi (m band)':>22} {'ours - Groom p':>14} {'ms/POT':>7}")
    for p, n in rows:
        r = fem_run(p, n)
        out[p] = r
        t = r["T"]
        gp = groom_fem(t, "proton")
        band_p = (groom_fem(t, "proton", M_BAND[1]), groom_fem(t, "proton", M_BAND[0]))
        gpi = groom_fem(t, "pion")
        band_pi = (groom_fem(t, "pion", M_BAND[1]), groom_fem(t, "pion", M_BAND[0]))
        print(f"   {p:6.2f} {t:7.2f} {n:5d} {_pm(r['f'], r['df']):>16} {r['f_all']:12.3f} {r['escape']:10.3f} "
              f"{gp:8.3f} [{band_p[0]:.2f},{band_p[1]:.2f}]   {gpi:8.3f} [{band_pi[0]:.2f},{band_pi[1]:.2f}]   "
              f"{r['f'] - gp:+14.3f} {r['ms']:7.1f}")
        other = sorted(r["other"].items(), key=lambda kv: -kv[1])[:4]
        print("          other EM seeds (parent pdg: fraction of T): "
              + ", ".join(f"{k}: {v:.4f}" for k, v in other)
              + f";  pi0/POT {r['pi0_per_pot']:.2f}; pi0/[(pi+ + pi-)/2] = {r['ratio']:.2f}")
    print("   Groom pion: E0 = 1 GeV, m = 0.83 (NIM A 572 (2007) 633, abstract); proton: E0 = 2.6 GeV"
          " (quoted, not re-read here); m band 0.80-0.87.")
    return out


def section_drivers(scale: float) -> None:
    print("\n== 2. What drives f_em (8.89 GeV/c unless stated; Fe block)")
    n = int(1000 * scale)
    rows = [("default (e_kin_min 0.2, enhanceSDtarget 0.5)", CascadeSettings(), TallyCascade, 8.89, n),
            ("e_kin_min = 0.3 GeV", CascadeSettings(e_kin_min=0.3), TallyCascade, 8.89, n),
            ("e_kin_min = 0.5 GeV", CascadeSettings(e_kin_min=0.5), TallyCascade, 8.89, n),
            ("e_kin_min = 1.0 GeV", CascadeSettings(e_kin_min=1.0), TallyCascade, 8.89, n),
            ("enhanceSDtarget = 0", CascadeSettings(enhance_sd_target=0.0), TallyCascade, 8.89, n),
            ("enhanceSDtarget = 1", CascadeSettings(enhance_sd_target=1.0), TallyCascade, 8.89, n),
            ("Pythia's p n excitation charges (pn_isospin off)", CascadeSettings(pn_isospin=False), TallyCascade, 8.89, n),
            ("Pythia's NN excitation charges (nn_isospin off)", CascadeSettings(nn_isospin=False), TallyCascade, 8.89, n),
            ("isospin-symmetric pion charges below sqrt(s) = 10 GeV", CascadeSettings(), IsospinWhatIf, 8.89, n),
            ("isospin-symmetric pion charges, 120 GeV/c", CascadeSettings(), IsospinWhatIf, 120.0, max(int(200 * scale), 20))]
    print(f"   {'variant':55s} {'POT':>5} {'f_em (pi0+eta)':>16} {'pi0/POT':>8} {'pi0/avg(pi+-)':>14} {'Groom p':>8}")
    for name, s, cls, p, nn in rows:
        r = fem_run(p, nn, settings=s, cls=cls)
        print(f"   {name:55s} {nn:5d} {_pm(r['f'], r['df']):>16} {r['pi0_per_pot']:8.2f} {r['ratio']:14.2f} "
              f"{groom_fem(r['T'], 'proton'):8.3f}")
    print("   single collisions on Fe (PythiaCascade): pions per collision, and the fraction of T carried by pi0")
    casc = make_cascade(CascadeSettings(), 31)
    for pid, label in ((2212, "p"), (211, "pi+"), (-211, "pi-")):
        for t_kin in (0.3, 1.0, 3.0, 8.0):
            m = casc.particleData().m0(pid)
            cnt = defaultdict(float)

            def count(ev):
                for j in range(ev.size()):
                    q = ev[j]
                    if q.id() in (111, 211, -211):
                        cnt[q.id()] += 1
                        if q.id() == 111:
                            cnt["e0"] += q.e()

            sig, ok = _collisions(casc, pid, math.sqrt(t_kin * (t_kin + 2 * m)), 26, 56, int(2000 * scale) + 200, count)
            if not ok:
                print(f"     {label:3s} T = {t_kin:4.1f} GeV: no collision made (sigma {sig:.1f} mb)")
                continue
            avg = (cnt[211] + cnt[-211]) / 2
            print(f"     {label:3s} T = {t_kin:4.1f} GeV: sigma {sig:6.1f} mb; pi0 {cnt[111] / ok:.3f} pi+ {cnt[211] / ok:.3f} "
                  f"pi- {cnt[-211] / ok:.3f}; pi0/avg(pi+-) {cnt[111] / max(avg, 1):.2f}; E(pi0)/T {cnt['e0'] / ok / t_kin:.3f}")


def _collisions_made(engine, pdg: int, p: float, z: int, a: int, n: int):
    """``(outgoing, produced)`` of each of ``n`` tries of ``engine.collide`` of a ``pdg`` of
    momentum ``p`` along z on the nucleus ``(z, a)`` that Pythia makes (failed tries skipped)."""
    for _ in range(n):
        made = engine.collide(pdg, (0.0, 0.0, p), z, a)
        if made is not None:
            yield made


def _collisions(casc, pid, p, z, a, n, fn):
    m = casc.particleData().m0(pid)
    e = math.hypot(p, m)
    casc.sigmaSetuphN(pid, vec4(0.0, 0.0, p, e), m)
    sig = casc.sigmahA(a)
    ok = 0
    for _ in range(n):
        casc.sigmaSetuphN(pid, vec4(0.0, 0.0, p, e), m)
        ev = casc.nextColl(z, a)
        if ev.size() == 0:
            continue
        ok += 1
        fn(ev)
    return sig, ok


def section_collisions(scale: float) -> None:
    print("\n== 3. Single collisions (PythiaCascade as the engine uses it) against data")
    casc = make_cascade(CascadeSettings(), 20241)
    from fipgen.geometry.materials import get_material

    print("   inelastic cross sections sigma_hA (Pythia) vs sigma = A / (N_A lambda_I) (PDG lambda_I, materials.toml)")
    for mat, a_int in (("C", 12), ("Al", 27), ("Fe", 56), ("Be", 9)):
        mt = get_material(mat)
        pdg_sig = mt.A / (N_A * mt.interaction_length) * 1e27
        vals = []
        for p in (8.89, 30.0, 120.0):
            casc.sigmaSetuphN(2212, vec4(0, 0, p, math.hypot(p, M_P)), M_P)
            vals.append(casc.sigmahA(a_int))
        print(f"     p-{mat:2s}: PDG {pdg_sig:6.1f} mb; Pythia at 8.89 / 30 / 120 GeV/c: "
              + " / ".join(f"{v:6.1f}" for v in vals) + f" mb  (120 GeV: {vals[-1] / pdg_sig - 1:+.1%})")
    for mat, a_int in (("Cu", 64), ("W", 184)):  # untabulated in Pythia: its sigmahA, then the cascade's rule
        mt = get_material(mat)
        pdg_sig = mt.A / (N_A * mt.interaction_length) * 1e27
        rule = nucleus_rule(a_int)
        raw, fixed = [], []
        for p in (8.89, 30.0, 120.0):
            casc.sigmaSetuphN(2212, vec4(0, 0, p, math.hypot(p, M_P)), M_P)
            raw.append(casc.sigmahA(a_int))
            fixed.append(rule.sigma(casc.sigmahA))
        print(f"     p-{mat:2s}: PDG {pdg_sig:6.1f} mb; Pythia (integer interpolation) "
              + " / ".join(f"{v:6.1f}" for v in raw) + "; the cascade's NucleusRule "
              + " / ".join(f"{v:6.1f}" for v in fixed) + f" mb  (120 GeV: {fixed[-1] / pdg_sig - 1:+.1%})")

    n = int(3000 * scale) + 200
    ng, nch = [], []

    def pim(ev):
        fin = [ev[j] for j in range(ev.size()) if ev[j].isFinal()]
        ng.append(sum(q.id() == 22 for q in fin))
        nch.append(sum(q.isCharged() for q in fin))

    sig, ok = _collisions(casc, -211, 205.0, 1, 1, n, pim)
    g, dg = 171.3 / 21.01, 171.3 / 21.01 * math.hypot(15.3 / 171.3, 0.46 / 21.01)
    print(f"   pi- p 205 GeV/c: sigma_inel {sig:.2f} mb (data 24.19 - 3.18 = 21.01 +- 0.46); photons/collision "
          f"{_pm(np.mean(ng), np.std(ng) / math.sqrt(ok), 2)} (data {g:.2f} +- {dg:.2f}); charged/collision "
          f"{_pm(np.mean(nch), np.std(nch) / math.sqrt(ok), 2)} (data 7.99 +- 0.06)   [Phys. Rev. D 15, no. 11 (1977), OSTI 7219616]")

    for t_kin, data, which in ((0.735, (3.46, 0.25, "pp -> pp pi0 ('Neutral-pion production from proton-proton collisions at 735 MeV', LBL 184-inch synchrocyclotron)"), ("p", "p", "pi0")),
                               (0.500, (2.77, 0.28, "pp -> pn pi+ (TRIUMF SASP, 420 and 500 MeV, HEPData)"), ("n", "p", "pi+"))):
        p = math.sqrt(t_kin * (t_kin + 2 * M_P))
        for iso in (False, True):  # Pythia's excitation charges, then the engine's isospin redraw
            engine = HadronCascade(world_of(block_beamline(8.89)), 2212, 8.89, settings=CascadeSettings(nn_isospin=iso),
                                   seed=20241)
            fs = defaultdict(int)
            ok = 0
            for out, produced in _collisions_made(engine, 2212, p, 1, 1, n):
                ok += 1
                names = [engine.pdata.name(q[0]) for q in out if q[0] not in (22, 11, -11)]
                names += ["pi0"] * sum(1 for q in produced if q[0] == 111)
                fs[tuple(sorted(names))] += 1
            sig = engine.casc.sigmahA(1) if engine.casc.sigmaSetuphN(2212, vec4(0.0, 0.0, p, math.hypot(p, M_P)), M_P) \
                else float("nan")
            want = ("p+", "p+", "pi0") if which[2] == "pi0" else ("n0", "p+", "pi+")
            frac = fs.get(want, 0) / ok
            pp0 = fs.get(("p+", "p+", "pi0"), 0) / ok
            npp = fs.get(("n0", "p+", "pi+"), 0) / ok
            label = "with the isospin redraw" if iso else "Pythia's charges"
            print(f"   pp at T = {t_kin * 1e3:.0f} MeV ({label}): sigma_inel {sig:.2f} mb; sigma(pp pi0) {sig * pp0:.2f} mb, "
                  f"sigma(pn pi+) {sig * npp:.2f} mb; data {data[2]}: {data[0]} +- {data[1]} mb "
                  f"(cascade {sig * frac:.2f} mb, ratio {sig * frac / data[0]:.2f})")

    from scipy import integrate

    from fipgen.production.sources.charged_mesons import bnb_density

    plo, phi, tlo, thi = 0.75, 6.5, 0.030, 0.210
    acc = defaultdict(int)

    def harp(ev):
        for j in range(ev.size()):
            q = ev[j]
            if q.id() in (211, -211, 111):
                acc["all", q.id()] += 1
                if q.id() != 111:
                    pp = q.pAbs()
                    th = math.acos(max(-1.0, min(1.0, q.pz() / pp)))
                    if plo < pp < phi and tlo < th < thi:
                        acc["in", q.id()] += 1

    sig, ok = _collisions(casc, 2212, 8.89, 4, 9, 4 * n, harp)
    print(f"   p-Be 8.89 GeV/c (sigma_prod Pythia {sig:.1f} mb; MiniBooNE: sigma_inel 212.3, sigma_inel - sigma_QE 177.6 mb):")
    for pid in (211, -211):
        f = bnb_density(pid)
        sw = integrate.dblquad(lambda th, p, f=f: f(p, th) * 2 * math.pi * math.sin(th), plo, phi, tlo, thi)[0]
        mine = sig * acc["in", pid] / ok
        print(f"     {'pi+' if pid > 0 else 'pi-'} in the HARP acceptance: Pythia {mine:.1f} +- "
              f"{sig * math.sqrt(acc['in', pid]) / ok:.1f} mb, Sanford-Wang fit to HARP {sw:.1f} mb "
              f"({mine / sw - 1:+.0%}); all phase space {acc['all', pid] / ok:.3f} per collision")
    print(f"     pi0 per collision {acc['all', 111] / ok:.3f} = {acc['all', 111] / ((acc['all', 211] + acc['all', -211]) / 2):.2f}"
          " x (pi+ + pi-)/2")


#: Published or fipgen numbers per POT: (beamline, pdg) -> list of (value, what, source).
PUBLISHED = {
    ("bnb", 211): [(0.6092, "first interactions, full phase space", "MiniBooNE Sanford-Wang fit (arXiv:0806.1449) "
                    "x f_int, fipgen charged_mesons")],
    ("bnb", -211): [(0.5537, "first interactions, full phase space", "same")],
    ("bnb", 111): [(0.9, "all generations (normalisation)", "BdNMC default, arXiv:1609.01770"),
                   (0.58, "first interactions", "(pi+ + pi-)/2 of the Sanford-Wang fits, fipgen docs/physics.md")],
    ("bnb", 321): [(0.049, "first interactions", "Feynman-scaling fit, Mariani et al. PRD 84 114021, fipgen")],
    ("bnb", 130): [(0.0172, "first interactions", "Sanford-Wang K0L fit, arXiv:0806.1449, fipgen")],
    ("bnb_dump", 111): [(2.42, "all generations", "BdNMC for the MiniBooNE dump, arXiv:1807.06137")],
    ("bnb_dump", 221): [(0.0807, "all generations", "2.42 / 30, BdNMC eta/pi0")],
}
for _bl, _vals in (("numi", (2.5981, 2.2149, 0.2353, 0.143, 2.9209)), ("lbnf", (2.9941, 2.5525, 0.2711, 0.1648, 3.3661)),
                   ("darkquest_beam", (2.9903, 2.579, 0.2721, 0.1668, 3.4016))):
    for _pdg, _v in zip((211, -211, 321, -321), _vals[:4]):
        PUBLISHED[(_bl, _pdg)] = [(_v, "first interactions", "BMPT fit (Bonesini et al., EPJ C20 (2001) 13) for "
                                   "x_F >= 0 + Pythia, fipgen meson_p120_bmpt")]
    PUBLISHED[(_bl, 111)] = [(_vals[4], "first interactions", "Pythia 8 pp/pn at 120 GeV/c, fipgen meson_p120_pythia8")]

_NAMES = {111: "pi0", 211: "pi+", -211: "pi-", 321: "K+", -321: "K-", 130: "K0L", 221: "eta"}


def section_beamlines(scale: float) -> None:
    print("\n== 4. Multiplicities per POT of the packaged beamlines (cascade: made by the beam's first collision in\n"
          "   the target, with its short-lived decays; all generations in all solids; by solid). Reference numbers are\n"
          "   first interactions in the target only (no tertiaries) unless marked 'all generations'.")
    plan = [("bnb", 1500), ("bnb_dump", 1000), ("numi", 300), ("lbnf", 250), ("darkquest_beam", 150)]
    for name, n in plan:
        n = max(int(n * scale), 20)
        bl = load_beamline(name)
        w = world_of(bl)
        t0 = time.time()
        r = HadronCascade(w, bl.beam_particle, bl.beam_momentum, bl.beam_spot, seed=101).run(n)
        dt = time.time() - t0
        rec = r.records
        print(f"\n   {name}: {bl.beam_momentum} GeV/c, {n} POT, {1e3 * dt / n:.0f} ms/POT; solids "
              + ", ".join(f"{k}={reg.name} ({reg.material.name})" for k, reg in enumerate(w.regions)))
        prod = rec[rec["kind"] == PRODUCED]
        coll1 = rec[(rec["kind"] == COLLISION) & (rec["generation"] == 1)]
        print(f"     beam's first collision in the target for {np.mean(coll1['region'] == 0):.3f} of the POT"
              + "".join(f", in {w.regions[k].name} {np.mean(coll1['region'] == k):.3f}"
                        for k in sorted(set(coll1["region"].tolist())) if k > 0)
              + f" (none: {1 - coll1.size / n:.3f})")
        print(f"     {'species':7s} {'1st coll. target':>16} {'all, all solids':>16}   by solid (all generations)")
        for pdg, nm in _NAMES.items():
            sel = prod[prod["pdg"] == pdg]
            per = np.bincount(sel["pot"], minlength=n)
            per1 = np.bincount(sel["pot"][(sel["generation"] == 1) & (sel["region"] == 0)], minlength=n)
            by = []
            for k in sorted(set(np.unique(sel["region"]).tolist())):
                pk = np.bincount(sel["pot"][sel["region"] == k], minlength=n)
                label = w.regions[k].name if k >= 0 else "vacuum"
                by.append(f"{label} {pk.mean():.3f}")
            print(f"     {nm:7s} {_pm(per1.mean(), per1.std(ddof=1) / math.sqrt(n)):>16} "
                  f"{_pm(per.mean(), per.std(ddof=1) / math.sqrt(n)):>16}   " + ", ".join(by))
            for val, what, src in PUBLISHED.get((name, pdg), []):
                print(f"     {'':7s} {'':>16} {val:>16.3f}   <- {what}: {src}")
        dar = rec[(rec["kind"] == DECAY_AT_REST) & (rec["pdg"] == 321)]
        if dar.size:
            by = ", ".join(f"{w.regions[k].name} {np.sum(dar['region'] == k) / n:.3f}"
                           for k in sorted(set(np.unique(dar["region"]).tolist())) if k >= 0)
            print(f"     K+ decays at rest per POT: {dar.size / n:.3f} +- {math.sqrt(dar.size) / n:.3f} ({by})")


# ------------------------------------------------------------------ 5. the nuclear model

_URQMD_SPECIES = frozenset({2212, 2112, 211, -211, 321, -321, -2212})  # projectiles UrQMD 3.4 takes here
_URQMD_DECAYED = frozenset({111, 221, 331, 223, 113, 333, 3212})  # decayed by Pythia where UrQMD leaves them


def _rotate_from_z(d):
    """The rotation matrix taking +z to the unit vector ``d``."""
    c = d[2]
    if c < -1.0 + 1e-12:
        return np.diag([1.0, -1.0, -1.0])
    vx = np.array([[0.0, 0.0, d[0]], [0.0, 0.0, d[1]], [-d[0], -d[1], 0.0]])
    return np.eye(3) + vx + vx @ vx / (1.0 + c)


_URQMD: list = []


def _urqmd(seed: int):
    """The process's one UrQMD 3.4 generator (chromo allows a single instance of a Fortran model
    per process; the first caller's seed stands)."""
    if not _URQMD:
        import warnings

        import chromo
        from chromo.constants import GeV
        from chromo.kinematics import FixedTarget

        here = os.getcwd()
        os.chdir(_TMP.name)  # UrQMD writes its tables.dat where it starts: the script's temporary directory
        try:
            with warnings.catch_warnings(), quiet_stdout():
                warnings.simplefilter("ignore")
                _URQMD.append(chromo.models.UrQMD34(FixedTarget(8.89 * GeV, "p", (56, 26)), seed=seed))
        finally:
            os.chdir(here)
    return _URQMD[0]


class UrQMDCollisions(TallyCascade):
    """The engine with UrQMD 3.4 (via chromo) making the hadron-nucleus collisions of the
    species it takes above ``sqrt(s_NN) = 2.2 GeV`` (UrQMD's own lower limit is 2 GeV);
    Pythia's below. UrQMD's nucleons still bound (``E`` below the free mass: the spectators)
    are dropped; what it leaves
    undecayed among pi0, eta, omega, Sigma0... is decayed by Pythia; the knocked-out nucleons
    take their free masses (the energy of a collision is booked as struck nucleons, as the
    engine does)."""

    def __init__(self, *a, urqmd_seed: int = 11, **k):
        super().__init__(*a, **k)
        from chromo.constants import GeV
        from chromo.kinematics import FixedTarget

        self._fixed, self._gev = FixedTarget, GeV
        self._urqmd = _urqmd(urqmd_seed)
        self.n_urqmd = self.n_pythia = 0

    def _collide(self, pid, m, p3, e, parts, med, pos, t, k, gen, stack):
        if pid not in _URQMD_SPECIES or m * m + M_P * M_P + 2.0 * e * M_P < 2.2 ** 2:
            self.n_pythia += 1
            return super()._collide(pid, m, p3, e, parts, med, pos, t, k, gen, stack)
        u = self.rng.random() * sum(parts)
        i = 0
        while i < len(parts) - 1 and u > parts[i]:
            u -= parts[i]
            i += 1
        z, a, _ = med.elements[i]
        pm = math.sqrt(p3[0] ** 2 + p3[1] ** 2 + p3[2] ** 2)
        import warnings

        with warnings.catch_warnings(), quiet_stdout():
            warnings.simplefilter("ignore")
            self._urqmd.kinematics = self._fixed(pm * self._gev, pid, (a, z))
            fs = next(iter(self._urqmd(1))).final_state()
        self.n_urqmd += 1
        g = 1 if gen == 0 else 2
        self._record(COLLISION, pid, k, g, pos, t, p3, e)
        rot = _rotate_from_z(np.array(p3) / pm)
        led = self._ledger
        e_out = 0.0
        for q, px, py, pz, en in zip(fs.pid, fs.px, fs.py, fs.pz, fs.en):
            q = int(q)
            if q in (2212, 2112) and en < self.pdata.m0(q):
                continue  # bound: a spectator (UrQMD's nucleons in the nucleus have E = m - 8.8 MeV in Fe)
            mom = rot @ np.array([px, py, pz])
            mq = self.pdata.m0(q)
            eq = math.sqrt(float(mom @ mom) + mq * mq)
            e_out += eq
            if q in _URQMD_DECAYED:
                self._record(PRODUCED, q, k, g, pos, t, tuple(mom), eq)
                dec = self.casc.nextDecay(q, vec4(*mom, eq), mq)
                self._emit(dec, 0, pos, t, k, g, stack)
            elif q in _EM:
                self._record(EM_SEED, q, k, g, pos, t, tuple(mom), eq)
                led["em_seeds"] += eq
            else:
                if q in RECORDED_SPECIES:
                    self._record(PRODUCED, q, k, g, pos, t, tuple(mom), eq)
                stack.append((q, mq, (float(mom[0]), float(mom[1]), float(mom[2])), pos, t, g))
        led["struck_nucleons"] += e_out - e
        return True


def _budget(particles) -> dict:
    """Energy (GeV) and number per collision of pi0, pi+-, eta, nucleons (kinetic) and the rest."""
    out = defaultdict(float)
    for q, _p3, e, m in particles:
        a = abs(q)
        key = {111: "pi0", 211: "pi+-", 221: "eta", 2212: "N", 2112: "N"}.get(a, "other")
        out[key + " E"] += e - (m if key == "N" else 0.0)
        out[key + " n"] += 1
    return out


def section_nuclear(scale: float) -> None:
    print("\n== 5. The nuclear model: the intranuclear cascade (fipgen.cascade.nucleus), and UrQMD 3.4 (chromo)")
    from fipgen.cascade.nucleus import ASHERY_ABSORPTION, IntranuclearCascade, absorption_cross_section
    from fipgen.cascade.pythia import NuclearModel

    casc = make_cascade(CascadeSettings(), 5)
    pdata = casc.particleData()  # (valid while casc lives)
    k = int(3000 * scale) + 200
    fitted = NuclearModel().absorption_width
    print(f"   pi+ absorption (mb), {k} pions per point, against Ashery et al. (PRC 23 (1981) 2173); chi2 over the"
          f" 12 points (model's MC error included); fitted absorption width {fitted} GeV")
    for width in (fitted / 2, fitted, fitted * 2):
        inc = IntranuclearCascade(NuclearModel(absorption_width=width), pdata, 3)
        chi2, rows = 0.0, []
        for (z, a), data in ASHERY_ABSORPTION.items():
            for t_mev, (sig, err) in data.items():
                mine, dm = absorption_cross_section(inc, z, a, 211, t_mev / 1e3, k)
                chi2 += (mine - sig) ** 2 / (err ** 2 + dm ** 2)
                rows.append(f"{'C' if z == 6 else 'Fe'} {t_mev}: {mine:3.0f} ({sig})")
        print(f"     width {width:.3f} GeV: chi2 {chi2:5.1f} / 12   " + ", ".join(rows))
    m = max(int(1000 * scale), 50)
    m120 = max(int(100 * scale), 10)
    for p, n in ((8.89, m), (120.0, m120)):
        on = fem_run(p, n, seed=7)
        off = fem_run(p, n, settings=CascadeSettings(intranuclear=False), seed=7)
        print(f"   iron block at {p} GeV/c, {n} POT: f_em {_pm(off['f'], off['df'])} (Pythia's collisions alone) -> "
              f"{_pm(on['f'], on['df'])} (with the intranuclear cascade); pi0 per POT {off['pi0_per_pot']:.2f} -> "
              f"{on['pi0_per_pot']:.2f}; ms per POT {off['ms']:.1f} -> {on['ms']:.1f}; Groom p "
              f"{groom_fem(on['T'], 'proton'):.3f} [{groom_fem(on['T'], 'proton', M_BAND[1]):.2f},"
              f"{groom_fem(on['T'], 'proton', M_BAND[0]):.2f}], pion {groom_fem(on['T'], 'pion'):.3f}")
    try:
        import chromo  # noqa: F401
    except ImportError:
        print("   UrQMD: skipped (chromo is not installed: pip install chromo)")
        return
    import warnings

    from chromo.constants import GeV
    from chromo.kinematics import FixedTarget

    n = int(2000 * scale) + 100
    p = 8.89
    gen = _urqmd(5)
    with warnings.catch_warnings(), quiet_stdout():
        warnings.simplefilter("ignore")
        gen.kinematics = FixedTarget(p * GeV, "p", (56, 26))
        events = [ev.final_state() for ev in gen(n)]
    ur = defaultdict(float)
    for fs in events:
        parts = [(int(q), (px, py, pz), en, mm) for q, px, py, pz, en, mm in zip(fs.pid, fs.px, fs.py, fs.pz, fs.en, fs.m)
                 if not (int(q) in (2212, 2112) and en < 0.9383)]  # bound nucleons (spectators) left out
        for key, v in _budget(parts).items():
            ur[key] += v / n
    budgets = []
    for name, st in (("Pythia", CascadeSettings(intranuclear=False)), ("Pythia+INC", CascadeSettings())):
        c = HadronCascade(world_of(block_beamline(p)), 2212, p, settings=st, seed=5)
        b, ok = defaultdict(float), 0
        for out, produced in _collisions_made(c, 2212, p, 26, 56, n):
            ok += 1
            parts = [(q, (px, py_, pz), e, math.sqrt(max(e * e - px * px - py_ * py_ - pz * pz, 0.0)))
                     for q, px, py_, pz, e in out if q not in _EM]
            parts += [(q, (px, py_, pz), e, 0.0) for q, px, py_, pz, e in produced if q in (111, 221)]
            for key, v in _budget(parts).items():
                b[key] += v
        budgets.append((name, b, ok))
    budgets.append(("UrQMD", ur, 1))
    print(f"   p-Fe at {p} GeV/c, {n} collisions each: energy (GeV) and number per collision (nucleons: kinetic energy;"
          " UrQMD's spectators left out)")
    print(f"   {'':10s} {'pi0':>14s} {'pi+-':>14s} {'eta':>14s} {'nucleons':>14s} {'other':>14s}")
    for name, b, nn in budgets:
        print(f"   {name:10s} " + " ".join(f"{b[k + ' E'] / nn:6.2f} / {b[k + ' n'] / nn:5.2f}"
                                            for k in ("pi0", "pi+-", "eta", "N", "other")))
    m = max(int(200 * scale), 20)
    off = CascadeSettings(intranuclear=False)
    r = fem_run(p, m, cls=UrQMDCollisions, settings=off, seed=7)
    base = fem_run(p, m, settings=off, seed=7)
    print(f"   iron block, {m} POT: f_em {_pm(base['f'], base['df'])} (Pythia's collisions) -> {_pm(r['f'], r['df'])} "
          f"(UrQMD's above sqrt(s_NN) = 2.2 GeV); Groom p {groom_fem(r['T'], 'proton'):.3f}, pion {groom_fem(r['T'], 'pion'):.3f}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="10x fewer POT (about 1 minute)")
    ap.add_argument("--only", default="fem,drivers,collisions,beamlines,nuclear",
                    help="comma-separated sections: fem, drivers, collisions, beamlines, nuclear")
    a = ap.parse_args(argv)
    scale = 0.1 if a.quick else 1.0
    only = set(a.only.split(","))
    t0 = time.time()
    if "fem" in only:
        section_fem(scale)
    if "drivers" in only:
        section_drivers(scale)
    if "collisions" in only:
        section_collisions(scale)
    if "beamlines" in only:
        section_beamlines(scale)
    if "nuclear" in only:
        section_nuclear(scale)
    print(f"\n({time.time() - t0:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
