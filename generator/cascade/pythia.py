"""Pythia 8's hadron-nucleus machinery (``pythia8mc.PythiaCascade``) as the cascade uses it.

``PythiaCascade`` (Pythia 8.3, C. Bierlich et al., SciPost Phys. Codebases 8 (2022),
arXiv:2203.11601; the cascade interface of M. Utheim and T. Sjostrand, EPJC 82 (2022) 21,
arXiv:2108.03481) gives the inelastic hadron-nucleon cross section of any hadron at any
energy above ``e_kin_min`` (``sigmaSetuphN``), the hadron-nucleus one from it with a Glauber
count of wounded nucleons (``sigmahA``), and the hadron-nucleus collision as a chain of
hadron-nucleon ones (``nextColl``: ``SoftQCD:inelastic`` above ~10 GeV, ``LowEnergyQCD`` below).
Elastic scattering is not simulated (Pythia >= 8.316), nuclear remnants are not produced (the
struck nucleons appear as particles; binding energy is not modelled), and particles with
``c tau0 < small_tau0`` decay at once (pi0, eta, omega, rho, phi, D, Ds, tau, Sigma0...), as
in the 120 GeV tables of :mod:`fipgen.production.sources.meson_tables`.

pythia8mc is a run-time dependency; where it cannot be imported, building a beamline's
sources stops with one line naming the package.
"""

from __future__ import annotations

import contextlib
import math
import os
from dataclasses import dataclass
from pathlib import Path

from ..errors import PhysicsError

__all__ = ["PYTHIA_REQUIREMENT", "TABULATED_A", "CascadeSettings", "ExcitationSampler", "NuclearModel", "NucleusRule",
           "hadron_nucleon_generator", "nucleus_rule", "pythia_version", "init_file", "make_cascade", "quiet_stdout"]

#: The Pythia build the tables are made with (the cache key records the version read at run time).
PYTHIA_REQUIREMENT = "pythia8mc==8.317.2"

#: Mass numbers for which ``PythiaCascade`` tabulates the mean number of hadron-nucleon
#: collisions in a hadron-nucleus one (``nCollAvg``; Pythia 8.317 and 8.318,
#: ``Pythia8Plugins/PythiaCascade.h``).
TABULATED_A = (1, 2, 4, 9, 12, 14, 16, 27, 40, 56, 63, 84, 107, 129, 197, 208)


@dataclass(frozen=True)
class NuclearModel:
    """The parameters of the intranuclear cascade (:mod:`.nucleus`; recorded in the table headers
    and cache keys).

    Attributes
    ----------
    formation_time : float
        fm/c, in the rest frame of a product of the hadron-nucleus collision.
    absorption_width : float
        GeV, the pion absorption width at the central density (fitted to Ashery's data:
        :mod:`.nucleus`, ``scripts/validate_cascade.py --only nuclear``).
    separation_energy : float
        GeV, the nucleon separation energy added to the Fermi energy for the well depth.
    """

    formation_time: float = 1.0
    absorption_width: float = 0.18
    separation_energy: float = 0.008

    def as_dict(self) -> dict:
        return {"formation_time_fm": self.formation_time, "absorption_width_GeV": self.absorption_width,
                "separation_energy_GeV": self.separation_energy}


