"""The electromagnetic cascade of every solid, seeded by the hadron cascade's photons and e+-.

For each solid where the hadron cascade recorded EM seeds (:data:`fipgen.cascade.records.EM_SEED`:
the photons of pi0 and eta decays and every other photon, electron and positron, of all
generations), a sample of those seeds is showered in that solid's material and shape by
fipgen's shower Monte Carlo (:func:`fipgen.shower.tracklength.run_showers`; compounds and
mixtures by composition). Seeds are drawn with probability proportional to their energy (the
shower's track length grows with it) and weighted back, ``w = sum(E) / (n E_i)`` per POT, in
``n_batches`` independent batches (the spread of the batch sums gives the errors).

Photons crossing into the next solid: a seed photon that leaves its solid before interacting
(probability ``exp(-mu(E) L)``, ``mu`` its pair + Compton attenuation there and ``L`` its
straight path to the solid's surface) goes on along its line to the next solid it meets, where
it starts a shower too, with its weight times that probability, and so on through every solid
on its line, each time times the probability of crossing the previous ones unconverted
(:func:`forward_photons`): the forward photons of a thin target cross the decay pipe's gas and
reach the absorber. What a shower sends out of its solid otherwise (its own secondaries, the
seeds' electrons and positrons) is lost.

The result per solid ``k`` (arrays added to the cascade table, :mod:`.tables`): ``dL_<s>_<k>``
(float32 ``dL/dE dcos(theta)`` per POT, m/GeV, s = gamma, eminus, eplus; energy edges
``shower_energy_edges``: photon energy or e+- kinetic energy; angle edges
``shower_theta_edges``), ``err_<s>_<k>``, ``batch_<s>_<k>`` (n_batches x n_energy, as in
:mod:`fipgen.shower.fold`), and ``<c>seedE_<k>`` (``c`` = x, y, z; counts weighted by the seed
energy, GeV per POT, on the solid's coordinate edges; the seeds showered there, the photons
from other solids included): where the showers start, the profile the shower channels draw
their production points from.
"""

from __future__ import annotations

import numpy as np

from .records import EM_SEED

__all__ = ["SPECIES_INDEX", "N_SEEDS", "select_seeds", "forward_photons", "shower_task", "shower_arrays"]

#: Shower species index of a seed's PDG code (0 photon, 1 e-, 2 e+).
SPECIES_INDEX = {22: 0, 11: 1, -11: 2}
#: Seeds showered per solid (all batches together), by default.
N_SEEDS = 20_000
_M_E = 0.51099895e-3
_SPECIES_KEYS = ("gamma", "eminus", "eplus")


def select_seeds(records: np.ndarray, region: int, n: int, n_pot: int, rng: np.random.Generator) -> dict:
    """``n`` EM seeds of solid ``region`` drawn with probability proportional to energy, with
    their per-POT weights: a dict of ``species``, ``energy`` (photon energy or kinetic energy),
    ``position``, ``direction``, ``weight``."""
    s = records[(records["kind"] == EM_SEED) & (records["region"] == region)]
    e = s["e"]
    total = float(e.sum())
    idx = rng.choice(s.size, size=int(n), p=e / total)
    r = s[idx]
    sp = np.where(r["pdg"] == 22, SPECIES_INDEX[22], np.where(r["pdg"] == 11, SPECIES_INDEX[11], SPECIES_INDEX[-11]))
    p3 = np.column_stack([r["px"], r["py"], r["pz"]])
    pm = np.linalg.norm(p3, axis=1)
    energy = np.where(sp == 0, r["e"], r["e"] - _M_E)
    ok = (pm > 0) & (energy > 0)
    return {"species": sp[ok], "energy": energy[ok], "position": np.column_stack([r["x"], r["y"], r["z"]])[ok],
            "direction": p3[ok] / pm[ok, None], "weight": np.full(int(ok.sum()), total / (n * n_pot)) / r["e"][ok],
            "own": np.ones(int(ok.sum()), dtype=bool)}


def forward_photons(world, region: int, seeds: dict) -> dict[int, dict]:
    """The seed photons of ``region`` that leave it before interacting, as seeds of every solid
    further on their line, weighted by the probability of arriving unconverted (module
    docstring): ``{region index: seeds}`` (``own`` False)."""
    from ..shower.tables import COMPTON, PAIR, physics_tables

    def mu(k, e):
        tabs = physics_tables(world.regions[k].material.name)
        return float(tabs.interp(PAIR, e) + tabs.interp(COMPTON, e))

    out: dict[int, list] = {}
    for i in np.flatnonzero(seeds["species"] == 0):
        pos, d, e = seeds["position"][i], seeds["direction"][i], seeds["energy"][i]
        path = world.path(pos - 1e-9 * d, d)
        own = [seg for seg in path if seg[2] == region]
        if not own:
            continue
        t_exit = own[0][1]
        p_esc = np.exp(-mu(region, e) * max(t_exit, 0.0))
        for t_in, t_out, j in (seg for seg in path if seg[0] >= t_exit - 1e-12):
            if p_esc < 1e-6:
                break
            if j != region:
                out.setdefault(j, []).append((e, pos + t_in * d, d, seeds["weight"][i] * p_esc))
            p_esc *= np.exp(-mu(j, e) * (t_out - t_in))  # on to the next solid if it crosses this one
    res = {}
    for j, rows in out.items():
        m = len(rows)
        res[j] = {"species": np.zeros(m, dtype=np.int64), "energy": np.array([r[0] for r in rows]),
                  "position": np.array([r[1] for r in rows]), "direction": np.array([r[2] for r in rows]),
                  "weight": np.array([r[3] for r in rows]), "own": np.zeros(m, dtype=bool)}
    return res


