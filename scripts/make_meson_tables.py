"""Regenerate fipgen's meson-production tables in ``fluxes/`` with Pythia 8 (and BMPT).

Usage::

    python scripts/make_meson_tables.py [--quick] [--out DIR] [--seed N]

Needs ``pythia8mc==8.317.2`` (PyPI; imported as ``pythia8mc``; the cascade estimate also
uses the ``share/Pythia8/setups/InitDefaultMPI.cmnd`` its wheel installs). The full run
takes about 14 minutes on one core (3e6 + 3e6 minimum-bias events at 120 GeV/c, 1e6 + 1e6
charm events, 1e6 + 1e6 events at 8.89 GeV/c, 3000 POT of cascade per beamline);
``--quick`` (about 30 s) makes small tables for tests and trials. Output files (numpy ``.npz``, ``np.savez_compressed``):

``meson_p120_pythia8.npz``
    120 GeV/c protons on protons and on neutrons (``SoftQCD:inelastic``): light mesons.
``charm_p120_pythia8.npz``
    120 GeV/c protons on protons and neutrons, charm-enriched (``HardQCD:hardccbar``).
``meson_p8.89_pythia8.npz``
    8.89 GeV/c protons on protons and neutrons (``LowEnergyQCD:inelastic``): comparison
    only (the MiniBooNE dump source is the Sanford-Wang one, see fluxes/README.md).
``meson_p120_bmpt.npz``
    pi+-, K+- per interacting proton on C and Fe: BMPT for x_F >= 0, Pythia 8 (p/n mix)
    for x_F < 0.

Each file holds, per species ``<pdg>``, arrays of (p, theta) counts ``counts_pp_<pdg>``
and ``counts_pn_<pdg>`` (int32, Pythia files) or ``yield_<target>_<pdg>`` (float32,
mesons per interacting proton per bin, BMPT file), the bin edges ``p_edges`` and
``theta_edges`` (lab momentum GeV/c, polar angle to the beam rad), and ``header``: a
JSON string with the generator and version, all settings, seeds, event counts, cross
sections, binning, the per-POT normalisation of every beamline using the file, and date.

Definitions
-----------
* A meson is counted *as produced*: every particle of the species in the event record,
  whether it comes from string fragmentation or from the decay of a particle with
  ``c tau0 < 10 mm`` (``ParticleDecays:limitTau0 = on``, ``tau0Max = 10``: Pythia decays
  pi0, eta, eta', omega, rho, phi, K*, Delta, Sigma0, D, Ds... and keeps pi+-, K+-, K0L,
  K0S, Lambda, Sigma+-, Xi, Omega, mu undecayed). So a pi0 from eta -> 3 pi0 or from
  omega -> pi0 gamma counts as a pi0; a pi0 from K0S -> 2 pi0 does not (the K0S travels
  centimetres and may interact in the target first). The counted pi0, eta, ... decay
  promptly in Pythia; they are kept with their own lab momentum p and angle theta.
* Nuclear targets: p-p and p-n collisions mixed by the target's Z/A. Nothing else of the
  nucleus is modelled (no Fermi motion, no intranuclear cascade or absorption, no A
  dependence of the multiplicity): a p-C or p-Fe collision makes more, softer mesons
  than this mix (wounded-nucleon estimate (1 + nu)/2 = 1.3 for C, 1.7 for Fe at central
  rapidity; less forward). The BMPT tables carry measured A dependence for x_F >= 0.
* Per POT: (mesons per inelastic collision) x (interacting fraction of the beamline's
  target, ``fipgen.production.sources.vertex.interacting_fraction``, from the target's
  material and length in ``geometries/<beamline>.toml``). Tertiary production (mesons
  from secondaries re-interacting in thick targets) is not in these numbers: see the
  ``tertiary`` entry of each beamline in the header and fluxes/README.md.
* Charm: mesons per cc-bar event from Pythia (fragmentation fractions as Pythia gives
  them), times ``sigma_cc(pN) A / sigma_inel(pA)`` (A^1 scaling of open charm,
  sigma_inel(pA) from the material's lambda_I), times the interacting fraction.
  sigma_cc(pN) at 120 GeV: see :data:`SIGMA_CC_REF_UB` and :func:`charm_cross_section`.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import math
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]  # the checkout: default output is ROOT/fluxes

#: Version of the table layout (bump when the file content changes meaning).
TABLE_VERSION = 1
PYTHIA_REQUIREMENT = "pythia8mc==8.317.2"
M_PROTON = 0.93827  # Pythia's proton mass (ParticleData), GeV

#: Light species counted in the minimum-bias runs.
LIGHT = (111, 221, 331, 223, 113, 333, 211, -211, 321, -321, 130, 310)
#: Charm species counted in the charm-enriched runs.
CHARM = (411, -411, 421, -421, 431, -431)
#: Species for which the BMPT hybrid tables are made.
BMPT_SPECIES = (211, -211, 321, -321)

#: Beamlines served by each 120 GeV table, with their target (material from the geometry).
BEAMLINES_120 = ("numi", "lbnf", "darkquest_beam")

#: Event counts per target nucleon type (pp, pn): full and --quick.
N_EVENTS = {"light120": 3_000_000, "charm120": 1_000_000, "light8": 1_000_000, "charm400": 50_000}
N_EVENTS_QUICK = {"light120": 20_000, "charm120": 4_000, "light8": 10_000, "charm400": 2_000}

#: Reference total charm cross section per nucleon (microbarn) and its sqrt(s) (GeV):
#: 18.1 +- 1.7 ub/nucleon at 400 GeV/c (sqrt(s) = 27.4 GeV), the value of the Lourenco-Woehri
#: compilation (Phys. Rept. 433 (2006) 127, hep-ph/0609101) that SHiP uses.
SIGMA_CC_REF_UB = 18.1
SIGMA_CC_REF_PBEAM = 400.0
#: Check value: SVD-2 (SERP-E-184), p-A at 70 GeV/c (sqrt(s) = 11.8 GeV):
#: 7.1 +- 2.3 (stat) +- 1.4 (syst) ub/nucleon (Kokoulina et al., PoS ICHEP2016 720).
SIGMA_CC_SVD2_UB = 7.1

#: Tertiary production per beamline: the target as the protons see it. The numbers come
#: from :func:`cascade_estimate` and are appended to these texts in the headers.
TERTIARY = {
    "numi": "not included in per_pot. Target 0.95 m of graphite = 1.98 lambda_I, 6.4 mm wide: leading secondaries re-interact, wide-angle ones leave.",
    "lbnf": "not included in per_pot. Target 2.2 m of graphite = 4.56 lambda_I, 16 mm diameter: most forward secondaries re-interact.",
    "darkquest_beam": "not included in per_pot. FMAG 4.75 m of iron = 28 lambda_I, 1.6 m wide: the hadronic shower is contained (a full cascade).",
    "bnb_dump": "2.6 m of steel = 15.7 lambda_I: a contained shower at 8.89 GeV/c.",
    "bnb": "0.71 m of Be = 1.7 lambda_I, 9.5 mm diameter.",
}

P_MAX_LIGHT_BINS = 240
THETA_BINS = 200


def binning(p_beam: float, n_p: int = P_MAX_LIGHT_BINS, n_theta: int = THETA_BINS) -> tuple[np.ndarray, np.ndarray]:
    """Bin edges: ``p = p_beam (i/n_p)^2`` and ``theta = pi (j/n_theta)^2`` (fine at small p, angle).

    At 120 GeV/c the momentum bins are 2 MeV wide at 0, 0.3 GeV at 10 GeV, 0.9 GeV at
    100 GeV; the angle bins 0.08 mrad at 0, 1.8 mrad at 10 mrad, 5.6 mrad at 0.1 rad.
    """
    p_edges = p_beam * (np.arange(n_p + 1) / n_p) ** 2
    theta_edges = math.pi * (np.arange(n_theta + 1) / n_theta) ** 2
    return p_edges, theta_edges


def pythia_settings(p_beam: float, target: int, process: str, seed: int) -> list[str]:
    """All Pythia settings of one run (the header records them)."""
    proc = {
        "light120": ["SoftQCD:inelastic = on"],
        "charm120": ["HardQCD:hardccbar = on"],
        "charm400": ["HardQCD:hardccbar = on"],
        "light8": ["LowEnergyQCD:inelastic = on"],
    }[process]
    return [
        "Beams:frameType = 2",
        "Beams:idA = 2212",
        f"Beams:idB = {target}",
        f"Beams:eA = {math.hypot(p_beam, M_PROTON)!r}",
        "Beams:eB = 0",
        *proc,
        "ParticleDecays:limitTau0 = on",
        "ParticleDecays:tau0Max = 10",
        "Random:setSeed = on",
        f"Random:seed = {seed}",
        "Next:numberCount = 0",
        "Print:quiet = on",
    ]


def make_pythia(settings: list[str]):
    """An initialised ``pythia8mc.Pythia`` with ``settings``."""
    import pythia8mc

    py = pythia8mc.Pythia("", False)
    for s in settings:
        if not py.readString(s):
            raise RuntimeError(f"Pythia refused setting {s!r}")
    if not py.init():
        raise RuntimeError("Pythia initialisation failed")
    return py


def generate(settings: list[str], n_events: int, species, p_edges, theta_edges, p_beam: float, batch: int = 20_000) -> dict:
    """Run Pythia for ``n_events`` and histogram every meson of ``species`` in (p, theta).

    Returns a dict: ``counts`` {pdg: int32 (n_p, n_theta)}, ``counts_backward`` {pdg:
    int32 histogram of the x_F < 0 subset}, ``n_events``, per-species ``sum`` and
    ``sumsq`` of the per-event multiplicity and ``sum_energy`` (GeV), ``sigma_gen_mb``,
    ``version``, ``seconds``.
    """
    import awkward as ak

    t0 = time.time()
    py = make_pythia(settings)
    n_p, n_t = p_edges.size - 1, theta_edges.size - 1
    counts = {pdg: np.zeros((n_p, n_t), np.int64) for pdg in species}
    back = {pdg: np.zeros((n_p, n_t), np.int64) for pdg in species}
    s1 = {pdg: 0 for pdg in species}
    s2 = {pdg: 0 for pdg in species}
    se = {pdg: 0.0 for pdg in species}
    e_b = math.hypot(p_beam, M_PROTON)
    beta_cm = p_beam / (e_b + M_PROTON)
    gam_cm = 1.0 / math.sqrt(1.0 - beta_cm * beta_cm)
    done = 0
    while done < n_events:
        k = min(batch, n_events - done)
        b = py.nextBatch(k)
        got = len(b)
        if got == 0:
            raise RuntimeError("Pythia returned no events")
        prt = b.prt
        nper = ak.to_numpy(ak.num(prt.id))
        ids = ak.to_numpy(ak.flatten(prt.id))
        evt = np.repeat(np.arange(got), nper)
        px = ak.to_numpy(ak.flatten(prt.p.px))
        py_ = ak.to_numpy(ak.flatten(prt.p.py))
        pz = ak.to_numpy(ak.flatten(prt.p.pz))
        en = ak.to_numpy(ak.flatten(prt.p.e))
        for pdg in species:
            sel = ids == pdg
            if not sel.any():
                continue
            pt = np.hypot(px[sel], py_[sel])
            p = np.hypot(pt, pz[sel])
            th = np.arctan2(pt, pz[sel])
            h, _, _ = np.histogram2d(p, th, bins=(p_edges, theta_edges))
            counts[pdg] += h.astype(np.int64)
            bw = gam_cm * (pz[sel] - beta_cm * en[sel]) < 0.0
            if bw.any():
                hb, _, _ = np.histogram2d(p[bw], th[bw], bins=(p_edges, theta_edges))
                back[pdg] += hb.astype(np.int64)
            per_event = np.bincount(evt[sel], minlength=got)
            s1[pdg] += int(per_event.sum())
            s2[pdg] += int((per_event.astype(np.int64) ** 2).sum())
            se[pdg] += float(en[sel].sum())
        done += got
    info = py.infoPython()
    out = {
        "counts": {k: v.astype(np.int32) for k, v in counts.items()},
        "counts_backward": {k: v.astype(np.int32) for k, v in back.items()},
        "n_events": done,
        "sum": s1,
        "sumsq": s2,
        "sum_energy": se,
        "sigma_gen_mb": float(info.sigmaGen()),
        "sigma_err_mb": float(info.sigmaErr()),
        "n_tried": int(info.nTried()),
        "version": float(py.parm("Pythia:versionNumber")),
        "seconds": time.time() - t0,
    }
    for pdg in species:  # the histogram must hold every meson (p, theta inside the edges)
        if int(out["counts"][pdg].sum()) != s1[pdg]:
            raise RuntimeError(f"pdg {pdg}: {s1[pdg] - int(out['counts'][pdg].sum())} mesons outside the binning")
    return out


def target_info(beamline_name: str) -> dict:
    """Target material numbers and interacting fraction of a packaged beamline."""
    from fipgen.geometry.loader import load_beamline
    from fipgen.geometry.materials import AVOGADRO
    from fipgen.production.sources.vertex import interacting_fraction

    bl = load_beamline(beamline_name)
    mat = bl.target.material
    sigma_inel_mb = mat.A / (AVOGADRO * mat.interaction_length) * 1e27
    return {
        "beamline": beamline_name,
        "beam_momentum_GeV": bl.beam_momentum,
        "beam_energy_GeV": bl.beam_energy,
        "material": mat.name,
        "Z": mat.Z,
        "A": mat.A,
        "z_over_a": mat.z_over_a,
        "lambda_I_m": mat.interaction_length_m,
        "sigma_inel_pA_mb": sigma_inel_mb,
        "interacting_fraction": interacting_fraction(bl),
    }


def charm_cross_section(sig_lo_120_mb: float, sig_lo_400_mb: float) -> dict:
    """sigma_cc(pN) at 120 GeV/c: the 400 GeV/c reference scaled by Pythia's LO energy dependence."""
    ratio = sig_lo_120_mb / sig_lo_400_mb
    return {
        "sigma_cc_ub_per_nucleon": SIGMA_CC_REF_UB * ratio,
        "method": (
            f"sigma_cc(400 GeV/c, sqrt(s)=27.4 GeV) = {SIGMA_CC_REF_UB} +- 1.7 ub/nucleon (Lourenco-Woehri "
            "compilation, Phys. Rept. 433 (2006) 127, hep-ph/0609101, as used by SHiP) x "
            f"sigma_LO^Pythia(120)/sigma_LO^Pythia(400) = {ratio:.4f} (HardQCD:hardccbar, same settings)"
        ),
        "pythia_lo_sigma_cc_ub": {"120": sig_lo_120_mb * 1e3, "400": sig_lo_400_mb * 1e3},
        "check": (
            f"SVD-2 (SERP-E-184) p-A at 70 GeV/c, sqrt(s)=11.8 GeV: {SIGMA_CC_SVD2_UB} +- 2.3 +- 1.4 ub/nucleon "
            "(PoS ICHEP2016 720), above this interpolation: uncertainty a factor ~2-3"
        ),
    }


