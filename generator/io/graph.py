"""The event graph every event-record writer draws: from the beam proton to the LLP's daughters.

Per event, in this order (the ``role`` of each particle; absent ones are left out)::

    beam particle          BEAM         incoming (status 4)
    target nucleus         TARGET       incoming (status 20): the nucleus struck at the origin
    grandparent            GRANDPARENT  the meson of an X -> N N chain, the Ds of a tau (status 2)
    parent                 PARENT       the particle whose decay made the LLP (status 2)
    parent's siblings      SIBLING1     the grandparent's other decay products (status 1)
    LLP                    LLP          status 2 (1 if no decay products were sampled)
    LLP's siblings         SIBLING0     the parent's other decay products (status 1)
    daughters              DAUGHTER     the LLP's decay or scattering products (status 1)

and the vertices they make (each particle's production vertex is the one of its mothers):

* the **origin** (``origin_*``): beam + nucleus -> the first recorded ancestor. For a meson
  made in the hadronic cascade this vertex *summarises* the cascade: the tables keep spectra
  and production points, not which hadron of which generation made the meson, and the rest of
  the collision is not recorded (four-momentum is not conserved there; NuHepMC E.R.1 allows
  it). Where the source keeps no production point (``origin_known`` 0: cascade-table decays of
  charged mesons, shower photons and electrons) it is placed at the parent's decay point, and
  the nucleus is one of the solid containing that point (where a stopped meson or a shower
  particle was made; a meson decaying in flight in a decay pipe gets the pipe's gas).
* the grandparent's decay, at the origin (grandparents are prompt: pi0, eta, Ds).
* the **primary vertex**: the LLP's production (the parent's decay; the beam's radiation for
  bremsstrahlung, where the beam proton is the parent and after the emission a sibling).
* the LLP's decay or scattering point in the detector.

Beam-radiated chains (a Z' from proton bremsstrahlung decaying to N N) have the beam as
grandparent: the origin vertex is then the radiation itself (beam + nucleus -> Z' + proton).

Positions in metres and times in ns, momenta in GeV, in the beam frame or, with
``frame="detector"``, the detector file's frame (positions and momenta rotated and shifted
as :meth:`fipgen.geometry.loader.Detector.to_detector_frame`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..constants import mass_or_none

__all__ = ["BEAM", "TARGET", "GRANDPARENT", "PARENT", "SIBLING1", "LLP", "SIBLING0", "DAUGHTER", "ROLE_NAMES",
           "Graphs", "batch_graphs"]

BEAM, TARGET, GRANDPARENT, PARENT, SIBLING1, LLP, SIBLING0, DAUGHTER = range(8)
ROLE_NAMES = ("beam", "target", "grandparent", "parent", "sibling1", "llp", "sibling0", "daughter")
_STATUS = np.array([4, 20, 2, 2, 1, 2, 1, 1], dtype=np.int32)


@dataclass(frozen=True)
class Graphs:
    """The graphs of a batch's events, flat: event ``i`` is rows ``start[i]:start[i + 1]``.

    ``mothers`` (k, 2) are the first and last mother (indices within the event, -1: none; the
    mothers of a particle are contiguous), ``daughters`` (k, 2) the first and last daughter
    (-1: none; the daughters of a particle are contiguous too); ``vertex`` (k, 4) each
    particle's production point (x, y, z in m; t in ns), zero for the incoming two."""

    start: np.ndarray
    role: np.ndarray
    pdg: np.ndarray
    status: np.ndarray
    p4: np.ndarray
    mass: np.ndarray
    mothers: np.ndarray
    vertex: np.ndarray
    daughters: np.ndarray

    def event(self, i: int) -> slice:
        return slice(int(self.start[i]), int(self.start[i + 1]))


def _is_beam(pdg, p4, beam_pdg: int, beam_p: float) -> np.ndarray:
    """Rows that are the beam particle itself (bremsstrahlung's radiating proton)."""
    return ((pdg == beam_pdg) & (np.abs(p4[:, 2] - beam_p) <= 1e-9 * beam_p)
            & (np.abs(p4[:, 0]) + np.abs(p4[:, 1]) <= 1e-12 * beam_p))


