"""The intranuclear cascade: what the products of a hadron-nucleus collision do before they
leave the struck nucleus.

Pythia's hadron-nucleus collision (:mod:`.pythia`) is a chain of hadron-nucleon collisions on
free nucleons at rest: its products leave the nucleus untouched, no slow pion is absorbed, no
nucleon is bound. In a real nucleus the slow products rescatter, pions are absorbed on nucleon
pairs and the energy goes to nucleons, and nucleons below the nuclear well stay in it. This
module adds that step, in the manner of the classic intranuclear cascades (N. Metropolis et al.,
Phys. Rev. 110 (1958) 185; H. W. Bertini, Phys. Rev. 131 (1963) 1801; the INCL and GENIE
INTRANUKE models follow the same scheme):

* **the nucleus** (``A >= 4``): a Woods-Saxon density ``rho(r) = rho0 / (1 + exp((r - c)/a))``,
  ``c = 1.12 A^(1/3) - 0.86 A^(-1/3)`` fm, ``a = 0.54`` fm (the charge-density fits summarised
  by H. de Vries et al., At. Data Nucl. Data Tables 36 (1987) 495, in the parameterisation of
  the Glauber codes), ``rho0`` normalising it to ``A``; a local Fermi gas, ``p_F(r) = hbar c
  (3 pi^2 rho(r)/2)^(1/3)``; protons with probability ``Z/A``.
* **where the collision happens**: the projectile's first hadron-nucleon collision, with its
  inelastic hadron-nucleon cross section: impact parameter and depth drawn along its direction
  through the density. All the collision's products start there.
* **formation**: a product of the hadron-nucleus collision can interact after ``c tau_f p/m``
  (``tau_f = 1 fm/c`` in its rest frame); products of later intranuclear collisions at once.
* **rescattering**: along a straight line, interaction points with Pythia's total
  hadron-nucleon cross section (``LowEnergyQCD:all``: elastic, diffractive, excitations,
  resonances, annihilation, non-diffractive) on a nucleon of the local Fermi sea, by the
  null-collision method; the collision is Pythia's, at the pair's CM energy, boosted to the
  nucleus frame. A collision leaving a nucleon inside the local Fermi sphere is undone (Pauli
  blocking).
* **pion absorption** (``pi N N -> N N``): a pion's interaction is, with probability
  ``G_abs / (G_abs + G_piN(q))``, an absorption on a quasi-deuteron pair (the struck nucleon and
  one of the other isospin, from the Fermi sea; the two nucleons share the four-momentum
  isotropically in their CM frame): the Delta formed either decays (``G_piN``, the free P-wave
  width ``G_0 (q/q_R)^3``, ``G_0 = 0.117`` GeV, the PDG Breit-Wigner width of the Delta(1232), at
  its pi N CM momentum ``q_R = 0.227`` GeV/c) or is absorbed by a
  second nucleon, at a rate proportional to the local density, ``G_abs = absorption_width x
  rho/rho0`` (E. Oset and L. L. Salcedo, Nucl. Phys. A 468 (1987) 631, whose spreading width
  this is). ``absorption_width`` is the model's one fitted parameter: to the pi+ absorption
  cross sections of carbon and iron from 85 to 315 MeV (D. Ashery et al., Phys. Rev. C 23
  (1981) 2173; :data:`ASHERY_ABSORPTION`).
* **leaving**: a nucleon leaving pays the well depth ``V0 = T_F + S`` (``T_F`` the Fermi energy
  at ``rho0``, ``S = 8`` MeV a typical separation energy); one below it stays, and is not
  followed (its energy is booked as left in the nucleus: the cut-off energy of the cascade
  codes, here the well depth). Pions and others leave freely (no Coulomb field, no optical
  potential).

Not modelled: the depletion of the nucleus as nucleons leave, the pre-equilibrium and
evaporation stages (the energy left in the nucleus is booked, not emitted), the isospin of
intranuclear ``N N`` excitations (Pythia's charges), antinucleon annihilation on nucleon pairs.
"""

from __future__ import annotations

import math
import random

from .pythia import NuclearModel, hadron_nucleon_generator

__all__ = ["ASHERY_ABSORPTION", "IntranuclearCascade", "Nucleus", "absorption_cross_section"]