@dataclass(frozen=True)
class CascadeSettings:
    """Settings of the hadron cascade (all recorded in the table headers and the cache key).

    Attributes
    ----------
    e_kin_min : float
        GeV. Hadrons below this kinetic energy do not interact with nuclei (Pythia's
        ``eKinMin``; 0.2 GeV: below the default 0.3 some low-energy collisions fail and are
        retried, see :mod:`.engine`).
    enhance_sd_target : float
        Pythia's ``enhanceSDtarget`` (target-side single diffraction in later subcollisions).
    small_tau0 : float
        mm/c: particles with a shorter ``c tau0`` decay at their production point.
    nn_isospin : bool
        Draw the charges of the ``p p`` and ``n n`` excitations of Pythia's low-energy model
        by isospin (:mod:`.isospin`); False keeps Pythia's (``p p -> p Delta+`` only).
    pn_isospin : bool
        The same for ``p n`` excitations, a mixture of ``I = 1`` and ``I = 0`` (:mod:`.isospin`;
        needs ``nn_isospin``); False keeps Pythia's.
    nucleus_interpolation : bool
        Interpolate Pythia's collision counts for mass numbers it does not tabulate as Pythia
        means to (:class:`NucleusRule`); False takes ``sigmahA(A)`` and ``nextColl(Z, A)`` as
        they are (for tungsten 2.5x the measured cross section).
    intranuclear : bool
        Follow the products of each hadron-nucleus collision through the struck nucleus
        (:mod:`.nucleus`: rescattering, pion absorption, Pauli blocking, binding); False leaves
        them as Pythia makes them (on free nucleons at rest).
    nuclear : NuclearModel
        The intranuclear cascade's parameters.
    """

    e_kin_min: float = 0.2
    enhance_sd_target: float = 0.5
    small_tau0: float = 10.0
    nn_isospin: bool = True
    pn_isospin: bool = True
    nucleus_interpolation: bool = True
    intranuclear: bool = True
    nuclear: NuclearModel = NuclearModel()

    @property
    def pythia_tau0(self) -> float:
        """mm/c: what ``PythiaCascade`` decays at once. With the intranuclear cascade only the
        resonances (``c tau0 < 10 fm``: rho, K*, Delta...); pi0, eta, omega... cross the nucleus
        first and the cascade decays them (``small_tau0``) as they leave it."""
        return min(self.small_tau0, 1e-11) if self.intranuclear else self.small_tau0

    def as_dict(self) -> dict:
        out = {"e_kin_min_GeV": self.e_kin_min, "enhance_sd_target": self.enhance_sd_target,
               "small_tau0_mm": self.small_tau0, "nn_isospin": self.nn_isospin,
               "pn_isospin": self.pn_isospin and self.nn_isospin, "nucleus_interpolation": self.nucleus_interpolation}
        if self.intranuclear:  # (absent when off: tables made before the key existed keep their content keys)
            out["intranuclear"] = self.nuclear.as_dict()
        return out


@dataclass(frozen=True)
class NucleusRule:
    """How the cascade asks Pythia about a nucleus of mass number ``a`` that ``PythiaCascade``
    does not tabulate.

    ``sigmahA(A) = A sigma_hN / <n_coll>(A)``, with ``<n_coll>`` tabulated for the mass numbers
    of :data:`TABULATED_A` and, in between, meant to be interpolated as
    ``1 + w (A/A1)^(2/3) n1 + (1 - w)(A/A2)^(2/3) n2`` (``n_i = <n_coll>(A_i) - 1``,
    ``w = (A2 - A)/(A2 - A1)``). Pythia computes ``A/A1`` and ``A/A2`` in integer arithmetic
    (8.317 and 8.318), so ``(A/A2)^(2/3)`` is 0 and ``(A/A1)^(2/3)`` is 1 below ``2 A1``: for
    tungsten (A = 184) ``sigmahA`` is 3923 mb at 8.89 GeV/c against 1592 mb from the PDG
    interaction length, for lead (207) 5057 against 1722 mb. The rule recovers each ``n_i``
    from Pythia's own ``sigmahA(A_i)`` and ``sigmahA(1) = sigma_hN`` and interpolates in real
    arithmetic (:meth:`sigma`), and collides on the tabulated neighbour closest in
    ``A^(2/3)`` with the same proton fraction (``collision``), whose number of subcollisions
    is Pythia's own.

    Attributes
    ----------
    a : int
        The mass number.
    a1, a2 : int
        The tabulated neighbours (``a1 < a < a2``).
    c1, c2 : float
        ``w (a/a1)^(2/3)`` and ``(1 - w)(a/a2)^(2/3)``.
    a_coll : int
        The tabulated mass number ``nextColl`` is asked for.
    """

    a: int
    a1: int
    a2: int
    c1: float
    c2: float
    a_coll: int

    def sigma(self, sigma_ha) -> float:
        """The hadron-nucleus cross section (mb) from Pythia's ``sigmahA`` (the bound method,
        after ``sigmaSetuphN``) at the neighbours and at A = 1."""
        s_hn = sigma_ha(1)
        if s_hn <= 0.0:
            return 0.0
        n1 = self.a1 * s_hn / sigma_ha(self.a1) - 1.0
        n2 = self.a2 * s_hn / sigma_ha(self.a2) - 1.0
        return self.a * s_hn / (1.0 + self.c1 * n1 + self.c2 * n2)

    def collision(self, z: int) -> tuple[int, int]:
        """``(Z, A)`` to give ``nextColl`` for a nucleus of charge ``z``."""
        return max(1, min(self.a_coll, int(round(z * self.a_coll / self.a)))), self.a_coll