def _masses(pdg: np.ndarray, p4: np.ndarray) -> np.ndarray:
    """PDG masses; a code the table lacks (a BSM particle) from its four-momentum."""
    out = np.empty(pdg.size)
    table = {}
    for c in np.unique(pdg):
        table[int(c)] = mass_or_none(abs(int(c)))
    for c, m in table.items():
        sel = pdg == c
        if m is None:
            q = p4[sel]
            out[sel] = np.sqrt(np.maximum(q[:, 3] ** 2 - np.einsum("ij,ij->i", q[:, :3], q[:, :3]), 0.0))
        else:
            out[sel] = m
    return out


def batch_graphs(batch, beamline, detector=None, frame: str = "beam") -> Graphs:
    """The :class:`Graphs` of ``batch``'s events (module docstring); ``frame`` ``"beam"`` or
    ``"detector"`` (then ``detector`` gives the transformation)."""
    if frame not in ("beam", "detector"):
        raise ValueError(f"frame {frame!r}: allowed 'beam' or 'detector'")
    sc = batch.scalars
    n = len(batch)
    beam_pdg, beam_p = int(beamline.beam_particle), float(beamline.beam_momentum)
    beam_m = float(beamline.beam_mass)
    par4 = np.column_stack([sc["parent_px"], sc["parent_py"], sc["parent_pz"], sc["parent_e"]])
    gp4 = np.column_stack([sc["grandparent_px"], sc["grandparent_py"], sc["grandparent_pz"], sc["grandparent_e"]])
    has_par = ~_is_beam(sc["parent_pdg"], par4, beam_pdg, beam_p)
    has_gp = (sc["grandparent_pdg"] != 0) & ~_is_beam(sc["grandparent_pdg"], gp4, beam_pdg, beam_p)
    n_sib = batch.counts["sibling"]
    gen = batch.flat["sibling"]["generation"]
    ev_sib = np.repeat(np.arange(n), n_sib)
    n1 = np.bincount(ev_sib[gen == 1], minlength=n)
    n0 = n_sib - n1
    nd = batch.counts["daughter"]
    size = 2 + has_gp + has_par + n1 + 1 + n0 + nd
    start = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(size, out=start[1:])
    tot = int(start[-1])
    role = np.empty(tot, dtype=np.int32)
    pdg = np.zeros(tot, dtype=np.int32)
    p4 = np.zeros((tot, 4))
    mothers = np.full((tot, 2), -1, dtype=np.int64)
    vtx = np.zeros((tot, 4))
    s = start[:-1]
    origin = np.column_stack([sc["origin_x"], sc["origin_y"], sc["origin_z"], sc["origin_t"]])
    prod = np.column_stack([sc["prod_x"], sc["prod_y"], sc["prod_z"], sc["prod_t"]])
    decay = np.column_stack([sc["decay_x"], sc["decay_y"], sc["decay_z"], sc["decay_t"]])
    # beam and nucleus
    role[s], pdg[s] = BEAM, beam_pdg
    p4[s] = (0.0, 0.0, beam_p, np.hypot(beam_p, beam_m))
    role[s + 1], pdg[s + 1] = TARGET, sc["origin_nucleus"]
    # the ancestors: grandparent (from the collision), parent (from the grandparent or the collision)
    both = np.column_stack([s, s + 1]) - s[:, None]  # (beam, nucleus) within the event
    i_gp = s + 2
    g = np.flatnonzero(has_gp)
    role[i_gp[g]], pdg[i_gp[g]], p4[i_gp[g]] = GRANDPARENT, sc["grandparent_pdg"][g], gp4[g]
    mothers[i_gp[g]], vtx[i_gp[g]] = both[g], origin[g]
    i_par = s + 2 + has_gp
    from_gp = np.where(has_gp[:, None], np.column_stack([i_gp - s, i_gp - s]), both)
    p = np.flatnonzero(has_par)
    role[i_par[p]], pdg[i_par[p]], p4[i_par[p]] = PARENT, sc["parent_pdg"][p], par4[p]
    mothers[i_par[p]], vtx[i_par[p]] = from_gp[p], origin[p]
    # siblings: generation 1 from the grandparent (or the collision), 0 with the LLP
    i_llp = s + 2 + has_gp + has_par + n1
    from_par = np.where(has_par[:, None], np.column_stack([i_par - s, i_par - s]), both)
    sib = batch.flat["sibling"]
    sib4 = np.column_stack([sib["px"], sib["py"], sib["pz"], sib["e"]])
    first = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(n_sib, out=first[1:])
    for gval, base, moth, where in ((1, s + 2 + has_gp + has_par, from_gp, origin), (0, i_llp + 1, from_par, prod)):
        sel = np.flatnonzero(gen == gval)
        if sel.size == 0:
            continue
        e = ev_sib[sel]
        # rank of each sibling among its event's siblings of this generation
        rank = np.arange(sel.size) - np.searchsorted(e, e, side="left")
        rows = base[e] + rank
        role[rows] = SIBLING1 if gval else SIBLING0
        pdg[rows], p4[rows], mothers[rows], vtx[rows] = sib["pdg"][sel], sib4[sel], moth[e], where[e]
    # the LLP and its daughters
    role[i_llp], pdg[i_llp] = LLP, sc["llp_pdg"]
    p4[i_llp] = np.column_stack([sc["llp_px"], sc["llp_py"], sc["llp_pz"], sc["llp_e"]])
    mothers[i_llp], vtx[i_llp] = from_par, prod
    ev_dau = np.repeat(np.arange(n), nd)
    dfirst = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(nd, out=dfirst[1:])
    rows = i_llp[ev_dau] + n0[ev_dau] + 1 + (np.arange(ev_dau.size) - dfirst[:-1][ev_dau])
    dau = batch.flat["daughter"]
    role[rows], pdg[rows] = DAUGHTER, dau["pdg"]
    p4[rows] = np.column_stack([dau["px"], dau["py"], dau["pz"], dau["e"]])
    mothers[rows] = np.column_stack([i_llp - s, i_llp - s])[ev_dau]
    vtx[rows] = decay[ev_dau]
    status = _STATUS[role]
    status[i_llp[nd == 0]] = 1  # an LLP without sampled products is not shown decaying
    mass = _masses(pdg, p4)
    mass[i_llp] = sc["llp_mass"]
    mass[role == BEAM] = beam_m
    tgt = role == TARGET
    p4[tgt, 3] = mass[tgt]  # at rest
    if frame == "detector":
        vtx[:, :3] = detector.to_detector_frame(vtx[:, :3])
        p4[:, :3] = detector.vectors_to_detector_frame(p4[:, :3])
        incoming = (role == BEAM) | (role == TARGET)
        vtx[incoming] = 0.0
    return Graphs(start, role, pdg, status, p4, mass, mothers, vtx, _daughters(start, mothers))


def _daughters(start: np.ndarray, mothers: np.ndarray) -> np.ndarray:
    """First and last daughter (k, 2) of every row, indices within the event (-1: none), from
    the rows' mother ranges."""
    tot = mothers.shape[0]
    ev = np.repeat(np.arange(start.size - 1), np.diff(start))
    local = np.arange(tot) - start[ev]
    first = np.full(tot, np.iinfo(np.int64).max)
    last = np.full(tot, -1, dtype=np.int64)
    has = np.flatnonzero(mothers[:, 0] >= 0)
    span = int((mothers[has, 1] - mothers[has, 0]).max()) if has.size else 0
    for d in range(span + 1):  # each mother of the range (beam and nucleus: two)
        r = has[mothers[has, 0] + d <= mothers[has, 1]]
        g = start[ev[r]] + mothers[r, 0] + d
        np.minimum.at(first, g, local[r])
        np.maximum.at(last, g, local[r])
    first[last < 0] = -1
    return np.column_stack([first, last])