#: Minimum ionisation dE/dx (MeV cm^2/g, PDG "Atomic and Nuclear Properties") for the
#: continuous energy loss of charged hadrons in the cascade estimate.
DEDX_MIN = {"Be": 1.595, "C": 1.742, "Fe": 1.451}
#: Kinetic energy (GeV) below which cascade hadrons are dropped (stopped or too soft to
#: make the mesons counted here).
CASCADE_EKIN_MIN = 0.3
N_POT_CASCADE = {"full": 3000, "quick": 30}


def cascade_estimate(beamline_name: str, n_pot: int, seed: int, species=LIGHT) -> dict:
    """Tertiary production in the beamline's target: a simple Monte Carlo hadron cascade.

    Every hadron (beam proton first) flies straight through the target solid of the
    geometry file; it interacts after an exponential distance with the hadron-nucleus
    cross section of ``pythia8mc.PythiaCascade`` (``sigmahA``), which also makes the
    collision (Angantyr-style p-A; low-energy processes below ~10 GeV). Charged hadrons
    lose ``DEDX_MIN`` x density per metre; hadrons below ``CASCADE_EKIN_MIN`` kinetic
    energy, and hadrons leaving the target, are dropped. Not modelled: decays in flight,
    multiple scattering, elastic scattering, photo-production by the EM shower, nuclear
    fragments. Mesons are counted as in the tables (decays with c tau0 < 10 mm done).

    Returns per-POT counts from the primary's first collision and from all collisions,
    and their ratio (the tertiary factor), in all and for p > 1 GeV/c and p > 10 GeV/c.
    The first-collision count over the table's per-POT value measures the nuclear effect
    that the p/n mix leaves out (PythiaCascade's p-A against Pythia's p-p/p-n).
    """
    import pythia8mc

    from fipgen.cascade.pythia import init_file
    from fipgen.geometry.loader import load_beamline

    t0 = time.time()
    bl = load_beamline(beamline_name)
    mat = bl.target.material
    Z, A = int(round(mat.Z)), int(round(mat.A))
    n_nuc = mat.nuclei_density  # per m^3
    dedx = DEDX_MIN[mat.name] * mat.density * 0.1  # GeV per m
    casc = pythia8mc.PythiaCascade()
    if not casc.init(CASCADE_EKIN_MIN, 1.0, init_file(), True, 10.0):
        raise RuntimeError("PythiaCascade initialisation failed")
    casc.rndm().init(seed % 900_000_000)
    pdata = casc.particleData()
    rng = np.random.default_rng(seed)
    solid = bl.target.solid
    spec = set(species)
    first = {k: 0 for k in species}
    allc = {k: 0 for k in species}
    gt1 = {k: [0, 0] for k in species}
    gt10 = {k: [0, 0] for k in species}
    n_coll = 0
    e_pi0 = 0.0
    coll_nucleon_p = []  # momenta of nucleon- and pion-initiated collisions (charm estimate)
    lo, _ = solid.extent()
    z_start = min(float(lo[2]), 0.0) - 1.0
    sx, sy = bl.beam_spot
    e_beam = bl.beam_energy
    for _ in range(n_pot):
        # stack entries: (id, mass, p (3,), position (3,), is_primary)
        x0 = np.array([rng.normal(0, sx) if sx > 0 else 0.0, rng.normal(0, sy) if sy > 0 else 0.0, z_start])
        stack = [(2212, M_PROTON, np.array([0.0, 0.0, bl.beam_momentum]), x0, True)]
        guard = 0
        while stack:
            pid, m, p3, pos, primary = stack.pop()
            guard += 1
            if guard > 100_000:
                raise RuntimeError("cascade did not terminate")
            pmag = float(np.linalg.norm(p3))
            e = math.hypot(pmag, m)
            if e - m < CASCADE_EKIN_MIN:
                continue
            d = p3 / pmag
            seg = solid.chords(pos, d[None, :])
            if seg.n[0] == 0:
                continue
            t_in, t_out = float(seg.t_in[0, 0]), float(seg.t_out[0, 0])
            if not casc.sigmaSetuphN(pid, pythia8mc.Vec4(*p3, e), m):
                continue
            lam = 1.0 / (n_nuc * casc.sigmahA(A) * 1e-31)
            dist = -lam * math.log(1.0 - rng.random())
            if dist > t_out - t_in:
                continue  # leaves the target
            if pdata.charge(pid) != 0:
                ekin = e - m - dedx * dist
                if ekin < CASCADE_EKIN_MIN:
                    continue  # stops before interacting
                e = ekin + m
                pmag = math.sqrt(e * e - m * m)
                p3 = d * pmag
                if not casc.sigmaSetuphN(pid, pythia8mc.Vec4(*p3, e), m):
                    continue
            vtx = pos + (t_in + dist) * d
            if abs(pid) in (2212, 2112, 211):
                coll_nucleon_p.append(-pmag if primary else pmag)
            ev = casc.nextColl(Z, A)
            n_coll += 1
            for j in range(ev.size()):
                q = ev[j]
                st = abs(q.status())
                if 11 <= st <= 19:
                    continue
                qid = q.id()
                if qid == 111:
                    e_pi0 += q.e()
                if qid in spec:
                    allc[qid] += 1
                    pq = math.sqrt(q.px() ** 2 + q.py() ** 2 + q.pz() ** 2)
                    if pq > 1.0:
                        gt1[qid][1] += 1
                    if pq > 10.0:
                        gt10[qid][1] += 1
                    if primary:
                        first[qid] += 1
                        if pq > 1.0:
                            gt1[qid][0] += 1
                        if pq > 10.0:
                            gt10[qid][0] += 1
                if q.isFinal() and q.isHadron() and abs(qid) < 1_000_000_000 and q.e() - q.m() > CASCADE_EKIN_MIN:
                    stack.append((qid, q.m(), np.array([q.px(), q.py(), q.pz()]), vtx.copy(), False))
    ratio = lambda a, b: (a / b) if b else None  # noqa: E731
    return {
        "method": (
            "1-d straight-line hadron cascade in the target solid with pythia8mc.PythiaCascade (hadron-nucleus "
            f"collisions, sigma_hA), Z = {Z}, A = {A}, E_kin > {CASCADE_EKIN_MIN} GeV, dE/dx = {dedx:.3f} GeV/m "
            "for charged hadrons; no decays in flight, no elastic or multiple scattering, no photo-production. "
            "An estimate of the size of tertiary production, not applied to per_pot."
        ),
        "n_pot": n_pot,
        "seed": seed,
        "collisions_per_pot": n_coll / n_pot,
        "first_collision_per_pot": {str(k): first[k] / n_pot for k in species},
        "all_collisions_per_pot": {str(k): allc[k] / n_pot for k in species},
        "tertiary_factor": {str(k): ratio(allc[k], first[k]) for k in species},
        "tertiary_factor_p_gt_1": {str(k): ratio(gt1[k][1], gt1[k][0]) for k in species},
        "tertiary_factor_p_gt_10": {str(k): ratio(gt10[k][1], gt10[k][0]) for k in species},
        "beam_energy_GeV": e_beam,
        "pi0_energy_fraction_of_beam": e_pi0 / n_pot / e_beam,
        "collision_momenta": coll_nucleon_p,
        "seconds": round(time.time() - t0, 1),
    }