def nucleus_rule(a: int) -> NucleusRule | None:
    """The :class:`NucleusRule` of mass number ``a``; None where Pythia tabulates it (or
    beyond its range, 1-208)."""
    a = int(a)
    if a in TABULATED_A or not TABULATED_A[0] < a < TABULATED_A[-1]:
        return None
    i = next(k for k, t in enumerate(TABULATED_A) if a < t)
    a1, a2 = TABULATED_A[i - 1], TABULATED_A[i]
    w = (a2 - a) / (a2 - a1)
    near = min((a1, a2), key=lambda t: abs(t ** (2.0 / 3.0) - a ** (2.0 / 3.0)))
    return NucleusRule(a, a1, a2, w * (a / a1) ** (2.0 / 3.0), (1.0 - w) * (a / a2) ** (2.0 / 3.0), near)


def _import():
    try:
        import pythia8mc
    except ImportError as err:  # one line, with what to install
        raise PhysicsError(f"building a beamline's particle sources needs Pythia 8 ({PYTHIA_REQUIREMENT}); "
                           f"it cannot be imported here ({err})") from None
    return pythia8mc


def pythia_version() -> str:
    """The installed pythia8mc version (from its distribution metadata)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("pythia8mc")
    except PackageNotFoundError:
        return "not installed"


def init_file() -> str:
    """The MPI initialisation grid ``InitDefaultMPI.cmnd`` of the pythia8mc installation."""
    pythia8mc = _import()
    cands = [Path(pythia8mc.__file__).resolve().parents[3] / "share" / "Pythia8" / "setups" / "InitDefaultMPI.cmnd"]
    if os.environ.get("PYTHIA8DATA"):
        cands.append(Path(os.environ["PYTHIA8DATA"]).parent / "setups" / "InitDefaultMPI.cmnd")
    for c in cands:
        if c.exists():
            return str(c)
    raise PhysicsError("InitDefaultMPI.cmnd of pythia8mc not found (looked in " + ", ".join(map(str, cands)) + ")")


@contextlib.contextmanager
def quiet_stdout():
    """Silence C++ writes to file descriptor 1 (Pythia's banner) for the duration."""
    import sys

    try:
        sys.stdout.flush()
        saved = os.dup(1)
    except (OSError, ValueError):  # no real stdout (captured): nothing to silence
        yield
        return
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, 1)
        yield
    finally:
        _flush_c_stdio()  # C++ cout shares C stdio's buffer: flush it while it still goes nowhere
        os.dup2(saved, 1)
        os.close(saved)
        os.close(null)


def _flush_c_stdio() -> None:
    import ctypes

    try:
        ctypes.CDLL(None).fflush(None)
    except (OSError, AttributeError):  # no C library to ask: the banner may show
        pass


def make_cascade(settings: CascadeSettings, seed: int):
    """An initialised ``pythia8mc.PythiaCascade`` whose random streams all start from ``seed``.

    ``PythiaCascade`` holds two Pythia instances (decays and the cascade record; collisions),
    each with its own generator; only the first is reachable (``rndm()``). The second reads
    its settings from the MPI initialisation file, so it is seeded by a small file that
    includes the packaged one and sets ``Random:seed``. ``slowDecays`` is on (pi+-, K+-, K0L,
    mu may be decayed by ``nextDecay``); decays with ``c tau0 < settings.pythia_tau0`` are done
    at once (``rapidDecays``).
    """
    import tempfile

    pythia8mc = _import()
    seed = int(seed) % 900_000_000 or 1
    with tempfile.TemporaryDirectory(prefix="fipgen-pythia-") as tmp:
        cmnd = Path(tmp) / "init.cmnd"
        cmnd.write_text(f"include = {init_file()}\nRandom:setSeed = on\nRandom:seed = {seed}\n")
        with quiet_stdout():  # the constructor prints Pythia's banner
            casc = pythia8mc.PythiaCascade()
            ok = casc.init(settings.e_kin_min, settings.enhance_sd_target, str(cmnd), True, settings.pythia_tau0,
                           True, False)
    if not ok:
        raise PhysicsError("PythiaCascade initialisation failed")
    casc.rndm().init(seed)
    return casc


