"""Binned cascade tables per species and per solid: the npz a beamline's sources are read from.

A table holds, for the ``n_pot`` beam particles simulated by :mod:`.engine`:

* ``prod_<pdg>_<k>``: int32 counts in (p, theta) of species ``pdg`` made in solid ``k``
  (``p_edges``: ``p_beam (i/120)^2``; ``theta_edges``: ``pi (j/100)^2``), and
  ``prod1_<pdg>_<k>`` the same for the beam particle's first collision only (generation 1);
* ``dif_<pdg>_<k>``: decays in flight of pi+-, K+-, K0L, mu+- (p, theta counts at the decay);
  ``dar_<pdg>_<k>``, ``cap_<pdg>_<k>``: the numbers of decays at rest (pi+, K+, mu+) and
  captures (pi-, K-, mu-), one-element arrays;
* ``seed_<pdg>_<k>``: int32 counts in (energy, theta) of the photons (22), electrons (11)
  and positrons (-11) seeding the electromagnetic cascade in solid ``k``, energy edges
  ``seed_e_edges`` (log, 1 MeV to the beam energy);
* ``<c><tag>_<pdg>_<k>`` for ``c`` in ``x``, ``y``, ``z`` and ``tag`` in ``prod``, ``dif``,
  ``dar``, ``cap``, ``seed``: int32 counts of the point's coordinates (edges ``xedges_<k>``,
  ``yedges_<k>``, ``zedges_<k>``: fine near the beam axis and spanning the solid's extent), the
  depth and transverse profiles a channel samples; ``t<tag>_<pdg>_<k>`` for ``dif`` and
  ``dar``: counts of the time since the beam particle entered (edges ``t_edges``, ns; for a
  decay at rest the time it stopped: the rest lifetime is drawn where the decays are used);
* ``prod1_...`` (with its profiles): the same for what the beam particle's first collision
  made (generation 1), a subset of ``prod``; ``dif1_...``, ``dar1_...``: the decays, wherever
  they happen, of what the beam particle's first collision *in the target* (solid 0) made. The
  later generations are the difference, where measured first-interaction spectra of the target
  replace the cascade's own (a kaon of the target's first collision that stops in the absorber
  is in ``dar1`` of the absorber: the fit's transported kaons stand for it);
* ``coll_<pdg>_<k>``: int32 counts of hadron-nucleus collisions by projectile and momentum
  (``p_edges``); ``coll1_<pdg>_<k>`` with ``<c>coll1_<pdg>_<k>`` the beam particle's own first
  collision and where it happened (the charm sources);
* ``batch_<pdg>_<k>``: per-batch totals of ``prod`` (``n_batches`` equal batches of POT),
  from which the header's MC errors come;
* ``header``: JSON (format version, fipgen and Pythia versions, cascade settings, seeds,
  POT, the beamline's solids, per-POT multiplicities with errors, the energy ledger per POT
  and its closure, the EM fraction, time spent).

Solid ``k`` is the k-th of :func:`fipgen.cascade.world.world_of` (names in the header);
vacuum productions (decays between solids) are kept under ``k = v`` (``"vacuum"``).
"""

from __future__ import annotations

import json
import math

import numpy as np

from .records import CAPTURED, COLLISION, DECAY_AT_REST, DECAY_IN_FLIGHT, EM_SEED, LEDGER_TERMS, PRODUCED

__all__ = ["TABLE_FORMAT", "N_BATCHES", "region_key", "make_tables", "read_header"]

#: Version of the table layout (bump when the content changes meaning).
TABLE_FORMAT = 6
#: Batches the POT are split into for the MC errors.
N_BATCHES = 10
_N_P, _N_THETA, _N_XY, _N_Z, _N_E = 120, 100, 60, 60, 80


def region_key(k: int) -> str:
    """``"v"`` for vacuum (-1), else the solid's index."""
    return "v" if k < 0 else str(int(k))


