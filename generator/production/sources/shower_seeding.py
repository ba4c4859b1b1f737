"""Shower track-length tables per proton on target, seeded by the pi0 and eta photons (the maker).

For a beamline, each meson source of :func:`fipgen.production.sources.resolve.meson_source`
(pi0 = 111 and eta = 221, per POT, first interactions only) is sampled; each meson
decays at the proton's interaction point (``vertex.sample_interaction_points``; c tau of
25 nm and 0.15 nm: prompt) into two photons, isotropic in its rest frame, and carries
the weight ``per_pot x BR(P -> gamma gamma) / n`` (BR from
:func:`fipgen.production.sources.meson_decay.sm_branching_ratio`); the photons shower in the
beamline's target solid (``geometries/<beamline>.toml``: a box or a z-cylinder of one
material), and what leaves it is lost. The result is the track-length density
``dL/dE dcos(theta)`` of photons, electrons and positrons per POT inside the target.

Left out, by construction: the other decay modes (pi0 Dalitz 1.2%, eta -> 3 pi0 whose
pi0 the Pythia tables already count as pi0, eta -> pi+ pi- gamma 4%), photons from other
mesons (omega -> pi0 gamma's photon, eta'), tertiary mesons (fluxes/README.md: a factor
2-11 more, soft pi0), and showers outside the target (NuMI/LBNF: the decay pipe and the
absorber).

The shipped tables ``fluxes/shower_<beamline>.npz`` are written by
``scripts/make_shower_tables.py`` with :func:`make_shower_table` and read back with
:func:`fipgen.shower.fold.load_shower_table` (their format is described there). Each holds ``energy_edges`` (GeV; photon energy, e+- kinetic
energy), ``theta_edges`` (rad, to the beam axis), ``dL_<species>_<source>`` (float32,
m / GeV / unit cos theta per POT; species gamma, eminus, eplus; source pi0, eta) with
``err_`` arrays (the statistical error of each bin from the spread of independent
batches), ``batch_<species>_<source>`` (float32, n_batches x n_energy: the angle-integrated
dL/dE of each batch alone, scaled to the whole sample; bins are correlated through the
seed mesons, so the error of a sum over bins comes from these, see
:meth:`ShowerTable.track_length_error`), and a JSON ``header``.
"""

from __future__ import annotations

import datetime as _dt

import numpy as np

from ..._version import __version__
from ...errors import PhysicsError
from ...geometry.loader import load_beamline
from ...shower.fold import SOURCES, SPECIES_KEYS, TABLE_VERSION, shower_table_beamlines, table_name
from ...shower.geometry import from_solid
from ...shower.tables import DEDX_E, DEDX_P, physics_tables
from ...shower.tracklength import Binning, ShowerSettings, run_showers
from .meson_decay import sm_branching_ratio
from .resolve import meson_source
from .vertex import sample_interaction_points

__all__ = ["meson_photons", "make_shower_table"]


