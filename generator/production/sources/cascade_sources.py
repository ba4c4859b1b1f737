"""Meson sources read from a beamline's cascade tables (:mod:`fipgen.cascade`).

A species' source is its (p, theta) table summed over the solids where it is made, per POT,
with :class:`ProductionPoints`: the solid is drawn with its share of the species, then the
production point's x, y and z from that solid's profiles (uniform within each bin). The
point is drawn independently of the meson's momentum (within the mixture of solids: the
momentum spectrum of a solid's share is not kept apart from another's).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ...errors import PhysicsError
from .meson_spectra import MesonSource

__all__ = ["ProductionPoints", "cascade_meson_source", "cascade_species"]


@dataclass(frozen=True, eq=False)
class ProductionPoints:
    """Production points of one species: solids, their shares and coordinate profiles (m)."""

    names: tuple[str, ...]
    shares: np.ndarray  # (k,) summing to 1
    profiles: tuple  # per solid: ((edges, cdf) for x, y, z)

    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """``n`` points (n, 3), beam frame (m)."""
        n = int(n)
        which = rng.choice(len(self.shares), size=n, p=self.shares) if len(self.shares) > 1 else np.zeros(n, int)
        u = rng.random((3, n))
        out = np.empty((n, 3))
        for k, prof in enumerate(self.profiles):
            sel = np.flatnonzero(which == k)
            if not sel.size:
                continue
            for c, (edges, cdf) in enumerate(prof):
                uu = u[c, sel]
                i = np.minimum(np.searchsorted(cdf, uu, side="right"), cdf.size - 1)
                lo = np.where(i > 0, cdf[i - 1], 0.0)
                f = np.where(cdf[i] > lo, (uu - lo) / np.where(cdf[i] > lo, cdf[i] - lo, 1.0), 0.5)
                out[sel, c] = edges[i] + f * (edges[i + 1] - edges[i])
        return out


def _cdf(counts: np.ndarray) -> np.ndarray:
    c = np.cumsum(counts.astype(np.float64))
    return c / c[-1]


def cascade_species(arrays, header) -> dict[int, float]:
    """Per-POT multiplicity of every species made somewhere in the cascade (solids and vacuum)."""
    out: dict[int, float] = {}
    for per in header["multiplicities"].values():
        for pdg, v in per.get("prod", {}).items():
            out[int(pdg)] = out.get(int(pdg), 0.0) + v["per_pot"]
    return out


def cascade_meson_source(arrays, header, pdg: int, what: str, first_only: bool = False) -> MesonSource:
    """The :class:`MesonSource` of ``pdg`` from a cascade table (``first_only``: the beam
    particle's first collision only)."""
    pdg = int(pdg)
    tag = "prod1" if first_only else "prod"
    keys = [k for k in arrays if k.startswith(f"{tag}_{pdg}_")]
    total = None
    names, shares, profiles = [], [], []
    for key in sorted(keys):
        rk = key.rsplit("_", 1)[1]
        h = arrays[key].astype(np.float64)
        if not h.sum() or rk == "v":
            continue  # decays in vacuum between solids: too few to place (listed in the header)
        total = h if total is None else total + h
        names.append(header["regions"][rk]["name"])
        shares.append(h.sum())
        profiles.append(tuple((arrays[f"{c}edges_{rk}"], _cdf(arrays[f"{c}_{pdg}_{rk}"])) for c in "xyz"))
    if total is None:
        raise PhysicsError(f"the cascade of {what} made no pdg {pdg}")
    n_pot = int(header["n_pot"])
    per_pot = float(total.sum()) / n_pot
    cdf = np.cumsum(total.ravel()) / total.sum()
    cdf[-1] = 1.0
    s = np.array(shares) / float(np.sum(shares))
    pts = ProductionPoints(tuple(names), s, tuple(profiles))
    err = math.sqrt(total.sum()) / n_pot
    prov = (f"fipgen cascade source of pdg {pdg} for {what}: {header['made_by']}, Pythia {header['pythia']['version']} "
            f"({header['pythia']['interface']}), {n_pot} POT, seed {header['seed']}; {per_pot:.5g} +- {err:.2g} per POT"
            + (" (first collision only)" if first_only else " (all generations)")
            + "; made in " + ", ".join(f"{nm} {sh:.1%}" for nm, sh in zip(names, s)))
    return MesonSource(pdg, per_pot, arrays["p_edges"], arrays["theta_edges"], cdf, prov, pts)