def lo_charm_sigma_ub(momenta=(20.0, 30.0, 45.0, 60.0, 80.0, 100.0, 120.0), n_events: int = 2000, seed: int = 5) -> dict:
    """Pythia's LO sigma(pp -> ccbar) (microbarn, HardQCD:hardccbar) at beam momenta (GeV/c)."""
    out = {}
    for i, p in enumerate(momenta):
        py = make_pythia(pythia_settings(p, 2212, "charm120", seed + i))
        py.nextBatch(n_events)
        out[p] = float(py.infoPython().sigmaGen()) * 1e3
    return out


def charm_cascade_factor(est: dict, sig_lo: dict) -> float:
    """(charm from all collisions) / (charm from the first) of a cascade estimate: each nucleon- or
    pion-initiated collision weighted by sigma_cc^LO(p) / sigma_inel (pion = nucleon cross section)."""
    ps = np.array(sorted(sig_lo))
    lsig = np.log(np.array([sig_lo[p] for p in ps]))

    def w(p):
        if p < ps[0]:
            return 0.0
        return float(np.exp(np.interp(math.log(p), np.log(ps), lsig)))

    mom = est["collision_momenta"]
    first = sum(w(-p) for p in mom if p < 0)
    return (first + sum(w(p) for p in mom if p > 0)) / first if first > 0 else float("nan")