_HBARC = 0.1973269804  # GeV fm
_M_N = 0.93891875  # GeV, the nucleon mass (mean of p and n) of the Fermi sea
_MB_TO_FM2 = 0.1
_ECM_MAX = 10.0  # GeV: Pythia's low-energy generators are initialised up to this CM energy
_ECM_STEP = 0.005  # GeV: the grid of the cross-section tables
_DELTA_Q = 0.227  # GeV/c: pi N CM momentum at the Delta's mass, 1.232 GeV
_DELTA_WIDTH = 0.117  # GeV
_NUCLEONS = (2212, 2112)
_PIONS = frozenset({211, -211, 111})
_EM = frozenset({22, 11, -11})

#: pi+ absorption cross sections (mb) measured by D. Ashery et al., Phys. Rev. C 23 (1981) 2173:
#: ``{nucleus: {pion kinetic energy (MeV): (sigma, error)}}``; the numbers as tabulated in
#: GENIE's intranuclear data (``data/evgen/intranuke/tot_xsec/2025/pipA_abs/``).
ASHERY_ABSORPTION = {
    (6, 12): {85: (109, 20), 125: (166, 26), 165: (194, 36), 205: (157, 37), 245: (95, 32), 315: (64, 27)},
    (26, 56): {85: (421, 70), 125: (527, 74), 165: (577, 87), 205: (607, 86), 245: (411, 70), 315: (320, 62)},
}


class Nucleus:
    """The Woods-Saxon density and local Fermi gas of a nucleus ``(z, a)`` (module docstring)."""

    def __init__(self, z: int, a: int):
        self.z, self.a = int(z), int(a)
        self.c = 1.12 * a ** (1.0 / 3.0) - 0.86 * a ** (-1.0 / 3.0)
        self.diffuseness = 0.54
        self.r_max = self.c + 8.0 * self.diffuseness  # rho/rho0 < 3.4e-4 beyond
        n = 2000
        dr = self.r_max / n
        integral = sum(4.0 * math.pi * ((i + 0.5) * dr) ** 2 * self.shape(((i + 0.5) * dr) ** 2) * dr for i in range(n))
        self.rho0 = self.a / integral  # fm^-3
        self.p_fermi0 = self.p_fermi(1.0)
        self.proton_share = self.z / self.a

    def shape(self, r2: float) -> float:
        """``rho(r)/rho0`` at ``r^2`` (fm^2)."""
        x = (math.sqrt(r2) - self.c) / self.diffuseness
        return 0.0 if x > 700.0 else 1.0 / (1.0 + math.exp(x))

    def p_fermi(self, shape: float) -> float:
        """GeV/c, the local Fermi momentum where ``rho/rho0 = shape``."""
        return _HBARC * (1.5 * math.pi ** 2 * self.rho0 * shape) ** (1.0 / 3.0)


def _isotropic(rand, r: float) -> tuple[float, float, float]:
    """A vector of length ``r`` in a uniformly random direction (``cos theta``, then ``phi``
    from ``rand``). With ``r = p_F u^(1/3)`` (``u`` uniform): a momentum uniform in the Fermi
    sphere."""
    cth = 2.0 * rand.random() - 1.0
    sth = math.sqrt(max(1.0 - cth * cth, 0.0))
    phi = 2.0 * math.pi * rand.random()
    return r * sth * math.cos(phi), r * sth * math.sin(phi), r * cth


def _boost(px, py, pz, e, bx, by, bz):
    """The four-momentum boosted by velocity ``b``."""
    b2 = bx * bx + by * by + bz * bz
    if b2 <= 0.0:
        return px, py, pz, e
    g = 1.0 / math.sqrt(1.0 - b2)
    bp = bx * px + by * py + bz * pz
    c = (g - 1.0) / b2 * bp + g * e
    return px + c * bx, py + c * by, pz + c * bz, g * (e + bp)


def _rotation_from_z(dx, dy, dz):
    """The rows of the rotation taking +z to the unit vector ``d`` (Rodrigues)."""
    if dz < -1.0 + 1e-12:
        return (1.0, 0.0, 0.0), (0.0, -1.0, 0.0), (0.0, 0.0, -1.0)
    k = 1.0 / (1.0 + dz)
    return ((1.0 - dx * dx * k, -dx * dy * k, dx),
            (-dx * dy * k, 1.0 - dy * dy * k, dy),
            (-dx, -dy, dz))


