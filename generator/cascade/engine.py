"""The hadron cascade of beam protons in a beamline's solids, in 3D.

Each beam particle starts 1 mm upstream of the most upstream solid, on the beam axis displaced by the
beamline's Gaussian spot. Every hadron and muon is followed along its straight path
through the solids of the :class:`~fipgen.cascade.world.World` (vacuum between them):

* **interaction**: after an exponential number of interaction lengths, with the inelastic
  hadron-nucleus cross section of Pythia (:mod:`.pythia`) summed over the elements of the
  solid's material by their number densities; the struck element is picked in proportion
  to ``n_i sigma_i``. For mass numbers Pythia does not tabulate (Na, Si, K in concrete, Cu,
  W, Pb...) its interpolation is redone in real arithmetic (:class:`~.pythia.NucleusRule`).
  Hadrons below ``e_kin_min`` do not interact. A collision Pythia fails to make (a few %
  just above threshold) is retried, up to 10 times, then the hadron goes on without
  interacting.
* **the struck nucleus**: the products of each hadron-nucleus collision cross the nucleus
  first (:mod:`.nucleus`: formation time, rescattering on the Fermi sea, Pauli blocking, pion
  absorption, the well depth; ``CascadeSettings.intranuclear``); Pythia then decays nothing
  but the resonances, and what leaves with ``c tau0 < small_tau0`` (pi0, eta, omega, D...)
  is decayed at the collision point by the engine (:meth:`HadronCascade._book`).
* **ionisation**: charged particles lose energy continuously along their path (CSDA, the
  Bethe-Bloch mean loss with the density effect of the material:
  :func:`fipgen.geometry.stopping.stopping_table`); the cross section and the
  decay rate are re-evaluated at least every 20 % of the residual range.
* **decay in flight**: after an exponential proper time (``c tau0`` from Pythia's particle
  data) by ``nextDecay`` (pi+-, K+-, K0L, K0S, Lambda, Sigma, Xi, Omega, mu...).
* **stopping**: a charged particle whose range ends before anything else happens stops;
  pi+, K+ and mu+ decay at rest (isotropically, by ``nextDecay`` at zero momentum); pi-,
  K-, mu- and negative hyperons are captured by a nucleus; protons and other stable
  particles stay. Non-interacting neutral hadrons below ``e_kin_min`` (neutrons) end there.
* **leaving**: a particle whose path meets no further solid leaves the world.
* **isospin of the low-energy excitations**: Pythia's ``N N -> X Y`` excitations keep each
  nucleon's charge; their charge states are redrawn with the Clebsch-Gordan weights of the
  pair's total isospin (``p p``, ``n n``: ``I = 1``; ``p n``: ``I = 1`` or ``0`` in the ratio of
  Pythia's ``p p`` and ``p n`` excitation cross sections, an ``I = 0`` pair drawn anew where
  Pythia's cannot carry it; :mod:`.isospin`, ``CascadeSettings.nn_isospin`` and
  ``pn_isospin``), the pair's four-momentum kept and a resonance decayed anew.

Photons, electrons and positrons are not followed: they are recorded as seeds of the
electromagnetic cascade, with their point, time and momentum. Not modelled: multiple and
elastic scattering (straight tracks), magnetic fields (horns), photo-nuclear and
electro-nuclear production by the EM showers, nuclear de-excitation and evaporation
nucleons (the energy left in nuclei is booked, ``nuclear``), the displacement of c tau0 < 10 mm
decays (D mesons, at 120 GeV ~ 6 mm).

Everything is reproducible from ``seed``: Pythia's and numpy's generators are both seeded
from it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .isospin import allows_isospin, isospin_one_share, multiplets, recharge, remass_pair, to_lab
from .nucleus import IntranuclearCascade
from .pythia import CascadeSettings, ExcitationSampler, c_tau_m, make_cascade, nucleus_rule, vec4_class
from .records import (
    CAPTURED,
    COLLISION,
    DECAY_AT_REST,
    DECAY_IN_FLIGHT,
    EM_SEED,
    LEDGER_TERMS,
    PRODUCED,
    RECORD_DTYPE,
)
from .stepping import DECAYED, SLOW, STOPPED, StoppingLookup, glide
from .world import World

__all__ = ["RECORDED_SPECIES", "CascadeResult", "HadronCascade"]

_C_M_PER_NS = 0.299792458
_AVOGADRO = 6.02214076e23

#: Species recorded where they are made (:data:`fipgen.cascade.records.PRODUCED`).
RECORDED_SPECIES = frozenset({111, 221, 331, 223, 113, 333, 211, -211, 321, -321, 130, 310,
                              411, -411, 421, -421, 431, -431, 15, -15})
_FLIGHT_RECORDED = frozenset({211, -211, 321, -321, 130, 13, -13})
_AT_REST_DECAYS = frozenset({211, 321, -13})  # pi+, K+, mu+
_CAPTURED = frozenset({-211, -321, 13, 3112, 3312, 3334, -2212})
_EM = frozenset({22, 11, -11})
_NEUTRINOS = frozenset({12, -12, 14, -14, 16, -16})
_INCOMING = frozenset({-11, -12, -181, -182})  # beam and struck-nucleon entries of a record
_EXCITATION = 157  # |status| of the two states of a low-energy excitation (N N -> X Y)
_MAX_RETRY = 10
_RANGE_STEP = 0.2  # fraction of the residual range per step


@dataclass
class CascadeResult:
    """Records and ledger of ``n_pot`` beam particles.

    Attributes
    ----------
    records : numpy.ndarray
        Structured, :data:`fipgen.cascade.records.RECORD_DTYPE`.
    ledger : dict
        GeV summed over the POT, terms :data:`fipgen.cascade.records.LEDGER_TERMS`.
    n_pot : int
    failed_collisions : int
        Collisions Pythia could not make after all retries (the hadron went on).
    """

    records: np.ndarray
    ledger: dict
    n_pot: int
    failed_collisions: int = 0
    region_ionisation: dict = field(default_factory=dict)

    @staticmethod
    def merge(parts: list[CascadeResult]) -> CascadeResult:
        """The results of several chunks as one (POT indices offset to stay unique)."""
        recs, off = [], 0
        ledger = {k: 0.0 for k in LEDGER_TERMS}
        ion: dict = {}
        failed = 0
        for p in parts:
            r = p.records.copy()
            r["pot"] += off
            recs.append(r)
            off += p.n_pot
            for k, v in p.ledger.items():
                ledger[k] += v
            for k, v in p.region_ionisation.items():
                ion[k] = ion.get(k, 0.0) + v
            failed += p.failed_collisions
        records = np.concatenate(recs) if recs else np.zeros(0, RECORD_DTYPE)
        return CascadeResult(records, ledger, off, failed, ion)


class _Medium:
    """Per-region material data: element (Z, A, number density), Pythia's rule for each mass
    number it does not tabulate (:func:`fipgen.cascade.pythia.nucleus_rule`; None everywhere
    when ``interpolate`` is off) and stopping look-ups."""

    def __init__(self, material, interpolate: bool = True):
        dens = material.element_nuclei_densities()
        self.elements = [(int(z), max(1, min(208, int(round(a)))), dens[sym]) for sym, z, a in material.elements]
        self.rules = [nucleus_rule(a) if interpolate else None for _, a, _ in self.elements]
        self.material = material
        self.rho_100 = 100.0 * material.density  # (g/cm^2) per m
        self._tables: dict = {}

    def stopping(self, mass: float) -> StoppingLookup:
        """The CSDA range table of a particle of ``mass`` here (scalar look-ups, cached)."""
        t = self._tables.get(mass)
        if t is None:
            from ..geometry.stopping import stopping_table

            t = StoppingLookup(stopping_table(float(mass), self.material))
            self._tables[mass] = t
        return t


class HadronCascade:
    """The cascade of one beamline's world, with its own Pythia instance.

    Speed: the work is per particle and per step, in Python, so particles are tuples of
    floats (no numpy 3-vectors), species properties and range tables are looked up once,
    range and momentum look-ups are scalar, a charged particle that can no longer interact
    steps in one tight loop (:func:`fipgen.cascade.stepping.glide`) and a path is one
    numba call (:meth:`fipgen.cascade.world.World.path`). Each number is computed by the same operations in the
    same order as with 3-vectors and numpy look-ups: results are the same to the bit.
    Pythia's own calls (``sigmaSetuphN`` at every step of an interacting hadron,
    ``nextColl``) are about half of the time left.
    """

    def __init__(self, world: World, beam_pdg: int, beam_momentum: float, beam_spot=(0.0, 0.0),
                 settings: CascadeSettings | None = None, seed: int = 1):
        self.world = world
        self.settings = settings = settings if settings is not None else CascadeSettings()
        self.beam_pdg = int(beam_pdg)
        self.beam_momentum = float(beam_momentum)
        self.beam_spot = (float(beam_spot[0]), float(beam_spot[1]))
        self.casc = make_cascade(settings, seed)
        self.pdata = self.casc.particleData()
        self.rng = np.random.default_rng([int(seed), 0xCA5CADE])
        self.media = [_Medium(r.material, settings.nucleus_interpolation) for r in world.regions]
        self._names = [r.name for r in world.regions]
        lo = min(float(r.solid.extent()[0][2]) for r in world.regions)
        self.z_start = lo - 1e-3  # just upstream of the first solid
        self._species: dict[int, tuple[bool, bool, float]] = {}
        self._vec4 = vec4_class()
        self._multiplets = multiplets(_names(self.pdata)) if settings.nn_isospin else None
        self._excitations = ExcitationSampler(seed) if settings.nn_isospin and settings.pn_isospin else None
        self.inc = IntranuclearCascade(settings.nuclear, self.pdata, seed) if settings.intranuclear else None
        self._short_ctau = settings.small_tau0 * 1e-3  # m: what the cascade decays where it is made
        self._gathering = False

    # ----------------------------------------------------------------- helpers

    def _species_of(self, pdg: int) -> tuple[bool, bool, float]:
        """(charged, hadron, c tau0 in m) of ``pdg``, from Pythia's particle data (cached)."""
        sp = self._species.get(pdg)
        if sp is None:
            sp = (self.pdata.charge(pdg) != 0, bool(self.pdata.isHadron(pdg)), c_tau_m(self.casc, pdg))
            self._species[pdg] = sp
        return sp

    def _sigma(self, pdg: int, px: float, py: float, pz: float, e: float, m: float,
               medium: _Medium) -> tuple[float, list[float]]:
        """Macroscopic inelastic cross section (1/m) and the per-element parts."""
        if e - m < self.settings.e_kin_min or not self.casc.sigmaSetuphN(pdg, self._vec4(px, py, pz, e), m):
            return 0.0, []
        sigma_ha = self.casc.sigmahA
        parts = [n * (sigma_ha(a) if rule is None else rule.sigma(sigma_ha)) * 1e-31  # mb -> m^2
                 for (_, a, n), rule in zip(medium.elements, medium.rules)]
        return float(sum(parts)), parts

    # ----------------------------------------------------------------- the run

    def run(self, n_pot: int) -> CascadeResult:
        """Simulate ``n_pot`` beam particles; records and ledger."""
        self._rec: list[tuple] = []
        self._ledger = {k: 0.0 for k in LEDGER_TERMS}
        self._ion: dict[str, float] = {}
        self._failed = 0
        m_beam = self.pdata.m0(self.beam_pdg)
        e_beam = math.hypot(self.beam_momentum, m_beam)
        track = self._track
        for ipot in range(int(n_pot)):
            self._pot = ipot
            sx, sy = self.beam_spot
            x0 = (self.rng.normal(0.0, sx) if sx > 0 else 0.0, self.rng.normal(0.0, sy) if sy > 0 else 0.0,
                  self.z_start)
            self._ledger["beam"] += e_beam
            stack = [(self.beam_pdg, m_beam, (0.0, 0.0, self.beam_momentum), x0, 0.0, 0)]
            pop = stack.pop
            while stack:
                track(pop(), stack)
        recs = np.array(self._rec, dtype=RECORD_DTYPE) if self._rec else np.zeros(0, RECORD_DTYPE)
        return CascadeResult(recs, dict(self._ledger), int(n_pot), self._failed, dict(self._ion))

    def _record(self, kind, pdg, region, gen, pos, t, p3, e) -> None:
        self._rec.append((self._pot, kind, pdg, region, gen, pos[0], pos[1], pos[2], t, p3[0], p3[1], p3[2], e))

    def _emit(self, ev, start: int, pos, t: float, region: int, gen: int, stack: list, skip=(),
              read=None) -> None:
        """Book the entries ``start..`` of a Pythia record made at ``pos``: record, push, ledger.

        Each entry's status and id are read first; momenta only for what is recorded or
        followed (``isFinal`` is ``status > 0``). Entries in ``skip`` are left out. ``read``:
        ``(entries, statuses)`` of the whole record when the caller has read them already.
        """
        led = self._ledger
        record = self._record
        push = stack.append
        e_in = e_out = 0.0
        entries, statuses = read if read is not None else (None, None)
        later = []  # (booked after the record is read: a decay at once reuses Pythia's record)
        for j in range(start, ev.size()):
            if skip and j in skip:
                continue
            if entries is None:
                q = ev[j]
                st = q.status()
            else:
                q, st = entries[j], statuses[j]
            if st in _INCOMING:
                if st == -181 or st == -182:
                    e_q = q.e()
                    led["struck_nucleons"] += e_q
                    e_in += e_q
                elif st == -12:
                    e_in += q.e()
                continue
            pid = q.id()
            if st <= 0:  # not final: an intermediate (a pi0 decayed at once...)
                if pid in RECORDED_SPECIES:
                    record(PRODUCED, pid, region, gen, pos, t, (q.px(), q.py(), q.pz()), q.e())
                continue
            e = q.e()
            if pid in _NEUTRINOS:
                led["neutrinos"] += e
                e_out += e
                continue
            p3 = (q.px(), q.py(), q.pz())
            e_out += e
            if self._gathering:  # (a collision's products, before they cross the nucleus)
                push((pid, q.m(), p3, pos, t, gen))
            elif self.inc is not None:
                later.append((pid, q.m(), p3, e))
            else:
                if pid in RECORDED_SPECIES:
                    record(PRODUCED, pid, region, gen, pos, t, p3, e)
                if pid in _EM:
                    record(EM_SEED, pid, region, gen, pos, t, p3, e)
                    led["em_seeds"] += e
                else:
                    push((pid, q.m(), p3, pos, t, gen))
        led["imbalance"] += e_out - e_in
        for pid, m, p3, e in later:
            self._book(pid, m, p3, e, pos, t, region, gen, stack)

    def _book(self, pid, m, p3, e, pos, t, region, gen, stack) -> None:
        """Record a final particle (PRODUCED, EM_SEED) and push it on, or decay it at once where
        its ``c tau0 < small_tau0`` (with the intranuclear cascade, Pythia leaves pi0, eta,
        omega, D... undecayed: :attr:`~.pythia.CascadeSettings.pythia_tau0`), its products
        booked alike."""
        if pid in RECORDED_SPECIES:
            self._record(PRODUCED, pid, region, gen, pos, t, p3, e)
        if pid in _EM:
            self._record(EM_SEED, pid, region, gen, pos, t, p3, e)
            self._ledger["em_seeds"] += e
            return
        if self._species_of(pid)[2] < self._short_ctau:
            ev = self.casc.nextDecay(pid, self._vec4(p3[0], p3[1], p3[2], e), m)
            if ev.size():
                self._emit(ev, 0, pos, t, region, gen, stack)
                return
        stack.append((pid, m, p3, pos, t, gen))

    def _track(self, item, stack: list) -> None:
        """Follow one particle ``(pdg, mass, p3, pos, t, generation)`` to its end (module docstring)."""
        pid, m, p3, pos, t, gen = item
        px, py, pz = p3
        led = self._ledger
        pmag = math.sqrt(px ** 2 + py ** 2 + pz ** 2)
        e = math.hypot(pmag, m)
        charged, is_hadron, ctau = self._species_of(pid)
        if pmag <= 0.0:  # produced at rest (rare): treat as stopped
            self._stop(pid, m, pos, t, -1 if self.world is None else self.world.region_at(pos), gen, stack)
            return
        dx, dy, dz = px / pmag, py / pmag, pz / pmag
        unstable = math.isfinite(ctau)
        tau_left = ctau * self.rng.exponential() if unstable else math.inf  # proper length, m
        nl_left = self.rng.exponential()  # interaction lengths
        e_kin_min = self.settings.e_kin_min
        if not unstable and e - m < e_kin_min and self._ends_slow(pid, m, e, charged, ctau, -1):
            return
        ion = self._ion
        x, y, z = pos
        s = 0.0  # distance travelled from pos along d
        for t_in, t_out, k in self.world.path(pos, (dx, dy, dz)):
            # vacuum up to t_in: only decays
            if t_in > s:
                gap = t_in - s
                prop = gap * m / pmag
                if tau_left <= prop:
                    u = s + tau_left * pmag / m
                    self._decay(pid, m, (dx * pmag, dy * pmag, dz * pmag), (x + u * dx, y + u * dy, z + u * dz),
                                t + u * e / pmag / _C_M_PER_NS, -1, gen, stack)
                    return
                tau_left -= prop
                t += gap * e / pmag / _C_M_PER_NS
                s = t_in
            med = self.media[k]
            name = self._names[k]
            if charged:
                tab = med.stopping(m)
                range_m, momentum, rho_100 = tab.range_m, tab.momentum, med.rho_100
            sig, parts = 0.0, []
            while s < t_out:
                if charged and (not is_hadron or e - m < e_kin_min):  # no more interactions: glide
                    end, s, pmag, e, t, tau_left, led["ionisation"], ion[name] = glide(
                        tab, m, pmag, e, t, tau_left, s, t_out, _RANGE_STEP, led["ionisation"], ion.get(name, 0.0),
                        -math.inf if unstable or pid in _CAPTURED else e_kin_min)
                    here = (x + s * dx, y + s * dy, z + s * dz)
                    if end == STOPPED:
                        self._stop(pid, m, here, t, k, gen, stack)
                        return
                    if end == DECAYED:
                        self._decay(pid, m, (dx * pmag, dy * pmag, dz * pmag), here, t, k, gen, stack)
                        return
                    if end == SLOW and self._ends_slow(pid, m, e, charged, ctau, k):
                        return
                    continue
                if is_hadron:
                    if e - m < e_kin_min:  # no interaction (as _sigma says, without asking Pythia)
                        sig, parts = 0.0, []
                    else:
                        sig, parts = self._sigma(pid, dx * pmag, dy * pmag, dz * pmag, e, m, med)
                rng_res = range_m(pmag) if charged else math.inf
                step = t_out - s
                if charged:
                    step = min(step, max(_RANGE_STEP * rng_res, 1e-4))
                s_int = nl_left / sig if sig > 0 else math.inf
                s_dec = tau_left * pmag / m
                s_stop = rng_res if charged else math.inf
                ds = min(step, s_int, s_dec, s_stop)
                # move
                if charged:
                    if ds >= s_stop:
                        p_new = 0.0
                    else:
                        p_new = momentum((rng_res - ds) * rho_100)
                    e_new = math.hypot(p_new, m)
                    dep = e - e_new
                    led["ionisation"] += dep
                    ion[name] = ion.get(name, 0.0) + dep
                    p_mid = 0.5 * (pmag + p_new)
                else:
                    p_new, e_new, p_mid = pmag, e, pmag
                beta_mid = p_mid / math.hypot(p_mid, m) if p_mid > 0 else 1e-3
                t += ds / beta_mid / _C_M_PER_NS
                tau_left -= ds * m / max(p_mid, 1e-9)
                nl_left -= sig * ds
                s += ds
                pmag, e = p_new, e_new
                if ds == s_stop or pmag <= 0.0:
                    self._stop(pid, m, (x + s * dx, y + s * dy, z + s * dz), t, k, gen, stack)
                    return
                if ds == s_dec:
                    self._decay(pid, m, (dx * pmag, dy * pmag, dz * pmag), (x + s * dx, y + s * dy, z + s * dz), t,
                                k, gen, stack)
                    return
                if ds == s_int:
                    if self._collide(pid, m, (dx * pmag, dy * pmag, dz * pmag), e, parts, med,
                                     (x + s * dx, y + s * dy, z + s * dz), t, k, gen, stack):
                        return
                    nl_left = self.rng.exponential()
                    continue
                if not unstable and e - m < e_kin_min and self._ends_slow(pid, m, e, charged, ctau, k):
                    return
        # no further solid: it leaves the world (what decays beyond every solid is not followed)
        led["escaping"] += e

    def _ends_slow(self, pid, m, e, charged, ctau, k) -> bool:
        """End a stable particle below the interaction threshold: a neutral one (neutron) is
        booked below the cut, a charged one that is not captured (proton) ranges out where it
        is (its kinetic energy to ionisation). False when it must be followed on."""
        if math.isfinite(ctau) or e - m >= self.settings.e_kin_min:
            return False
        led = self._ledger
        if not charged:
            led["below_cut"] += e
            return True
        if pid in _CAPTURED:
            return False
        led["ionisation"] += e - m
        if k >= 0:
            name = self.world.regions[k].name
            self._ion[name] = self._ion.get(name, 0.0) + (e - m)
        led["stopped_rest_mass"] += m
        return True

    def _collide(self, pid, m, p3, e, parts, med, pos, t, k, gen, stack) -> bool:
        """A hadron-nucleus collision at ``pos``; False if Pythia failed every try."""
        tot = sum(parts)
        u = self.rng.random() * tot
        i = 0
        while i < len(parts) - 1 and u > parts[i]:
            u -= parts[i]
            i += 1
        z, a, _ = med.elements[i]
        struck = (z, a)
        if med.rules[i] is not None:
            z, a = med.rules[i].collision(z)
        first = gen == 0
        p4 = self._vec4(p3[0], p3[1], p3[2], e)
        for _ in range(_MAX_RETRY):
            if not self.casc.sigmaSetuphN(pid, p4, m):
                break
            ev = self.casc.nextColl(z, a)
            if ev.size() > 0:
                g = 1 if first else 2
                self._record(COLLISION, pid, k, g, pos, t, p3, e)
                self._book_collision(ev, pos, t, k, g, stack, (*struck, p3))
                return True
        self._failed += 1
        return False

    def _book_collision(self, ev, pos, t: float, region: int, gen: int, stack: list, struck=None) -> None:
        """Book a collision record (:meth:`_emit`), its excitations' charges redrawn by isospin
        (the record's entries and statuses read once, for both); with the intranuclear cascade,
        its products cross the struck nucleus ``struck = (Z, A, projectile's p3)`` first."""
        if self.inc is not None and struck is not None:
            made: list = []
            self._gathering = True
            try:
                self._book_collision(ev, pos, t, region, gen, made)
            finally:
                self._gathering = False
            z, a, p3 = struck
            pm = math.sqrt(p3[0] ** 2 + p3[1] ** 2 + p3[2] ** 2)
            sigma_hn = self.casc.sigmahA(1)  # (after the collision's sigmaSetuphN)
            for pid, m, q3, _pos, _t, _gen in self.inc.cross(made, z, a, sigma_hn, (p3[0] / pm, p3[1] / pm, p3[2] / pm),
                                                            self._ledger):
                self._book(pid, m, q3, math.hypot(math.sqrt(q3[0] ** 2 + q3[1] ** 2 + q3[2] ** 2), m), pos, t,
                           region, gen, stack)
            return
        if self._multiplets is None:
            self._emit(ev, 0, pos, t, region, gen, stack)
            return
        entries = [ev[j] for j in range(ev.size())]
        read = (entries, [q.status() for q in entries])
        swaps = self._isospin_swaps(ev, read)
        if swaps:
            self._emit_recharged(ev, swaps, pos, t, region, gen, stack, read)
        else:
            self._emit(ev, 0, pos, t, region, gen, stack, read=read)

    def collide(self, pdg: int, p3: tuple, z: int, a: int) -> tuple[list, list] | None:
        """One collision of a ``pdg`` hadron of momentum ``p3`` (GeV) on the nucleus ``(z, a)``
        as the cascade makes it (for validation): ``(outgoing, produced)``, lists of
        ``(pdg, px, py, pz, e)`` of the particles leaving the collision and of the recorded
        species made in it (pi0, eta... decayed at once included); None if Pythia fails."""
        self._rec, self._ledger, self._ion, self._failed, self._pot = [], {k: 0.0 for k in LEDGER_TERMS}, {}, 0, 0
        m = self.pdata.m0(pdg)
        e = math.hypot(math.sqrt(p3[0] ** 2 + p3[1] ** 2 + p3[2] ** 2), m)
        if not self.casc.sigmaSetuphN(pdg, self._vec4(p3[0], p3[1], p3[2], e), m):
            return None
        ev = self.casc.nextColl(z, a)
        if ev.size() == 0:
            return None
        stack: list = []
        self._book_collision(ev, (0.0, 0.0, 0.0), 0.0, 0, 1, stack, (z, a, p3))
        out = [(pid, p[0], p[1], p[2], math.hypot(math.sqrt(p[0] ** 2 + p[1] ** 2 + p[2] ** 2), mass))
               for pid, mass, p, *_ in stack]
        out += [(r[2], r[9], r[10], r[11], r[12]) for r in self._rec if r[1] == EM_SEED]
        produced = [(r[2], r[9], r[10], r[11], r[12]) for r in self._rec if r[1] == PRODUCED]
        return out, produced

    def _isospin_swaps(self, ev, read) -> list:
        """``[((entry, new id, old id, mass, four-momentum, final), (...))]``: the excitation pairs
        of a collision record whose charges isospin redraws (:mod:`.isospin`) to other ones,
        or that an ``I = 0`` pair replaces; ``read``: the record's ``(entries, statuses)``."""
        entries, statuses = read
        pairs: dict = {}
        for j, st in enumerate(statuses):
            if st == _EXCITATION or st == -_EXCITATION:
                q = entries[j]
                pairs.setdefault((q.mother1(), q.mother2()), []).append(j)
        swaps = []
        for (m1, m2), js in pairs.items():
            if len(js) != 2 or any(not _decayed_only(ev, j) for j in js):
                continue  # (a state that went on to collide again keeps its charge)
            made = [(q.id(), q.m(), (q.px(), q.py(), q.pz(), q.e()), q.status() > 0) for q in (ev[j] for j in js)]
            new = self._isospin_pair((ev[m1].id(), ev[m2].id()), ev[m2].id(), made)
            if new is not None:
                swaps.append(tuple((j, *st) for j, st in zip(js, new)))
        return swaps

    def _isospin_pair(self, incoming: tuple, projectile: int, made: list):
        """The pair ``made`` (``[(id, mass, four-momentum, final)] x 2``) of the nucleons
        ``incoming`` with isospin's charges: ``[(new id, old id, mass, four-momentum, final)] x 2``,
        or None when Pythia's pair stands (same charges, or no allowed state)."""
        table = self._multiplets
        u = self.rng.random()  # (one draw per pair whatever happens: with pn_isospin off, runs repeat older ones)
        ids = (made[0][0], made[1][0])
        if ids[0] not in table.members or ids[1] not in table.members:
            return None
        isospin, replaced = 1, False
        if incoming in ((2212, 2112), (2112, 2212)):
            if self._excitations is None:
                return None
            tot = tuple(made[0][2][i] + made[1][2][i] for i in range(4))
            ecm = math.sqrt(max(tot[3] ** 2 - tot[0] ** 2 - tot[1] ** 2 - tot[2] ** 2, 0.0))
            exc = self._excitations
            if self.rng.random() >= isospin_one_share(exc.sigma(2212, 2212, ecm), exc.sigma(2212, 2112, ecm)):
                isospin = 0
                if not allows_isospin(ids, table, 0):
                    fresh = self._i0_pair(projectile, ecm, tot)
                    if fresh is None:  # (no I = 0 pair within reach at this energy: Pythia's kept)
                        return None
                    made, replaced = fresh, True
                    ids = (made[0][0], made[1][0])
        new = recharge(incoming, ids, table, u, isospin)
        if new == ids and not replaced:
            return None
        states = []
        for (old, m, p4, final), n in zip(made, new):
            m_new = self.pdata.m0(n) if final else m
            if not final and m_new < self.pdata.mMin(n):
                return None
            states.append((n, old, m_new, p4, final))
        qa = remass_pair(states[0][3], states[1][3], states[0][2], states[1][2])
        if qa is None:  # (below the new pair's threshold: Pythia's charges kept)
            return None
        return [(*st[:3], q4, st[4]) for st, q4 in zip(states, qa)]

    def _i0_pair(self, projectile: int, ecm: float, total: tuple, tries: int = 50):
        """A ``p n`` excitation pair that can be ``I = 0`` (``N N*``, ``Delta Delta``...), drawn
        from Pythia at ``ecm`` and put in the frame of ``total`` (:func:`.isospin.to_lab`),
        as ``[(id, mass, four-momentum, final)] x 2``; None if ``tries`` draws give none."""
        table = self._multiplets
        for _ in range(tries):
            pair = self._excitations.draw(projectile, ecm)
            if pair is None:
                continue
            ids = (pair[0][0], pair[1][0])
            if all(i in table.members for i in ids) and allows_isospin(ids, table, 0):
                lab = to_lab([q[2:] for q in pair], total)
                return [(q[0], q[1], p4, q[0] in (2212, 2112)) for q, p4 in zip(pair, lab)]
        return None

    def _emit_recharged(self, ev, swaps: list, pos, t: float, region: int, gen: int, stack: list,
                        read=None) -> None:
        """Book a collision record whose excitation pairs ``swaps`` change charges: the record
        without the pairs and their decay products, then each pair under its new ids with the
        pair's four-momentum (:func:`.isospin.remass_pair`: a nucleon's mass follows its charge,
        a resonance keeps its own), a nucleon pushed on, a resonance decayed anew by
        ``nextDecay`` (the record is read in full first: ``nextDecay`` reuses it)."""
        skip = set()
        for pair in swaps:
            for j, *_ in pair:
                skip.add(j)
                skip.update(ev[j].daughterListRecursive())
        self._emit(ev, 0, pos, t, region, gen, stack, skip, read)
        led = self._ledger
        for pair in swaps:
            for _, new, _old, m, p4, final in pair:
                if final:  # a nucleon, outgoing
                    led["imbalance"] += p4[3]
                    stack.append((new, m, (p4[0], p4[1], p4[2]), pos, t, gen))
                    continue
                v4 = self._vec4(p4[0], p4[1], p4[2], p4[3])
                for _ in range(_MAX_RETRY):  # (its mass is in the state's range: a decay exists)
                    dec = self.casc.nextDecay(new, v4, m)
                    if dec.size():
                        break
                else:
                    raise RuntimeError(f"Pythia could not decay a {new} of mass {m} GeV")
                # the resonance is outgoing with the energy Pythia decays; its decay books the rest
                led["imbalance"] += sum(dec[j].e() for j in range(dec.size()) if dec[j].status() == -12)
                self._emit(dec, 0, pos, t, region, gen, stack)

    def _decay(self, pid, m, p3, pos, t, k, gen, stack) -> None:
        # |p3| by numpy: its BLAS dot product may fuse multiply-adds, a sqrt of squares could differ by a bit
        e = math.hypot(float(np.linalg.norm(p3)), m)
        if pid in _FLIGHT_RECORDED:
            self._record(DECAY_IN_FLIGHT, pid, k, max(gen, 1), pos, t, p3, e)
        ev = self.casc.nextDecay(pid, self._vec4(p3[0], p3[1], p3[2], e), m)
        if ev.size() == 0:
            self._ledger["escaping"] += e  # Pythia could not decay it: nothing more to follow
            return
        self._emit(ev, 0, pos, t, k, 2, stack)

    def _stop(self, pid, m, pos, t, k, gen, stack) -> None:
        zero = (0.0, 0.0, 0.0)
        if pid in _AT_REST_DECAYS:
            self._record(DECAY_AT_REST, pid, k, max(gen, 1), pos, t, zero, m)
            ev = self.casc.nextDecay(pid, self._vec4(0.0, 0.0, 0.0, m), m)
            if ev.size():
                self._emit(ev, 0, pos, t, k, 2, stack)  # Pythia's decays at rest are isotropic (tested)
                return
            self._ledger["captured"] += m
            return
        if pid in _CAPTURED:
            if abs(pid) in (211, 321, 13):
                self._record(CAPTURED, pid, k, max(gen, 1), pos, t, zero, m)
            self._ledger["captured"] += m
            return
        self._ledger["stopped_rest_mass"] += m


def _decayed_only(ev, j: int) -> bool:
    """Entry ``j`` is final or was only decayed (its products carry decay status codes 91-99)."""
    q = ev[j]
    return q.status() > 0 or 91 <= ev[q.daughter1()].statusAbs() <= 99


def _names(pdata) -> dict[int, str]:
    """``{id: name}`` of every particle in Pythia's table (``nextId`` walks it from id 1)."""
    out, i = {}, 1
    while i:
        out[i] = pdata.name(i)
        i = pdata.nextId(i)
    return out