def _tertiary_text(bl: str, est: dict | None) -> str:
    if not est:
        return TERTIARY[bl]
    f = est["tertiary_factor"]
    f1, f10 = est["tertiary_factor_p_gt_1"], est["tertiary_factor_p_gt_10"]
    fmt = lambda x: "n/a" if x is None else f"{x:.2f}"  # noqa: E731
    txt = (
        f"{TERTIARY[bl]} Estimate (simple PythiaCascade hadron cascade in the target, {est['n_pot']} POT, "
        f"{est['collisions_per_pot']:.2f} hadron-nucleus collisions per POT): all collisions / first collision = "
        f"x{fmt(f['111'])} for pi0 (x{fmt(f1['111'])} above 1 GeV/c, x{fmt(f10['111'])} above 10 GeV/c), "
        f"x{fmt(f['221'])} eta, x{fmt(f['211'])} pi+, x{fmt(f['321'])} K+"
    )
    if "charm_factor" in est:
        txt += f", x{est['charm_factor']:.2f} charm (collisions weighted by Pythia's LO sigma_cc(p))"
    return txt + ". Not applied: use as a systematic or scale by hand."


def _mix(run_pp: dict, run_pn: dict, pdg: int, za: float) -> float:
    """Mesons per collision for a nucleon mix with proton fraction ``za``."""
    return za * run_pp["sum"][pdg] / run_pp["n_events"] + (1 - za) * run_pn["sum"][pdg] / run_pn["n_events"]