class ExcitationSampler:
    """Pythia's ``N N -> X Y`` excitations (``LowEnergyQCD:excitation``, code 157) of ``p n``
    and ``n p`` on their own, undecayed, at any CM energy: two Pythia instances (projectile
    ``p`` or ``n``, the other nucleon at rest), seeded from ``seed``.

    Used by the cascade to draw an ``I = 0`` pair in place of one only ``I = 1`` can make
    (:mod:`.isospin`), and for the ``p p`` and ``p n`` excitation cross sections."""

    def __init__(self, seed: int):
        pythia8mc = _import()
        self._gen = {}
        for k, (a, b) in enumerate(((2212, 2112), (2112, 2212))):
            with quiet_stdout():
                py = pythia8mc.Pythia("", False)
            for line in (f"Beams:idA = {a}", f"Beams:idB = {b}", "Beams:eCM = 10.", "Beams:allowVariableEnergy = on",
                         "LowEnergyQCD:excitation = on", "HadronLevel:Decay = off", "Print:quiet = on",
                         "Random:setSeed = on", f"Random:seed = {(int(seed) * 2 + k) % 900_000_000 or 1}"):
                if not py.readString(line):
                    raise PhysicsError(f"Pythia refused the setting '{line}'")
            with quiet_stdout():
                ok = py.init()
            if not ok:
                raise PhysicsError("Pythia's excitation sampler failed to initialise")
            self._gen[a] = py
        self._m = {i: self._gen[2212].particleData.m0(i) for i in (2212, 2112)}
        self._sigma: dict = {}

    def sigma(self, id_a: int, id_b: int, ecm: float) -> float:
        """Pythia's excitation cross section (mb) of nucleons ``id_a``, ``id_b`` at ``ecm`` (GeV;
        cached on a 1 MeV grid)."""
        key = (id_a, id_b, round(ecm, 3))
        s = self._sigma.get(key)
        if s is None:
            s = self._gen[2212].getSigmaPartial(id_a, id_b, key[2], self._m[id_a], self._m[id_b], 7)
            self._sigma[key] = s
        return s

    def draw(self, projectile: int, ecm: float) -> list[tuple] | None:
        """The two states ``(id, mass, px, py, pz, e)`` of one excitation of ``projectile`` on the
        other nucleon in their CM frame (the projectile's side along +z); None if Pythia fails."""
        py = self._gen[projectile]
        if not py.setKinematics(float(ecm)) or not py.next():
            return None
        ev = py.event
        out = [(q.id(), q.m(), q.px(), q.py(), q.pz(), q.e()) for q in (ev[j] for j in range(ev.size()))
               if q.statusAbs() == 157]
        return out if len(out) == 2 else None


def hadron_nucleon_generator(pid: int, nid: int, ecm_max: float):
    """An initialised Pythia of ``pid`` on nucleon ``nid`` (the intranuclear cascade's), all
    low-energy processes (``LowEnergyQCD:all``) at any CM energy up to ``ecm_max`` (GeV), only
    the resonances (``c tau0 < 10 fm``) decayed; False if Pythia refuses the pair."""
    pythia8mc = _import()
    with quiet_stdout():
        g = pythia8mc.Pythia("", False)
    for line in (f"Beams:idA = {pid}", f"Beams:idB = {nid}", f"Beams:eCM = {ecm_max}",
                 "Beams:allowVariableEnergy = on", "LowEnergyQCD:all = on", "ParticleDecays:limitTau0 = on",
                 "ParticleDecays:tau0Max = 1e-11", "Print:quiet = on", "Next:numberCount = 0"):
        g.readString(line)
    with quiet_stdout():
        ok = g.init()
    return g if ok else False


def vec4(px: float, py: float, pz: float, e: float):
    """A ``pythia8mc.Vec4``."""
    return _import().Vec4(px, py, pz, e)


def vec4_class():
    """The ``pythia8mc.Vec4`` class itself (for loops making many four-vectors)."""
    return _import().Vec4


def c_tau_m(casc, pdg: int) -> float:
    """``c tau0`` in metres (inf for stable particles)."""
    pd = casc.particleData()
    if not pd.mayDecay(pdg):
        return math.inf
    t = pd.tau0(pdg)
    return t * 1e-3 if t > 0 else math.inf