#: The process's Pythia hadron-nucleon generators and their cross-section tables, by beam pair
#: (False: Pythia has none for it). A generator is reseeded by each cascade that first uses it,
#: so results do not depend on which cascades ran before in the same process.
_GENERATORS: dict = {}
_SIGMA_TABLES: dict = {}


class IntranuclearCascade:
    """The intranuclear cascade (module docstring), with Pythia hadron-nucleon generators (one
    per beam pair, shared by the process, reseeded from ``seed`` and the pair on first use) and
    its own random stream, seeded from ``seed``.

    ``cross`` takes the products of one hadron-nucleus collision (engine stack entries
    ``(pdg, mass, p3, pos, t, generation)``) and returns those leaving the nucleus; the energy
    it moves is booked in the engine's ledger: the Fermi-sea nucleons struck
    (``struck_nucleons``), what stays in the nucleus (``nuclear``), Pythia's non-conservation
    (``imbalance``).
    """

    def __init__(self, model: NuclearModel, pdata, seed: int):
        """``model``: :class:`~.pythia.NuclearModel`; ``pdata``: Pythia's particle data (for
        masses)."""
        self.model = model
        self.pdata = pdata
        self.rand = random.Random(int(seed) * 7919 + 17)
        self._seed = int(seed)
        self._gen: dict = {}
        self._tables: dict = {}
        self._nuclei: dict = {}
        self._mass: dict = {}
        self.counts = {"collisions": 0, "blocked": 0, "absorbed": 0, "trapped": 0}

    # ---------------------------------------------------------------- look-ups

    def nucleus(self, z: int, a: int) -> Nucleus:
        nuc = self._nuclei.get((z, a))
        if nuc is None:
            nuc = self._nuclei[(z, a)] = Nucleus(z, a)
        return nuc

    def _generator(self, pid: int, nid: int):
        """Pythia's low-energy collisions of ``pid`` on nucleon ``nid`` (False if it has none),
        reseeded on this cascade's first use."""
        g = self._gen.get((pid, nid))
        if g is None:
            g = _GENERATORS.get((pid, nid))
            if g is None:
                g = _GENERATORS[(pid, nid)] = hadron_nucleon_generator(pid, nid, _ECM_MAX)
            if g:
                g.rndm.init((self._seed * 1_000_003 + abs(pid) * 7 + (pid < 0) * 3 + nid) % 900_000_000 or 1)
            self._gen[(pid, nid)] = g
        return g

    def _table(self, pid: int, nid: int, m: float):
        """Pythia's total ``pid``-nucleon cross section (mb) on the CM-energy grid from the
        pair's threshold: ``(ecm0, values)``; None if Pythia has no generator for the pair."""
        key = (pid, nid)
        tab = _SIGMA_TABLES.get(key)
        if tab is None:
            g = self._generator(pid, nid)
            if not g:
                tab = False
            else:
                e0 = m + _M_N
                n = int((_ECM_MAX - e0) / _ECM_STEP) + 1
                vals = [max(g.getSigmaTotal(pid, nid, e0 + i * _ECM_STEP, m, _M_N), 0.0) for i in range(n)]
                tab = (e0, vals)
            _SIGMA_TABLES[key] = tab
        self._generator(pid, nid)
        return tab or None

    def _m(self, pid: int) -> float:
        m = self._mass.get(pid)
        if m is None:
            m = self._mass[pid] = self.pdata.m0(pid)
        return m

    # ---------------------------------------------------------------- the cascade

    def start_point(self, nuc: Nucleus, d: tuple, sigma_hn: float) -> tuple:
        """Where a hadron moving along the unit vector ``d`` (nucleus frame) first collides,
        with hadron-nucleon cross section ``sigma_hn`` (mb): impact parameter uniform over the
        disk, depth along ``d`` through the density, drawn again until it collides."""
        rand = self.rand
        lam = 1.0 / (nuc.rho0 * max(sigma_hn, 1.0) * _MB_TO_FM2)
        rm = nuc.r_max
        ux, uy, uz = (1.0, 0.0, 0.0) if abs(d[0]) < 0.9 else (0.0, 1.0, 0.0)  # a unit vector off d
        ex = (uy * d[2] - uz * d[1], uz * d[0] - ux * d[2], ux * d[1] - uy * d[0])
        n = math.sqrt(ex[0] ** 2 + ex[1] ** 2 + ex[2] ** 2)
        ex = (ex[0] / n, ex[1] / n, ex[2] / n)
        ey = (d[1] * ex[2] - d[2] * ex[1], d[2] * ex[0] - d[0] * ex[2], d[0] * ex[1] - d[1] * ex[0])
        for _ in range(10_000):
            b = rm * math.sqrt(rand.random())
            phi = 2.0 * math.pi * rand.random()
            bx, by = b * math.cos(phi), b * math.sin(phi)
            half = math.sqrt(rm * rm - b * b)
            s = -half
            while True:
                s += rand.expovariate(1.0) * lam
                if s >= half:
                    break
                if rand.random() < nuc.shape(b * b + s * s):
                    return tuple(bx * ex[i] + by * ey[i] + s * d[i] for i in range(3))
        return (0.0, 0.0, 0.0)

    def cross(self, items: list, z: int, a: int, sigma_hn: float, direction: tuple, ledger: dict,
              start: tuple | None = None) -> list:
        """The entries of ``items`` (made by a collision of a hadron moving along ``direction``
        with cross section ``sigma_hn`` on nucleus ``(z, a)``; or, with ``start`` (fm), entering
        the nucleus there with no formation length), as they leave the nucleus."""
        if a < 4:
            return items
        nuc = self.nucleus(z, a)
        fresh = start is None
        if fresh:
            start = self.start_point(nuc, direction, sigma_hn)
        model = self.model
        v0 = math.hypot(nuc.p_fermi0, _M_N) - _M_N + model.separation_energy
        live = [(it, start, fresh) for it in items]
        out = []
        while live:
            it, x, fresh = live.pop()
            pid, m, p3, pos, t, gen = it
            if pid in _EM or m <= 0.0:
                out.append(it)
                continue
            if pid in _NUCLEONS:
                pm = math.sqrt(p3[0] ** 2 + p3[1] ** 2 + p3[2] ** 2)
                t_kin = math.hypot(pm, m) - m
                if t_kin <= v0:  # below the well: it stays (not followed)
                    ledger["nuclear"] += t_kin + m
                    self.counts["trapped"] += 1
                    continue
            made = self._transport(it, x, fresh, nuc, ledger)
            if made is None:  # it left
                if pid in _NUCLEONS:
                    ledger["nuclear"] += v0
                    f = math.sqrt((t_kin - v0) * (t_kin - v0 + 2.0 * m)) / pm
                    it = (pid, m, (p3[0] * f, p3[1] * f, p3[2] * f), pos, t, gen)
                out.append(it)
                continue
            where, prods = made
            for q in prods:
                live.append(((q[0], q[1], q[2], pos, t, gen), where, False))
        return out

    def _transport(self, it, x, fresh, nuc: Nucleus, ledger: dict):
        """Follow one hadron from ``x`` (fm) through ``nuc``: None if it leaves, else the point
        of its interaction and the products ``[(pdg, mass, p3)]`` (ledger booked)."""
        pid, m, p3, *_ = it
        pm = math.sqrt(p3[0] ** 2 + p3[1] ** 2 + p3[2] ** 2)
        if pm <= 0.0:
            return None
        d = (p3[0] / pm, p3[1] / pm, p3[2] / pm)
        rm2 = nuc.r_max ** 2
        xx, xy, xz = x
        if fresh:
            s = self.model.formation_time * pm / m
            xx, xy, xz = xx + s * d[0], xy + s * d[1], xz + s * d[2]
        if xx * xx + xy * xy + xz * xz >= rm2 and xx * d[0] + xy * d[1] + xz * d[2] >= 0.0:
            return None  # formed outside the nucleus
        tabs = self._tables.get(pid)
        if tabs is None:
            tabs = self._tables[pid] = [self._table(pid, nid, m) for nid in _NUCLEONS]
        if tabs[0] is None and tabs[1] is None:
            return None
        gens = [self._gen[(pid, nid)] for nid in _NUCLEONS]
        e = math.hypot(pm, m)
        # the majorant: the largest cross section within reach of the Fermi motion
        pf = nuc.p_fermi0
        en = math.hypot(pf, _M_N)
        s_hi = m * m + _M_N * _M_N + 2.0 * (e * en + pm * pf)
        # the lowest: a nucleon moving along at pf, or at the projectile's velocity (threshold)
        s_lo = (m + _M_N) ** 2 if pm / e <= pf / en else m * m + _M_N * _M_N + 2.0 * (e * en - pm * pf)
        major = 0.0
        for tab in tabs:
            if tab is None:
                continue
            e0, vals = tab
            i0 = max(int((math.sqrt(max(s_lo, 0.0)) - e0) / _ECM_STEP), 0)
            i1 = min(int((math.sqrt(s_hi) - e0) / _ECM_STEP) + 1, len(vals) - 1)
            if i0 <= i1:
                major = max(major, max(vals[i0:i1 + 1]))
        if major <= 0.0:
            return None
        lam = 1.0 / (nuc.rho0 * major * _MB_TO_FM2)
        rand = self.rand
        share_p = nuc.proton_share
        while True:
            step = rand.expovariate(1.0) * lam
            xx, xy, xz = xx + step * d[0], xy + step * d[1], xz + step * d[2]
            r2 = xx * xx + xy * xy + xz * xz
            if r2 >= rm2 and xx * d[0] + xy * d[1] + xz * d[2] >= 0.0:
                return None
            shape = nuc.shape(r2)
            if rand.random() >= shape:
                continue
            k = 0 if rand.random() < share_p else 1
            tab = tabs[k]
            if tab is None:
                continue
            nid = _NUCLEONS[k]
            pf_here = nuc.p_fermi(shape)
            pn = pf_here * rand.random() ** (1.0 / 3.0)
            nx, ny, nz = _isotropic(rand, pn)
            en = math.sqrt(pn * pn + _M_N * _M_N)
            tot = (p3[0] + nx, p3[1] + ny, p3[2] + nz, e + en)
            ecm = math.sqrt(max(tot[3] ** 2 - tot[0] ** 2 - tot[1] ** 2 - tot[2] ** 2, 0.0))
            e0, vals = tab
            i = int((ecm - e0) / _ECM_STEP)
            if not 0 <= i < len(vals) or rand.random() * major >= vals[i]:
                continue
            prods = None
            absorbed = False
            if pid in _PIONS and rand.random() < self._absorption_probability(ecm, m, shape):
                prods = self._absorb(pid, nid, tot, pf_here)
                absorbed = prods is not None
            if prods is None:
                prods = self._collide(gens[k], p3, e, tot, ecm)
                if prods is None:
                    continue
            if any(q[0] in _NUCLEONS and q[2][0] ** 2 + q[2][1] ** 2 + q[2][2] ** 2 < pf_here * pf_here
                   for q in prods):
                self.counts["blocked"] += 1
                continue
            self.counts["collisions"] += 1
            e_in = tot[3]
            ledger["struck_nucleons"] += en
            if absorbed:
                self.counts["absorbed"] += 1
                ledger["struck_nucleons"] += prods[-1][3]
                e_in += prods[-1][3]
                prods = [q[:3] for q in prods]
            e_out = sum(math.sqrt(q[2][0] ** 2 + q[2][1] ** 2 + q[2][2] ** 2 + q[1] * q[1]) for q in prods)
            ledger["imbalance"] += e_out - e_in
            return (xx, xy, xz), prods

    def _absorption_probability(self, ecm: float, m: float, shape: float) -> float:
        """``G_abs / (G_abs + G_piN)`` at the pi N CM energy ``ecm`` where ``rho/rho0 = shape``."""
        s = ecm * ecm
        q2 = (s - (_M_N + m) ** 2) * (s - (_M_N - m) ** 2) / (4.0 * s)
        g_pin = _DELTA_WIDTH * (max(q2, 0.0) ** 1.5) / _DELTA_Q ** 3
        g_abs = self.model.absorption_width * shape
        return g_abs / (g_abs + g_pin) if g_abs > 0.0 else 0.0

    def _collide(self, g, p3, e, tot, ecm):
        """Pythia's collision (generator ``g``) at ``ecm``, in the nucleus frame; None if it fails."""
        if ecm >= _ECM_MAX or not g.setKinematics(ecm) or not g.next():
            return None
        bx, by, bz = tot[0] / tot[3], tot[1] / tot[3], tot[2] / tot[3]
        cx, cy, cz, _ = _boost(p3[0], p3[1], p3[2], e, -bx, -by, -bz)
        c = math.sqrt(cx * cx + cy * cy + cz * cz)
        r0, r1, r2 = _rotation_from_z(cx / c, cy / c, cz / c)
        ev = g.event
        prods = []
        for j in range(ev.size()):
            q = ev[j]
            if q.status() <= 0:
                continue
            vx, vy, vz = q.px(), q.py(), q.pz()
            px = r0[0] * vx + r0[1] * vy + r0[2] * vz
            py = r1[0] * vx + r1[1] * vy + r1[2] * vz
            pz = r2[0] * vx + r2[1] * vy + r2[2] * vz
            lx, ly, lz, _ = _boost(px, py, pz, q.e(), bx, by, bz)
            prods.append((q.id(), q.m(), (lx, ly, lz)))
        return prods

    def _absorb(self, pid, nid, tot, pf):
        """``pi N N -> N N`` on the quasi-deuteron of the struck nucleon ``nid`` (its four-momentum
        with the pion's is ``tot``) and one of the other isospin from the Fermi sea:
        ``[(pdg, mass, p3), (pdg, mass, p3, energy of the second nucleon)]``, None if the two
        cannot be nucleons."""
        rand = self.rand
        pn = pf * rand.random() ** (1.0 / 3.0)
        nx, ny, nz = _isotropic(rand, pn)
        en = math.sqrt(pn * pn + _M_N * _M_N)
        p4 = (tot[0] + nx, tot[1] + ny, tot[2] + nz, tot[3] + en)
        w2 = p4[3] ** 2 - p4[0] ** 2 - p4[1] ** 2 - p4[2] ** 2
        charge = {211: 1, -211: -1, 111: 0}[pid] + 1  # (the pair p n carries charge 1)
        ids = {0: (2112, 2112), 1: (2212, 2112), 2: (2212, 2212)}[charge]
        ma, mb = self._m(ids[0]), self._m(ids[1])
        if w2 <= (ma + mb) ** 2:
            return None
        w = math.sqrt(w2)
        q = math.sqrt((w2 - (ma + mb) ** 2) * (w2 - (ma - mb) ** 2)) / (2.0 * w)
        vx, vy, vz = _isotropic(rand, q)
        bx, by, bz = p4[0] / p4[3], p4[1] / p4[3], p4[2] / p4[3]
        la = _boost(vx, vy, vz, math.hypot(q, ma), bx, by, bz)
        lb = _boost(-vx, -vy, -vz, math.hypot(q, mb), bx, by, bz)
        return [(ids[0], ma, la[:3]), (ids[1], mb, lb[:3], en)]