def _symmetric_edges(lo: float, hi: float, n: int) -> np.ndarray:
    """Edges over [lo, hi], fine near 0 (quadratic in |x|), for transverse coordinates."""
    r = max(abs(lo), abs(hi), 1e-6)
    u = np.linspace(-1.0, 1.0, n + 1)
    e = np.sign(u) * r * u * u
    e = e[(e > lo) & (e < hi)]
    return np.unique(np.concatenate([[lo], e, [hi]]))


def _region_edges(world, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    if k < 0:
        lo = np.min([r.solid.extent()[0] for r in world.regions], axis=0)
        hi = np.max([r.solid.extent()[1] for r in world.regions], axis=0)
    else:
        lo, hi = world.regions[k].solid.extent()
    return (_symmetric_edges(float(lo[0]), float(hi[0]), _N_XY), _symmetric_edges(float(lo[1]), float(hi[1]), _N_XY),
            np.linspace(float(lo[2]), float(hi[2]), _N_Z + 1))


def _ptheta(rec) -> tuple[np.ndarray, np.ndarray]:
    p = np.sqrt(rec["px"] ** 2 + rec["py"] ** 2 + rec["pz"] ** 2)
    th = np.arccos(np.clip(rec["pz"] / np.where(p > 0, p, 1.0), -1.0, 1.0))
    return p, th


def _h2(a, b, ea, eb) -> np.ndarray:
    return np.histogram2d(np.clip(a, ea[0], ea[-1]), np.clip(b, eb[0], eb[-1]), bins=(ea, eb))[0].astype(np.int32)


def _h1(a, e) -> np.ndarray:
    return np.histogram(np.clip(a, e[0], e[-1]), bins=e)[0].astype(np.int32)


def _book(arrays, tag, pdg, rk, r, xyz_edges, p_edges, th_edges, seed_e, t_edges) -> None:
    """Histograms of the records ``r`` (one species, one solid) under ``<tag>_<pdg>_<rk>``."""
    key = f"{tag}_{pdg}_{rk}"
    base = tag.rstrip("1")
    p, th = _ptheta(r)
    if base in ("prod", "dif"):
        arrays[key] = _h2(p, th, p_edges, th_edges)
    elif base == "seed":
        arrays[key] = _h2(r["e"], th, seed_e, th_edges)
    elif base == "coll":
        arrays[key] = _h1(p, p_edges)
        if tag == "coll":
            return
    else:
        arrays[key] = np.array([r.size], dtype=np.int32)
    for c, e in zip("xyz", xyz_edges):
        arrays[f"{c}{tag}_{pdg}_{rk}"] = _h1(r[c], e)
    if base in ("dif", "dar"):
        arrays[f"t{tag}_{pdg}_{rk}"] = _h1(r["t"], t_edges)


def make_tables(result, world, beam_momentum: float, header_extra: dict) -> tuple[dict[str, np.ndarray], dict]:
    """(arrays, header) of a :class:`~fipgen.cascade.engine.CascadeResult`."""
    rec = result.records
    n = int(result.n_pot)
    p_edges = beam_momentum * (np.arange(_N_P + 1) / _N_P) ** 2
    th_edges = math.pi * (np.arange(_N_THETA + 1) / _N_THETA) ** 2
    e_beam_max = max(beam_momentum, 1.0) * 1.05
    seed_e = np.geomspace(1e-3, e_beam_max, _N_E + 1)
    t_edges = np.concatenate([[0.0], np.geomspace(1e-2, 1e5, 71)])
    arrays: dict[str, np.ndarray] = {"p_edges": p_edges, "theta_edges": th_edges, "seed_e_edges": seed_e,
                                     "t_edges": t_edges}
    batch = np.minimum(rec["pot"] * N_BATCHES // max(n, 1), N_BATCHES - 1)
    # POT whose beam particle collided first in the target (solid 0): their generation-1 decays
    # are what measured first-interaction spectra of the target replace
    first_in_target = np.zeros(max(n, 1), dtype=bool)
    beam_first = (rec["kind"] == COLLISION) & (rec["generation"] == 1) & (rec["region"] == 0)
    first_in_target[rec["pot"][beam_first]] = True
    mult: dict[str, dict] = {}
    regions = sorted(set(int(k) for k in np.unique(rec["region"])))
    for k in regions:
        rk = region_key(k)
        xe, ye, ze = _region_edges(world, k)
        arrays[f"xedges_{rk}"], arrays[f"yedges_{rk}"], arrays[f"zedges_{rk}"] = xe, ye, ze
        here = rec["region"] == k
        per: dict[str, dict] = {}
        for kind, tag in ((PRODUCED, "prod"), (DECAY_IN_FLIGHT, "dif"), (DECAY_AT_REST, "dar"), (CAPTURED, "cap"),
                          (EM_SEED, "seed"), (COLLISION, "coll")):
            sel = here & (rec["kind"] == kind)
            if not sel.any():
                continue
            sub = rec[sel]
            sub_batch = batch[sel]
            for pdg in np.unique(sub["pdg"]):
                mine = sub["pdg"] == pdg
                r = sub[mine]
                _book(arrays, tag, int(pdg), rk, r, (xe, ye, ze), p_edges, th_edges, seed_e, t_edges)
                gen1 = r["generation"] == 1
                first = r[gen1 & first_in_target[r["pot"]]] if tag in ("dif", "dar") else r[gen1]
                if tag in ("prod", "dif", "dar", "coll") and first.size:  # the beam's first collision alone, too
                    _book(arrays, tag + "1", int(pdg), rk, first, (xe, ye, ze), p_edges, th_edges, seed_e, t_edges)
                count = int(r.size)
                if tag == "prod":
                    # MC error of the per-POT number: the spread of independent batches
                    b = np.bincount(sub_batch[mine], minlength=N_BATCHES).astype(np.int32)
                    arrays[f"batch_{int(pdg)}_{rk}"] = b
                    bb = b * (N_BATCHES / max(n, 1))
                    err = float(np.std(bb, ddof=1) / math.sqrt(N_BATCHES)) if count else 0.0
                else:
                    err = math.sqrt(count) / max(n, 1)
                per.setdefault(tag, {})[str(int(pdg))] = {"per_pot": count / max(n, 1), "error": err,
                                                         "energy_per_pot": float(r["e"].sum()) / max(n, 1)}
        mult[rk] = per
    led = {k: v / max(n, 1) for k, v in result.ledger.items()}
    e_in = led["beam"] + led["struck_nucleons"]
    e_out = sum(v for k, v in led.items() if k not in ("beam", "struck_nucleons", "imbalance"))
    names = {region_key(r.index): {"name": r.name, "material": r.material.name} for r in world.regions}
    names["v"] = {"name": "vacuum", "material": None}
    m_beam = math.sqrt(max(led["beam"] ** 2 - beam_momentum**2, 0.0))
    header = {
        "table_format": TABLE_FORMAT,
        "units": "p GeV/c, theta rad (to the beam axis), x y z m (beam frame), t ns (since the beam particle entered), "
                 "energies GeV; dL_* m / GeV / unit cos(theta)",
        "normalisation": "counts (int32) over n_pot beam particles: per POT = count / n_pot; dL_*, *seedE_* and "
                         "ledger_per_pot_GeV already per POT; layout: generator/cascade/tables.py, showers.py",
        **header_extra,
        "n_pot": n,
        "n_batches": N_BATCHES,
        "regions": names,
        "multiplicities": mult,
        "ledger_per_pot_GeV": led,
        "ledger_terms": LEDGER_TERMS,
        "ledger_closure": (e_out - led["imbalance"] - e_in) / led["beam"] if led["beam"] else 0.0,
        "em_fraction_of_beam_kinetic": led["em_seeds"] / (led["beam"] - m_beam) if led["beam"] > m_beam else 0.0,
        "failed_collisions": int(result.failed_collisions),
        "ionisation_per_pot_GeV": {k: v / max(n, 1) for k, v in result.region_ionisation.items()},
    }
    return arrays, header


def read_header(arrays) -> dict:
    """The JSON header of a loaded table."""
    return json.loads(str(arrays["header"]))