def _boost_two_photon(p4: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Two photons of P -> gamma gamma per meson, isotropic in the rest frame.

    Returns energies (2n,) and unit directions (2n, 3), photons of meson i at 2i, 2i+1.
    """
    n = p4.shape[0]
    m = np.sqrt(np.maximum(p4[:, 3] ** 2 - (p4[:, :3] ** 2).sum(axis=1), 0.0))
    ct = 2.0 * rng.random(n) - 1.0
    phi = 2.0 * np.pi * rng.random(n)
    st = np.sqrt(1.0 - ct * ct)
    ks = np.stack([st * np.cos(phi), st * np.sin(phi), ct], axis=1) * (0.5 * m)[:, None]
    beta = p4[:, :3] / p4[:, 3:4]
    b2 = (beta**2).sum(axis=1)
    gam = 1.0 / np.sqrt(1.0 - b2)
    out_e = np.empty(2 * n)
    out_p = np.empty((2 * n, 3))
    for sgn, off in ((1.0, 0), (-1.0, 1)):
        k = sgn * ks
        e_star = 0.5 * m
        bk = (beta * k).sum(axis=1)
        coef = np.where(b2 > 0, (gam - 1.0) * bk / np.where(b2 > 0, b2, 1.0), 0.0) + gam * e_star
        p = k + coef[:, None] * beta
        out_p[off::2] = p
        out_e[off::2] = gam * (e_star + bk)
    out_d = out_p / np.linalg.norm(out_p, axis=1, keepdims=True)
    return out_e, out_d


def meson_photons(beamline: str, pdg: int, n: int, rng: np.random.Generator):
    """Photons of n sampled mesons ``pdg`` (111 or 221) of ``beamline``'s first-interaction
    sources (the variant its ``showers`` table belongs to; a beamline on its hadron cascade
    has per-solid shower tables of its own, :mod:`fipgen.cascade.showers`).

    Returns ``(energies, positions, directions, weights, info)``: 2n photons at the
    protons' interaction points, each weighted ``per_pot x BR(gamma gamma) / n`` (photons
    per POT it stands for), and a dict with the source's per-POT rate, BR and provenance.
    """
    from .resolve import sources_variant

    bl = load_beamline(beamline)
    src = meson_source(sources_variant(bl, "first-interactions"), pdg)
    br = sm_branching_ratio(pdg, "gamma_gamma")
    p4 = src.sample(n, rng)
    vtx = sample_interaction_points(bl, n, rng)
    e, d = _boost_two_photon(p4, rng)
    pos = np.repeat(vtx, 2, axis=0)
    w = np.full(2 * n, src.per_pot * br / n)
    return e, pos, d, w, {"pdg": pdg, "per_pot": src.per_pot, "br_gamma_gamma": br, "provenance": src.provenance}


def _seed_for(seed: int, source: int, batch: int) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(source, batch))))


def make_shower_table(beamline: str, n_mesons: dict, seed: int = 20240607, n_batches: int = 10,
                      settings: ShowerSettings | None = None, binning: Binning | None = None,
                      progress=None) -> tuple[dict, dict]:
    """Shower the pi0/eta photons of ``beamline`` in its target; return (arrays, header).

    ``n_mesons`` maps "pi0"/"eta" to the number of mesons sampled. Each source is split
    into ``n_batches`` batches with independent streams ``SeedSequence(seed, spawn_key=
    (source, batch))``: the result does not depend on how batches are scheduled, and the
    spread of the batch sums gives the statistical errors.
    """

    if beamline not in shower_table_beamlines():
        raise PhysicsError(f"no shower table is named by beamline {beamline!r} (particle_sources.showers); "
                           f"beamlines with one: {', '.join(shower_table_beamlines())}")
    settings = settings or ShowerSettings()
    bl = load_beamline(beamline)
    e_beam = bl.beam_energy
    binning = binning or Binning(e_hi=max(130.0, e_beam))
    mat = bl.target.material.name
    geom = from_solid(bl.target.solid)
    tabs = physics_tables(mat, settings.cut_e, settings.cut_g)
    arrays: dict[str, np.ndarray] = {"energy_edges": binning.energy_edges, "theta_edges": binning.theta_edges}
    dE = np.diff(binning.energy_edges)
    dcos = binning.cos_widths
    sources = {}
    ledger_tot = np.zeros(3)
    seed_energy_tot = 0.0
    ion_from_table = 0.0
    for si, (skey, pdg) in enumerate(SOURCES.items()):
        n = int(n_mesons.get(skey, 0))
        if n <= 0:
            continue
        sizes = np.full(n_batches, n // n_batches)
        sizes[: n % n_batches] += 1
        batch_hist = []
        led = np.zeros(3)
        seed_e = 0.0
        n_ph = 0
        info = {}
        counters: dict[str, int] = {}
        for b, nb in enumerate(sizes):
            if nb == 0:
                continue
            rng = _seed_for(seed, si, b)
            e, pos, d, w, info = meson_photons(beamline, pdg, int(nb), rng)
            w = w * nb / n  # weights per POT for the whole sample
            res = run_showers(mat, 0, e, pos, d, w, rng, settings=settings, binning=binning, geometry=geom)
            batch_hist.append(res.track_length)
            led += (res.ledger * w[:, None]).sum(axis=0)
            seed_e += float((w * e).sum())
            n_ph += e.size
            for k, v in res.counters.items():
                counters[k] = max(counters.get(k, 0), v) if k == "stack_peak" else counters.get(k, 0) + v
            if progress:
                progress(beamline, skey, b + 1, n_batches)
        h = np.stack(batch_hist)
        tot = h.sum(axis=0)
        nbat = h.shape[0]
        err = np.sqrt(np.maximum(nbat / (nbat - 1.0) * ((h - tot / nbat) ** 2).sum(axis=0), 0.0)) if nbat > 1 else np.zeros_like(tot)
        norm = dE[None, :, None] * dcos[None, None, :]
        for i, sk in enumerate(SPECIES_KEYS):
            arrays[f"dL_{sk}_{skey}"] = (tot[i] / norm[0]).astype(np.float32)
            arrays[f"err_{sk}_{skey}"] = (err[i] / norm[0]).astype(np.float32)
            # each batch alone, scaled to the whole sample: independent estimates of the
            # angle-integrated dL/dE, for errors of sums over bins (correlated through the mesons)
            arrays[f"batch_{sk}_{skey}"] = (nbat * h[:, i].sum(axis=2) / dE[None, :]).astype(np.float32)
        # ionisation closure: continuous loss rebuilt from the table (bin-centre dE/dx)
        ec = np.sqrt(binning.energy_edges[1:] * binning.energy_edges[:-1])
        ion = float((tot[1].sum(axis=1) * tabs.interp(DEDX_E, ec)).sum() + (tot[2].sum(axis=1) * tabs.interp(DEDX_P, ec)).sum())
        ion_from_table += ion
        ledger_tot += led
        seed_energy_tot += seed_e
        sources[skey] = {
            "pdg": pdg,
            "mesons_sampled": n,
            "photons_showered": n_ph,
            "batches": int(nbat),
            "per_pot": info["per_pot"],
            "br_gamma_gamma": info["br_gamma_gamma"],
            "photons_per_pot": 2.0 * info["per_pot"] * info["br_gamma_gamma"],
            "seed_energy_per_pot_GeV": seed_e,
            "energy_per_pot_GeV": {"deposited_continuous": led[0], "escaped": led[1], "below_cut": led[2]},
            "track_length_per_pot_m": {sk: float(tot[i].sum()) for i, sk in enumerate(SPECIES_KEYS)},
            "counters": counters,
            "meson_source": info["provenance"],
        }
    med = tabs.medium
    checks = {
        "beam_energy_GeV": e_beam,
        "seed_energy_per_pot_GeV": seed_energy_tot,
        "seed_energy_le_beam_energy": bool(seed_energy_tot <= e_beam),
        "ledger_sum_over_seed": float(ledger_tot.sum() / seed_energy_tot) if seed_energy_tot > 0 else 0.0,
        "continuous_loss_from_table_GeV": ion_from_table,
        "continuous_loss_scored_GeV": float(ledger_tot[0]),
        "table_over_scored_continuous_loss": ion_from_table / float(ledger_tot[0]) if ledger_tot[0] > 0 else 0.0,
        "what": "sum over photons of E x (photons per POT) <= beam energy; deposited + escaped + below-cut = seed "
        "energy; the continuous loss rebuilt as sum over e+- bins of (restricted dE/dx at the bin centre) x (track "
        "length) agrees with the scored one to the binning accuracy (a few per mille)",
    }
    if not checks["seed_energy_le_beam_energy"]:
        raise PhysicsError(f"{beamline}: seed photon energy per POT {seed_energy_tot:.4g} GeV exceeds the beam energy {e_beam:.4g} GeV")
    header = {
        "table": table_name(beamline),
        "table_version": TABLE_VERSION,
        "generator": f"fipgen {__version__} fipgen.shower (numba cascade)",
        "made_by": "scripts/make_shower_tables.py",
        "date": _dt.date.today().isoformat(),
        "beamline": beamline,
        "units": "dL_* in m / GeV / unit cos(theta) per proton on target; energy = photon energy (gamma) or kinetic "
        "energy (e+-), GeV; theta = polar angle to the beam (z) axis, rad",
        "normalisation": "per POT: meson per_pot (first interactions, meson_tables) x BR(gamma gamma) x track length "
        "per photon; err_* = statistical error from the spread of the batch sums",
        "seed": seed,
        "seed_streams": "numpy PCG64(SeedSequence(seed, spawn_key=(source index, batch)))",
        "target": {
            "material": mat,
            "Z": med.Z,
            "A": med.A,
            "density_g_cm3": med.material.density,
            "X0_m": med.X0,
            "mean_excitation_eV": med.mean_excitation * 1e9,
            "critical_energy_MeV": med.critical_energy() * 1e3,
            "geometry": [float(x) for x in geom],
            "geometry_meaning": "(shape 1 box / 2 z-cylinder, centre x y z, half-sizes or radius, -, half-length), m, beam frame",
        },
        "settings": settings.as_dict(),
        "physics": "pair (Tsai screened Bethe-Heitler shape, Urban total), bremsstrahlung above cut_g (Tsai eq. 3.9), "
        "Compton (Klein-Nishina), annihilation in flight (Heitler) and at rest, restricted ionisation (Berger-Seltzer) "
        "with Moller/Bhabha delta rays above cut_e, Highland multiple scattering; see generator/shower docstrings",
        "binning": binning.as_dict(),
        "sources": sources,
        "energy_check": checks,
        "not_included": "other meson decay modes and mesons, tertiary mesons, showers outside the target solid, "
        "photonuclear and photoelectric absorption, LPM",
    }
    return arrays, header