def _header(kind: str, runs: dict, species, p_edges, theta_edges, seed: int, extra: dict) -> str:
    head = {
        "table": kind,
        "table_version": TABLE_VERSION,
        "made_by": "scripts/make_meson_tables.py (fipgen)",
        "date": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "generator": f"Pythia {runs[next(iter(runs))]['version']:.3f} via PyPI {PYTHIA_REQUIREMENT} (module pythia8mc)",
        "seed": seed,
        "species": list(species),
        "binning": {
            "p": f"p_edges = p_max (i/n)^2, p_max = {p_edges[-1]} GeV/c, n = {p_edges.size - 1} (lab momentum)",
            "theta": f"theta_edges = pi (j/n)^2, n = {theta_edges.size - 1} (lab polar angle to the beam, rad)",
        },
        "runs": {
            name: {
                "settings": r["settings"],
                "n_events": r["n_events"],
                "sigma_gen_mb": r["sigma_gen_mb"],
                "sigma_err_mb": r["sigma_err_mb"],
                "n_tried": r["n_tried"],
                "seconds": round(r["seconds"], 1),
                "multiplicity_per_event": {str(k): r["sum"][k] / r["n_events"] for k in species},
                "sumsq_per_event": {str(k): r["sumsq"][k] / r["n_events"] for k in species},
                "mean_energy_GeV": {str(k): (r["sum_energy"][k] / r["sum"][k] if r["sum"][k] else 0.0) for k in species},
            }
            for name, r in runs.items()
        },
        "counting": (
            "every meson of the species in the event record (primary hadrons and decay products of "
            "particles with c tau0 < 10 mm, ParticleDecays:tau0Max = 10), lab momentum and angle"
        ),
        "nuclear_model": "p-p and p-n mixed by the target Z/A; no other nuclear effect (no A-dependent multiplicity, no Fermi motion, no cascade)",
    }
    head.update(extra)
    return json.dumps(head, indent=1, sort_keys=False)