def shower_task(material: str, geometry: np.ndarray, seeds: dict, seed: int, e_hi: float, xyz_edges=None,
                depth: bool = False):
    """Shower one batch of seeds (a picklable task): (track length (3, n_E, n_theta), ledger sums
    (deposited, escaped, below cut) per POT, (own, transferred) seed energy per POT, binning
    edges, the seeds' energy-weighted x, y, z histograms on ``xyz_edges``). With ``depth`` the z
    profile is instead the showers' deposited energy on the (linear) z edges: where a beam's
    showers develop, not where they start."""
    from ..shower.tracklength import Binning, run_showers

    rng = np.random.default_rng([int(seed), 0xE1EC])
    binning = Binning(e_hi=e_hi)
    pos, geom, kw = seeds["position"], geometry, {}
    if depth:  # the kernel scores depth from z = 0: the solid's z edges shifted there
        ze = np.asarray(xyz_edges[2], dtype=np.float64)
        pos = pos - np.array([0.0, 0.0, ze[0]])
        geom = np.array(geometry, dtype=np.float64)
        geom[3] -= ze[0]  # the volume's centre z (fipgen.shower.geometry: box and cylinder)
        kw = {"depth_dz": float(ze[-1] - ze[0]) / (ze.size - 1), "n_depth": ze.size - 1}
    res = run_showers(material, seeds["species"], seeds["energy"], pos, seeds["direction"],
                      seeds["weight"], rng, binning=binning, geometry=geom, **kw)
    led = (res.ledger * seeds["weight"][:, None]).sum(axis=0)
    budget = seeds["weight"] * np.where(seeds["species"] == 2, seeds["energy"] + 2 * _M_E, seeds["energy"])
    own = seeds["own"]
    prof = tuple(np.histogram(np.clip(seeds["position"][:, c], e[0], e[-1]), bins=e, weights=budget)[0]
                 for c, e in enumerate(xyz_edges)) if xyz_edges is not None else ()
    if depth:
        prof = (prof[0], prof[1], np.asarray(res.depth, dtype=np.float64))
    return (res.track_length, led, (float(budget[own].sum()), float(budget[~own].sum())), binning.energy_edges,
            binning.theta_edges, prof)


def shower_arrays(results: dict, n_batches: int) -> tuple[dict, dict]:
    """Arrays and header summary from ``results[(region key, region index)] = [batch results]``."""
    arrays: dict[str, np.ndarray] = {}
    summary: dict[str, dict] = {}
    for (rk, _k), batches in results.items():
        # a batch missing here had nothing to shower in this solid (no photon came in): it counts as 0
        tl = np.stack([b[0] for b in batches] + [np.zeros_like(batches[0][0])] * (n_batches - len(batches)))
        nb = tl.shape[0]
        e_edges, th_edges = batches[0][3], batches[0][4]
        arrays["shower_energy_edges"], arrays["shower_theta_edges"] = e_edges, th_edges
        mean = tl.mean(axis=0)
        err = tl.std(axis=0, ddof=1) / np.sqrt(nb) if nb > 1 else np.zeros_like(mean)
        dE = np.diff(e_edges)
        dcos = np.cos(th_edges[:-1]) - np.cos(th_edges[1:])
        norm = dE[:, None] * dcos[None, :]
        for i, sk in enumerate(_SPECIES_KEYS):
            arrays[f"dL_{sk}_{rk}"] = (mean[i] / norm).astype(np.float32)
            arrays[f"err_{sk}_{rk}"] = (err[i] / norm).astype(np.float32)
            arrays[f"batch_{sk}_{rk}"] = (tl[:, i].sum(axis=2) / dE[None, :]).astype(np.float32)
        for c in range(3):  # where the showers start: the showered seeds' energy-weighted profiles
            arrays[f"{'xyz'[c]}seedE_{rk}"] = np.sum([b[5][c] for b in batches], axis=0) / nb
        led = np.sum([b[1] for b in batches], axis=0) / nb
        summary[rk] = {"seed_energy_per_pot_GeV": float(np.sum([b[2][0] for b in batches]) / nb),
                       "photons_in_from_other_solids_per_pot_GeV": float(np.sum([b[2][1] for b in batches]) / nb),
                       "deposited_per_pot_GeV": float(led[0]), "escaped_per_pot_GeV": float(led[1]),
                       "below_cut_per_pot_GeV": float(led[2]), "batches": int(nb),
                       "track_length_per_pot_m": {sk: float(mean[i].sum()) for i, sk in enumerate(_SPECIES_KEYS)}}
    return arrays, summary