def absorption_cross_section(inc: IntranuclearCascade, z: int, a: int, pdg: int, t_kin: float,
                             n: int) -> tuple[float, float]:
    """The pion absorption cross section (mb) of nucleus ``(z, a)`` in the model, and its
    binomial error: ``n`` pions ``pdg`` of kinetic energy ``t_kin`` (GeV) sent along z at impact
    parameters uniform over the disk of radius ``r_max``; absorbed when no pion leaves (the
    definition of Ashery et al.)."""
    nuc = inc.nucleus(z, a)
    m = inc.pdata.m0(pdg)
    p = math.sqrt(t_kin * (t_kin + 2.0 * m))
    ledger = {"struck_nucleons": 0.0, "nuclear": 0.0, "imbalance": 0.0}
    rm = nuc.r_max
    absorbed = 0
    for _ in range(int(n)):
        b = rm * math.sqrt(inc.rand.random())
        phi = 2.0 * math.pi * inc.rand.random()
        out = inc.cross([(pdg, m, (0.0, 0.0, p), (0.0, 0.0, 0.0), 0.0, 1)], z, a, 0.0, (0.0, 0.0, 1.0), ledger,
                        start=(b * math.cos(phi), b * math.sin(phi), -rm))
        absorbed += not any(q[0] in _PIONS for q in out)
    f = absorbed / n
    area = math.pi * rm * rm * 10.0  # fm^2 -> mb
    return area * f, area * math.sqrt(f * (1.0 - f) / n)