def build_light_120(n: dict, seed: int, n_cascade: int = 0, log=print) -> tuple[dict, dict]:
    p_edges, theta_edges = binning(120.0)
    runs = {}
    for name, tgt, s in (("pp", 2212, seed), ("pn", 2112, seed + 1)):
        st = pythia_settings(120.0, tgt, "light120", s)
        r = generate(st, n["light120"], LIGHT, p_edges, theta_edges, 120.0)
        r["settings"] = st
        runs[name] = r
        log(f"  120 GeV/c p+{name[1]}: {r['n_events']} events in {r['seconds']:.0f} s, sigma_inel {r['sigma_gen_mb']:.2f} mb")
    norms = {}
    sig_lo = None
    for bl in BEAMLINES_120:
        ti = target_info(bl)
        za = ti["z_over_a"]
        norms[bl] = {
            **ti,
            "per_collision": {str(k): _mix(runs["pp"], runs["pn"], k, za) for k in LIGHT},
            "per_pot": {str(k): _mix(runs["pp"], runs["pn"], k, za) * ti["interacting_fraction"] for k in LIGHT},
            "normalisation": "per_pot = [Z/A N_pp + (1 - Z/A) N_pn] per inelastic collision x interacting_fraction",
            "tertiary": TERTIARY[bl],
        }
        if n_cascade:
            est = cascade_estimate(bl, n_cascade, seed + 100 + BEAMLINES_120.index(bl))
            if sig_lo is None:
                sig_lo = lo_charm_sigma_ub()
            est["charm_factor"] = charm_cascade_factor(est, sig_lo)
            est["charm_lo_sigma_ub"] = {str(k): v for k, v in sig_lo.items()}
            est.pop("collision_momenta")
            norms[bl]["tertiary_estimate"] = est
            norms[bl]["tertiary"] = _tertiary_text(bl, est)
            log(f"  cascade {bl}: {est['collisions_per_pot']:.2f} collisions/POT, pi0 x{est['tertiary_factor']['111']:.2f} [{est['seconds']:.0f} s]")
    arrays = {"p_edges": p_edges, "theta_edges": theta_edges}
    for k in LIGHT:
        arrays[f"counts_pp_{k}"] = runs["pp"]["counts"][k]
        arrays[f"counts_pn_{k}"] = runs["pn"]["counts"][k]
    arrays["header"] = np.array(
        _header("meson_p120_pythia8", runs, LIGHT, p_edges, theta_edges, seed, {"beamlines": norms, "process": "SoftQCD:inelastic"})
    )
    return arrays, runs


