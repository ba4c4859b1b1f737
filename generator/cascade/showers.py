"""The electromagnetic cascade of every solid, seeded by the hadron cascade's photons and e+-.

For each solid where the hadron cascade recorded EM seeds (:data:`fipgen.cascade.records.EM_SEED`:
the photons of pi0 and eta decays and every other photon, electron and positron, of all
generations), a sample of those seeds is showered in that solid's material and shape by
fipgen's shower Monte Carlo (:func:`fipgen.shower.tracklength.run_showers`; compounds and
mixtures by composition). Seeds are drawn with probability proportional to their energy (the
shower's track length grows with it) and weighted back, ``w = sum(E) / (n E_i)`` per POT, in
``n_batches`` independent batches (the spread of the batch sums gives the errors). What leaves
a solid is lost (a shower crossing from a target into the next solid is not followed there).

The result per solid ``k`` (arrays added to the cascade table, :mod:`.tables`): ``dL_<s>_<k>``
(float32 ``dL/dE dcos(theta)`` per POT, m/GeV, s = gamma, eminus, eplus; energy edges
``shower_energy_edges``: photon energy or e+- kinetic energy; angle edges
``shower_theta_edges``), ``err_<s>_<k>``, ``batch_<s>_<k>`` (n_batches x n_energy, as in
:mod:`fipgen.shower.fold`), and ``<c>seedE_<k>`` (``c`` = x, y, z; counts weighted by the seed
energy, GeV per POT, on the solid's coordinate edges): where the showers start, the profile
the shower channels draw their production points from.
"""

from __future__ import annotations

import numpy as np

from .records import EM_SEED

__all__ = ["SPECIES_INDEX", "N_SEEDS", "select_seeds", "shower_task", "shower_arrays"]

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
    sp = np.array([SPECIES_INDEX[int(p)] for p in r["pdg"]], dtype=np.int64)
    p3 = np.column_stack([r["px"], r["py"], r["pz"]])
    pm = np.linalg.norm(p3, axis=1)
    energy = np.where(sp == 0, r["e"], r["e"] - _M_E)
    ok = (pm > 0) & (energy > 0)
    return {"species": sp[ok], "energy": energy[ok], "position": np.column_stack([r["x"], r["y"], r["z"]])[ok],
            "direction": p3[ok] / pm[ok, None], "weight": np.full(int(ok.sum()), total / (n * n_pot)) / r["e"][ok]}


def shower_task(material: str, geometry: np.ndarray, seeds: dict, seed: int, e_hi: float):
    """Shower one batch of seeds (a picklable task): (track length (3, n_E, n_theta), ledger sums
    (deposited, escaped, below cut) per POT, seed energy per POT, binning edges)."""
    from ..shower.tracklength import Binning, run_showers

    rng = np.random.default_rng([int(seed), 0xE1EC])
    binning = Binning(e_hi=e_hi)
    res = run_showers(material, seeds["species"], seeds["energy"], seeds["position"], seeds["direction"],
                      seeds["weight"], rng, binning=binning, geometry=geometry)
    led = (res.ledger * seeds["weight"][:, None]).sum(axis=0)
    e_seed = float((seeds["weight"] * np.where(seeds["species"] == 2, seeds["energy"] + 2 * _M_E,
                                               seeds["energy"])).sum())
    return res.track_length, led, e_seed, binning.energy_edges, binning.theta_edges


def shower_arrays(results: dict, xyz_edges: dict, records: np.ndarray, n_pot: int) -> tuple[dict, dict]:
    """Arrays and header summary from ``results[(region key, region index)] = [batch results]``."""
    arrays: dict[str, np.ndarray] = {}
    summary: dict[str, dict] = {}
    for (rk, k), batches in results.items():
        tl = np.stack([b[0] for b in batches])  # (n_b, 3, n_E, n_theta), each an estimate of the whole
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
        s = records[(records["kind"] == EM_SEED) & (records["region"] == k)]
        for c, edges in zip("xyz", xyz_edges[rk]):
            h = np.histogram(np.clip(s[c], edges[0], edges[-1]), bins=edges, weights=s["e"])[0] / n_pot
            arrays[f"{c}seedE_{rk}"] = h
        led = np.mean([b[1] for b in batches], axis=0)
        summary[rk] = {"seed_energy_per_pot_GeV": float(np.mean([b[2] for b in batches])),
                       "deposited_per_pot_GeV": float(led[0]), "escaped_per_pot_GeV": float(led[1]),
                       "below_cut_per_pot_GeV": float(led[2]), "batches": int(nb),
                       "track_length_per_pot_m": {sk: float(mean[i].sum()) for i, sk in enumerate(_SPECIES_KEYS)}}
    return arrays, summary