def build_charm_120(n: dict, seed: int, tertiary: dict | None = None, log=print) -> dict:
    p_edges, theta_edges = binning(120.0)
    runs = {}
    for name, tgt, s in (("pp", 2212, seed + 10), ("pn", 2112, seed + 11)):
        st = pythia_settings(120.0, tgt, "charm120", s)
        r = generate(st, n["charm120"], CHARM, p_edges, theta_edges, 120.0)
        r["settings"] = st
        runs[name] = r
        log(f"  charm 120 GeV/c p+{name[1]}: {r['n_events']} events in {r['seconds']:.0f} s, sigma_LO {r['sigma_gen_mb'] * 1e3:.3f} ub")
    st400 = pythia_settings(400.0, 2212, "charm400", seed + 12)
    r400 = generate(st400, n["charm400"], CHARM, *binning(400.0, 20, 20), 400.0)
    log(f"  charm 400 GeV/c pp (cross-section ratio only): sigma_LO {r400['sigma_gen_mb'] * 1e3:.3f} ub")
    sig120 = 0.5 * (runs["pp"]["sigma_gen_mb"] + runs["pn"]["sigma_gen_mb"])
    cc = charm_cross_section(sig120, r400["sigma_gen_mb"])
    cc["pythia_400_settings"] = st400
    cc["pythia_400_n_events"] = r400["n_events"]
    norms = {}
    for bl in BEAMLINES_120:
        ti = target_info(bl)
        za = ti["z_over_a"]
        ncc_per_coll = ti["A"] * cc["sigma_cc_ub_per_nucleon"] * 1e-3 / ti["sigma_inel_pA_mb"]
        norms[bl] = {
            **ti,
            "ccbar_per_collision": ncc_per_coll,
            "per_ccbar_event": {str(k): _mix(runs["pp"], runs["pn"], k, za) for k in CHARM},
            "per_pot": {str(k): _mix(runs["pp"], runs["pn"], k, za) * ncc_per_coll * ti["interacting_fraction"] for k in CHARM},
            "normalisation": (
                "per_pot = [mesons per ccbar event, Z/A p-p + (1-Z/A) p-n] x A sigma_cc(pN) / sigma_inel(pA) "
                "x interacting_fraction; sigma_inel(pA) = A / (N_A lambda_I)"
            ),
            "tertiary": (tertiary or {}).get(bl, TERTIARY[bl]),
        }
    arrays = {"p_edges": p_edges, "theta_edges": theta_edges}
    for k in CHARM:
        arrays[f"counts_pp_{k}"] = runs["pp"]["counts"][k]
        arrays[f"counts_pn_{k}"] = runs["pn"]["counts"][k]
    arrays["header"] = np.array(
        _header(
            "charm_p120_pythia8",
            runs,
            CHARM,
            p_edges,
            theta_edges,
            seed,
            {
                "beamlines": norms,
                "charm_cross_section": cc,
                "process": (
                    "HardQCD:hardccbar (gg -> ccbar, qqbar -> ccbar, massive matrix elements, finite at pT -> 0): "
                    "every event has a ccbar pair, so the table is the charm-hadron spectrum per ccbar event; "
                    "flavour excitation and charm from MPI/showers are left out (small at sqrt(s) = 15 GeV)"
                ),
            },
        )
    )
    return arrays


def build_light_8(n: dict, seed: int, n_cascade: int = 0, log=print) -> dict:
    p_edges, theta_edges = binning(8.89, 120, 120)
    runs = {}
    for name, tgt, s in (("pp", 2212, seed + 20), ("pn", 2112, seed + 21)):
        st = pythia_settings(8.89, tgt, "light8", s)
        r = generate(st, n["light8"], LIGHT, p_edges, theta_edges, 8.89)
        r["settings"] = st
        runs[name] = r
        log(f"  8.89 GeV/c p+{name[1]}: {r['n_events']} events in {r['seconds']:.0f} s")
    ti = target_info("bnb_dump")
    za = ti["z_over_a"]
    per_coll = {str(k): _mix(runs["pp"], runs["pn"], k, za) for k in LIGHT}
    cascades = {}
    if n_cascade:
        for i, bl in enumerate(("bnb_dump", "bnb")):
            cascades[bl] = cascade_estimate(bl, n_cascade, seed + 200 + i)
            cascades[bl].pop("collision_momenta")
            cascades[bl]["text"] = _tertiary_text(bl, cascades[bl])
            log(f"  cascade {bl}: {cascades[bl]['collisions_per_pot']:.2f} collisions/POT, pi0 x{cascades[bl]['tertiary_factor']['111']:.2f}")
    arrays = {"p_edges": p_edges, "theta_edges": theta_edges}
    for k in LIGHT:
        arrays[f"counts_pp_{k}"] = runs["pp"]["counts"][k]
        arrays[f"counts_pn_{k}"] = runs["pn"]["counts"][k]
    arrays["header"] = np.array(
        _header(
            "meson_p8.89_pythia8",
            runs,
            LIGHT,
            p_edges,
            theta_edges,
            seed,
            {
                "process": "LowEnergyQCD:inelastic (sqrt(s) = 4.3 GeV; Pythia is not tuned below ~10 GeV)",
                "use": "comparison only: the bnb_dump source is the BNB Sanford-Wang shape normalised to 2.42 pi0/POT",
                "comparison_bnb_dump": {**ti, "per_collision": per_coll,
                                        "per_pot_if_used": {k: v * ti["interacting_fraction"] for k, v in per_coll.items()},
                                        "tertiary": _tertiary_text("bnb_dump", cascades.get("bnb_dump"))},
                "tertiary_estimate": cascades,
            },
        )
    )
    return arrays


def build_bmpt_120(light: dict, runs: dict, tertiary: dict | None = None, log=print) -> dict:
    """pi+-, K+- per interacting proton on C and Fe: BMPT (x_F >= 0) + Pythia (x_F < 0)."""
    from fipgen.production.sources import bmpt

    p_edges, theta_edges = light["p_edges"], light["theta_edges"]
    arrays = {"p_edges": p_edges, "theta_edges": theta_edges}
    norms = {}
    targets = {}
    for bl in BEAMLINES_120:
        ti = target_info(bl)
        targets.setdefault(ti["material"], ti)
        norms[bl] = {**ti, "tertiary": (tertiary or {}).get(bl, TERTIARY[bl])}
    per_int = {}
    for mat, ti in targets.items():
        za = ti["z_over_a"]
        per_int[mat] = {}
        for k in BMPT_SPECIES:
            t0 = time.time()
            fwd = bmpt.bin_integrals(
                lambda p, t, k=k: bmpt.d2sigma_dp_domega(k, p, t, 120.0, ti["A"], xf_min=0.0), p_edges, theta_edges
            ) / ti["sigma_inel_pA_mb"]
            bwd = za * runs["pp"]["counts_backward"][k] / runs["pp"]["n_events"] + (1 - za) * runs["pn"]["counts_backward"][k] / runs["pn"]["n_events"]
            y = fwd + bwd
            arrays[f"yield_{mat}_{k}"] = y.astype(np.float32)
            per_int[mat][str(k)] = {"total": float(y.sum()), "bmpt_xf_ge_0": float(fwd.sum()), "pythia_xf_lt_0": float(bwd.sum())}
            log(f"  BMPT {mat} {k}: {fwd.sum():.3f} (x_F>=0) + {bwd.sum():.3f} (x_F<0, Pythia) per interacting proton [{time.time() - t0:.0f} s]")
    for bl in BEAMLINES_120:
        mat = norms[bl]["material"]
        norms[bl]["per_interaction"] = {k: v["total"] for k, v in per_int[mat].items()}
        norms[bl]["per_pot"] = {k: v["total"] * norms[bl]["interacting_fraction"] for k, v in per_int[mat].items()}
        norms[bl]["normalisation"] = "per_pot = sum of yield_<material> (per interacting proton) x interacting_fraction"
    head = {
        "table": "meson_p120_bmpt",
        "table_version": TABLE_VERSION,
        "made_by": "scripts/make_meson_tables.py (fipgen)",
        "date": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "generator": (
            "BMPT (Bonesini et al., Eur. Phys. J. C20 (2001) 13) for x_F >= 0, generator/production/sources/bmpt.py, "
            "scaled from Be to the target A with alpha(x_F, p_T) of Barton et al.; x_F < 0 (NN frame) from the "
            f"Pythia {runs['pp']['version']:.3f} runs of meson_p120_pythia8.npz (p/n mixed by Z/A)"
        ),
        "species": list(BMPT_SPECIES),
        "units": "yield_<material>_<pdg>: mesons per interacting proton in each (p, theta) bin; sigma_inel(pA) = A / (N_A lambda_I)",
        "per_interacting_proton": per_int,
        "binning": {"p": "as meson_p120_pythia8.npz", "theta": "as meson_p120_pythia8.npz"},
        "bin_integration": "8 x 8 Gauss-Legendre per bin of the BMPT d2sigma/dp dOmega x 2 pi sin(theta)",
        "validity": "BMPT data: forward production (x_F > 0), p_T <~ 1 GeV/c; beyond that an extrapolation",
        "beamlines": norms,
        "pythia_events": {"pp": runs["pp"]["n_events"], "pn": runs["pn"]["n_events"]},
    }
    arrays["header"] = np.array(json.dumps(head, indent=1))
    return arrays


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="small samples (about a minute), for trials")
    ap.add_argument("--out", default=str(ROOT / "fluxes"), help="output folder (default: fluxes/)")
    ap.add_argument("--seed", type=int, default=20240601, help="base random seed")
    ap.add_argument("--no-cascade", action="store_true", help="skip the tertiary-production cascade estimate")
    ap.add_argument("--only", choices=("light120", "charm120", "light8", "bmpt"), action="append", help="make only these tables")
    args = ap.parse_args(argv)
    n = N_EVENTS_QUICK if args.quick else N_EVENTS
    n_casc = 0 if args.no_cascade else N_POT_CASCADE["quick" if args.quick else "full"]
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    only = set(args.only or ("light120", "charm120", "light8", "bmpt"))
    t0 = time.time()

    def save(name: str, arrays: dict) -> None:
        tmp = out / (name + ".tmp.npz")
        np.savez_compressed(tmp, **arrays)
        tmp.replace(out / (name + ".npz"))
        print(f"wrote {out / (name + '.npz')} ({(out / (name + '.npz')).stat().st_size / 1e6:.2f} MB)")

    tertiary = None
    if "light120" in only or "bmpt" in only:
        light, runs = build_light_120(n, args.seed, n_casc)
        tertiary = {bl: v["tertiary"] for bl, v in json.loads(str(light["header"]))["beamlines"].items()}
        if "light120" in only:
            save("meson_p120_pythia8", light)
        if "bmpt" in only:
            save("meson_p120_bmpt", build_bmpt_120(light, runs, tertiary))
    if "charm120" in only:
        save("charm_p120_pythia8", build_charm_120(n, args.seed, tertiary))
    if "light8" in only:
        save("meson_p8.89_pythia8", build_light_8(n, args.seed, n_casc))
    print(f"done in {time.time() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
