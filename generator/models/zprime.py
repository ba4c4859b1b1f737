"""Z' models: dark photon, B-L, B and generic vector couplings; widths, BRs, c*tau.

A vector ``Z'`` of mass ``m`` couples to each SM fermion with ``g x_f`` (vector current).
``kind`` fixes the charges ``x_f``:

========================  ==================================  =====================================
kind                      charges                             global coupling ``g``
========================  ==================================  =====================================
``"dark-photon"``         ``x_f = Q_f`` (no neutrinos)        ``epsilon * e``, ``e = sqrt(4 pi alpha)``
``"B-L"``                 leptons and nu_L ``-1``, quarks 1/3  ``coupling``
``"B"``                   quarks 1/3, charged leptons         ``coupling``
                          ``-alpha/(4 pi)`` (loop-induced
                          mixing, as DarkCast B_boson.py)
``"generic"``             ``charges`` (per fermion)           ``coupling``
========================  ==================================  =====================================

Widths (docs/physics.md#z-decays; DarkCast, Ilten, Soreq, Williams, Xue, arXiv:1801.04847 sec. 2):

* ``f fbar`` (docs/physics.md#z-decays; eq. 2.13 of arXiv:1801.04847 as DarkCast's code labels it):
  ``Gamma = C_f g^2 x_f^2 m/(12 pi) (1 + 2 mu) sqrt(1 - 4 mu)``, ``mu = m_f^2/m^2``, ``C_f`` = 1
  charged leptons, 3 quarks, 1/2 per left-handed neutrino flavour (channels ``"nu_e nu_e"`` ...;
  only ``nu_L`` is charged). DarkCast's code (``model.py``, db9a0f6) writes ``(1 + mu)``; we keep
  the standard vector width ``(1 + 2 mu)`` of docs/physics.md#z-decays (they differ only near threshold:
  Gamma(mu mu) 11 % at 0.3 GeV, 4 % at 0.5 GeV; tests/reference pins the difference).
* Hadrons below :data:`M_JOIN` = 2 GeV: DarkCast's vector-meson-dominance description
  (eqs. 2.15, 2.17, 2.18 and A.1, as labelled in DarkCast's ``model.py``/``pars.py``): ``Gamma(F) = g^2 m/(12 pi) [sum_V c_V^2 R^F_V + 2 c_omega c_phi R^F_omega_phi]``
  with the family coefficients ``c_rho = x_u - x_d``, ``c_omega = 3 (x_u + x_d)``,
  ``c_phi = 3 x_s`` (DarkCast ``pars.rvs`` = 2, 6, 3 sqrt2 times ``Tr[T_V Q]`` with
  ``T_rho = diag(1,-1,0)/2``, ``T_omega = diag(1,1,0)/2``, ``T_phi = diag(0,0,1)/sqrt2``). Only
  ``pi+ pi- pi0`` has an omega-phi interference term. For the dark photon ``c = (1, 1, -1)`` and
  the sum is the measured ``R(m)``, so ``Gamma(had) = R(m) Gamma(mu mu)`` with massless muons.
  The ``R^F_V`` come from the package table ``generator/data/darkcast/vmd_rf.csv.gz`` (DarkCast's
  fitted tables, GPL-2.0-or-later; README there), interpolated linearly. The omega (-> 3 pi,
  pi0 gamma) contributions start at their thresholds (0.4195 and 0.14 GeV): no hard 770 MeV cut.
  Partial widths that come out negative by fit noise (< 1e-3 of R) are set to 0. (DarkCast
  itself holds each table at its 2 GeV value above 2 GeV; we switch to perturbative quarks.)
* Hadrons at and above :data:`M_JOIN`: perturbative quarks u, d, s, c, b with ``C_q = 3`` and the
  O(alpha_s) correction ``1 + alpha_s(m)/pi`` (one-loop running from alpha_s(m_Z) = 0.1180 with
  thresholds at m_b = 4.18, m_c = 1.27 GeV), quark masses as in DarkCast ``pars.mfs``
  (u, d 0.33; s 0.5; c 1.5; b 4.8 GeV) for the kinematic factor. The join is at the end of
  DarkCast's tables. The step there, in ``R = Gamma(had)/(g^2 m/(12 pi))``: dark photon
  2.180 (VMD) -> 2.153 (perturbative), -1.3 % of the hadronic and -0.7 % of the total width;
  B-L and B 1.000 -> 1.073, +7.3 % of the hadronic width (+1.6 % of the B-L total), within the
  VMD fit's uncertainty (tests/test_zprime.py pins these bounds).
* ``N N`` (an HNL of charge ``hnl_charge``, mass ``hnl_mass``): Majorana (default)
  ``Gamma = g^2 x_N^2 m (1 - 4 m_N^2/m^2)^(3/2) / (24 pi)`` (docs/physics.md#z-decays; the vector current of
  a Majorana field vanishes, only the axial part ``(g x_N/2) N-bar gamma^mu gamma5 N`` survives:
  p-wave ``beta^3``, identical-particle 1/2). Dirac variant (``hnl_majorana=False``, both
  chiralities with charge ``x_N``, vector coupling): ``g^2 x_N^2 m/(12 pi) (1 + 2 mu_N) beta``.

Channels (notation of :mod:`fipgen.models.base`): ``"e+ e-"``, ``"mu+ mu-"``, ``"tau+ tau-"``,
``"nu_e nu_e"``, ``"nu_mu nu_mu"``, ``"nu_tau nu_tau"`` (invisible), ``"pi+ pi-"``,
``"pi+ pi- pi0"``, ``"pi0 gamma"``, ``"K+ K-"``, ``"K_S0 K_L0"``, ``"pi+ pi- pi+ pi-"``,
``"pi+ pi- pi0 pi0"`` (kind ``"four-body"``), ``"hadrons"`` (inclusive, no daughters listed: below
2 GeV DarkCast's ``K K pi`` and ``other`` final states, at and above 2 GeV all quark-level
hadronic width) and ``"N N"``. DarkCast's ``K_K`` (phi family) is split into ``K+ K-`` and
``K_S0 K_L0`` (a vector gives K0 K0bar = KS KL only) by the p-wave phase space ``beta^3`` of each
(isospin-symmetric couplings; 0.60 : 0.40 at the phi mass against the PDG 0.59 : 0.41), which
also keeps each channel closed below its own threshold. A channel appears in :meth:`channels`
when its coupling can be non-zero (no neutrinos for the dark photon, no ``N N`` without
``hnl_mass``).

Validity: ``0 < m <= 10`` GeV (:data:`M_MAX`; the dark photon and B need ``m > 2 m_e``). Not modelled:
charmonium/bottomonium resonances above the join, ``A' -> 3 gamma`` below ``2 m_e``, Z mixing.

PDG Monte Carlo code: :data:`fipgen.constants.PDG_ZPRIME` (32).
"""

from __future__ import annotations

import gzip
import math
import numbers
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import ClassVar

import numpy as np

from .. import constants as C
from ..errors import PhysicsError
from .base import Channel, DecayingParticle

__all__ = [
    "ZPrime",
    "DarkPhoton",
    "LEGACY_NAMES",
    "KINDS",
    "FERMIONS",
    "M_JOIN",
    "M_MAX",
    "lepton_pair_width",
    "vector_width",
    "hnl_pair_width",
    "vmd_table",
    "family_coefficients",
    "alpha_s",
]

#: Old (pipeline v0) channel names -> base.py names, for the pipeline's migration.
LEGACY_NAMES = {"e+e-": "e+ e-", "mu+mu-": "mu+ mu-"}

#: Z' kinds.
KINDS = ("dark-photon", "B-L", "B", "generic")
#: Fermions that carry a charge (keys of ``charges``).
FERMIONS = ("u", "d", "s", "c", "b", "e", "mu", "tau", "nu_e", "nu_mu", "nu_tau")

#: Mass (GeV) where the hadronic widths switch from DarkCast VMD to perturbative quarks
#: (end of DarkCast's tables).
M_JOIN = 2.0
#: Highest mass (GeV) this model covers (no quarkonium resonances, no Z mixing).
M_MAX = 10.0

_Q = {"u": 2 / 3, "c": 2 / 3, "d": -1 / 3, "s": -1 / 3, "b": -1 / 3, "e": -1.0, "mu": -1.0, "tau": -1.0,
      "nu_e": 0.0, "nu_mu": 0.0, "nu_tau": 0.0}
_CHARGES = {
    "dark-photon": _Q,
    "B-L": {"u": 1 / 3, "d": 1 / 3, "s": 1 / 3, "c": 1 / 3, "b": 1 / 3,
            "e": -1.0, "mu": -1.0, "tau": -1.0, "nu_e": -1.0, "nu_mu": -1.0, "nu_tau": -1.0},
    # leptons: the loop-induced charge -e^2/(16 pi^2) = -alpha/(4 pi) of DarkCast's B_boson.py
    "B": {"u": 1 / 3, "d": 1 / 3, "s": 1 / 3, "c": 1 / 3, "b": 1 / 3,
          "e": -C.ALPHA_EM / (4 * math.pi), "mu": -C.ALPHA_EM / (4 * math.pi), "tau": -C.ALPHA_EM / (4 * math.pi),
          "nu_e": 0.0, "nu_mu": 0.0, "nu_tau": 0.0},
}
# Quark masses (GeV) for the perturbative kinematic factor: DarkCast pars.mfs (arXiv:1801.04847).
_M_QUARK = {"u": 0.33, "d": 0.33, "s": 0.5, "c": 1.5, "b": 4.8}
_LEPTON_PDG = {"e": C.ELECTRON, "mu": C.MUON, "tau": C.TAU}
_NU_PDG = {"nu_e": 12, "nu_mu": 14, "nu_tau": 16}

#: Every channel a Z' can have: name -> (daughter PDG codes, kind, visible).
_ALL = {
    "e+ e-": ((-11, 11), "two-body", True),
    "mu+ mu-": ((-13, 13), "two-body", True),
    "tau+ tau-": ((-15, 15), "two-body", True),
    "nu_e nu_e": ((12, -12), "two-body", False),
    "nu_mu nu_mu": ((14, -14), "two-body", False),
    "nu_tau nu_tau": ((16, -16), "two-body", False),
    "pi+ pi-": ((211, -211), "two-body", True),
    "pi+ pi- pi0": ((211, -211, 111), "three-body", True),
    "pi0 gamma": ((111, 22), "two-body", True),
    "K+ K-": ((321, -321), "two-body", True),
    "K_S0 K_L0": ((310, 130), "two-body", True),
    "pi+ pi- pi+ pi-": ((211, -211, 211, -211), "four-body", True),
    "pi+ pi- pi0 pi0": ((211, -211, 111, 111), "four-body", True),
    "hadrons": ((), "inclusive", True),
    "N N": ((C.PDG_HNL, C.PDG_HNL), "two-body", True),
}
_HADRONIC = ("pi+ pi-", "pi+ pi- pi0", "pi0 gamma", "K+ K-", "K_S0 K_L0", "pi+ pi- pi+ pi-",
             "pi+ pi- pi0 pi0", "hadrons")
_DP_CHANNELS = ("e+ e-", "mu+ mu-", "tau+ tau-") + _HADRONIC

# DarkCast final state -> our channel; "K_K" (None) is split into K+ K- and K_S0 K_L0 (module docstring).
_VMD_STATES = {
    "pi+_pi-": "pi+ pi-",
    "pi+_pi-_pi+_pi-": "pi+ pi- pi+ pi-",
    "pi+_pi-_pi0_pi0": "pi+ pi- pi0 pi0",
    "pi+_pi-_pi0": "pi+ pi- pi0",
    "pi0_gamma": "pi0 gamma",
    "K_K": None,
    "K_K_pi": "hadrons",
    "other": "hadrons",
}


def _check_number(owner: str, name: str, v, positive: bool = True) -> float:
    if not isinstance(v, numbers.Real) or isinstance(v, bool) or not math.isfinite(v) or (positive and v <= 0):
        need = "a finite number > 0" if positive else "a finite number"
        raise PhysicsError(f"{owner} {name} must be {need}, got {v!r}")
    return float(v)


def vector_width(mass: float, g: float, m_f: float, colour: float = 1.0) -> float:
    """Width (GeV) of a vector (mass ``mass``) into ``f fbar`` with vector coupling ``g``.

    ``C_f g^2 m/(12 pi) (1 + 2 mu) sqrt(1 - 4 mu)``, ``mu = m_f^2/m^2`` (arXiv:1801.04847 eq. 2.13;
    docs/physics.md#z-decays). ``colour`` is ``C_f``. Zero at and below threshold.
    """
    if mass <= 2.0 * m_f:
        return 0.0
    mu = (m_f / mass) ** 2
    return colour * g * g * mass / (12.0 * math.pi) * (1.0 + 2.0 * mu) * math.sqrt(1.0 - 4.0 * mu)


def lepton_pair_width(mass: float, coupling: float, m_lepton: float) -> float:
    """Dark-photon width (GeV) into a lepton pair: ``coupling^2 alpha m/3 (1 + 2 mu) sqrt(1 - 4 mu)``.

    ``coupling`` is epsilon (``g = epsilon e``); docs/physics.md#z-decays, arXiv:1801.04847 sec. 2.
    """
    return vector_width(mass, coupling * math.sqrt(4.0 * math.pi * C.ALPHA_EM), m_lepton)


def hnl_pair_width(mass: float, g: float, m_n: float, majorana: bool = True) -> float:
    """Width (GeV) of ``Z' -> N N`` for an HNL of mass ``m_n`` with coupling ``g`` (= g x_N).

    Majorana: ``g^2 m (1 - 4 m_N^2/m^2)^(3/2) / (24 pi)`` (docs/physics.md#z-decays); Dirac (vector coupling to
    both chiralities): ``g^2 m/(12 pi) (1 + 2 mu) sqrt(1 - 4 mu)``. Zero at and below threshold.
    """
    if mass <= 2.0 * m_n:
        return 0.0
    if not majorana:
        return vector_width(mass, g, m_n)
    return g * g * mass * (1.0 - 4.0 * (m_n / mass) ** 2) ** 1.5 / (24.0 * math.pi)


@lru_cache(maxsize=1)
def vmd_table() -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """DarkCast's R_mu^F table: (mass grid in GeV, {"<F>|<V>": R column}); read on first use."""
    raw = resources.files("fipgen").joinpath("data/darkcast/vmd_rf.csv.gz").read_bytes()
    lines = [ln for ln in gzip.decompress(raw).decode().splitlines() if not ln.startswith("#")]
    names = lines[0].split(",")
    data = np.array([[float(x) for x in ln.split(",")] for ln in lines[1:]])
    cols = {n: data[:, j].copy() for j, n in enumerate(names) if j > 0}
    return data[:, 0].copy(), cols


def family_coefficients(x_u: float, x_d: float, x_s: float) -> dict[str, float]:
    """DarkCast's vector-meson family coefficients ``c_V = r_V Tr[T_V Q]`` (arXiv:1801.04847 eq. 2.18).

    ``c_rho = x_u - x_d``, ``c_omega = 3 (x_u + x_d)``, ``c_phi = 3 x_s``; the dark photon gives
    (1, 1, -1).
    """
    return {"rho0": x_u - x_d, "omega": 3.0 * (x_u + x_d), "phi": 3.0 * x_s}


def alpha_s(q: float) -> float:
    """Strong coupling at scale ``q`` (GeV): one loop from alpha_s(m_Z) = 0.1180 (PDG), nf = 5/4/3
    below m_Z / m_b = 4.18 / m_c = 1.27 GeV. Used only for the ``1 + alpha_s/pi`` of the
    perturbative hadronic width (q >= 2 GeV)."""
    a, mu0 = 0.1180, 91.1876
    for nf, lo in ((5, 4.18), (4, 1.27), (3, 0.0)):
        stop = max(q, lo)
        b0 = (33.0 - 2.0 * nf) / (12.0 * math.pi)
        a = a / (1.0 + b0 * a * math.log(stop**2 / mu0**2))
        mu0 = stop
        if q >= lo:
            break
    return a


def _beta3(m: float, m_k: float) -> float:
    return (1.0 - 4.0 * m_k * m_k / (m * m)) ** 1.5 if m > 2.0 * m_k else 0.0


@dataclass(frozen=True)
class ZPrime(DecayingParticle):
    """A vector Z' coupled to SM fermions (and optionally an HNL); see the module docstring.

    Parameters
    ----------
    mass : float
        Mass in GeV, ``0 < mass <= 10`` (:data:`M_MAX`).
    coupling : float
        Global coupling ``g`` (dimensionless; for ``kind="dark-photon"`` the kinetic mixing
        epsilon, the couplings being ``epsilon e Q_f``).
    kind : str
        ``"dark-photon"``, ``"B-L"``, ``"B"`` or ``"generic"``.
    charges : tuple of (str, float)
        ``kind="generic"`` only: vector charges ``x_f`` of ``u, d, s, c, b, e, mu, tau, nu_e,
        nu_mu, nu_tau`` (missing ones are 0; neutrino charges act on nu_L only).
    hnl_mass : float or None
        Mass (GeV) of an HNL charged under the Z' (opens ``"N N"``); None: no HNL.
    hnl_charge : float
        The HNL's charge ``x_N`` (default -1, its B-L charge; set it for ``"B"``/``"generic"``).
    hnl_majorana : bool
        Majorana (default) or Dirac HNL (see :func:`hnl_pair_width`).
    """

    mass: float
    coupling: float
    kind: str = "dark-photon"
    charges: tuple[tuple[str, float], ...] = ()
    hnl_mass: float | None = None
    hnl_charge: float = -1.0
    hnl_majorana: bool = True

    particle: ClassVar[str] = "zprime"
    pdg: ClassVar[int] = C.PDG_ZPRIME
    #: PDG Monte Carlo code (kept from the v0 DarkPhoton API).
    PDG: ClassVar[int] = C.PDG_ZPRIME
    #: Every channel any Z' can have: name -> daughter PDG codes ("hadrons": none listed).
    CHANNELS: ClassVar[dict[str, tuple[int, ...]]] = {k: v[0] for k, v in _ALL.items()}

    def __post_init__(self) -> None:
        owner = type(self).__name__
        object.__setattr__(self, "mass", _check_number(owner, "mass", self.mass))
        object.__setattr__(self, "coupling", _check_number(owner, "coupling", self.coupling))
        if self.kind not in KINDS:
            raise PhysicsError(f"{owner} kind must be one of {', '.join(KINDS)}, got {self.kind!r}")
        ch = tuple(self.charges.items()) if isinstance(self.charges, dict) else tuple(self.charges or ())
        if ch and self.kind != "generic":
            raise PhysicsError(f"{owner} charges are only for kind 'generic' (kind is {self.kind!r})")
        clean = []
        for item in ch:
            if not (isinstance(item, (tuple, list)) and len(item) == 2) or item[0] not in FERMIONS:
                raise PhysicsError(f"{owner} charges entries must be (fermion, charge) with fermion in {', '.join(FERMIONS)}, got {item!r}")
            clean.append((item[0], _check_number(owner, f"charge of {item[0]}", item[1], positive=False)))
        if len({f for f, _ in clean}) != len(clean):
            raise PhysicsError(f"{owner} charges name a fermion twice: {clean!r}")
        object.__setattr__(self, "charges", tuple(clean))
        if self.hnl_mass is not None:
            object.__setattr__(self, "hnl_mass", _check_number(owner, "hnl_mass", self.hnl_mass))
            if self.kind == "dark-photon":
                raise PhysicsError(f"{owner}: a dark photon does not couple to a neutral HNL (hnl_mass); use kind 'B-L' or 'generic'")
        object.__setattr__(self, "hnl_charge", _check_number(owner, "hnl_charge", self.hnl_charge, positive=False))
        if not isinstance(self.hnl_majorana, bool):
            raise PhysicsError(f"{owner} hnl_majorana must be true or false, got {self.hnl_majorana!r}")

    # -- couplings -------------------------------------------------------------------------
    @property
    def epsilon(self) -> float:
        """Kinetic mixing of a dark photon (= ``coupling``); PhysicsError for other kinds."""
        if self.kind != "dark-photon":
            raise PhysicsError(f"epsilon is defined for the dark photon only (kind is {self.kind!r})")
        return self.coupling

    @property
    def g(self) -> float:
        """Global gauge coupling: ``epsilon e`` for the dark photon, else ``coupling``."""
        if self.kind == "dark-photon":
            return self.coupling * math.sqrt(4.0 * math.pi * C.ALPHA_EM)
        return self.coupling

    def charge_of(self, fermion: str) -> float:
        """Vector charge ``x_f`` of ``fermion`` (one of :data:`FERMIONS`)."""
        if self.kind == "generic":
            return dict(self.charges).get(fermion, 0.0)
        return _CHARGES[self.kind][fermion]

    # -- validity --------------------------------------------------------------------------
    def mass_range(self) -> tuple[float, float]:
        """Open-closed interval ``(lo, hi]`` of masses (GeV) this model covers."""
        lo = 2.0 * C.mass(C.ELECTRON) if self.kind in ("dark-photon", "B") else 0.0
        return lo, M_MAX

    def validate(self) -> ZPrime:
        """Check the mass lies in :meth:`mass_range`; return ``self`` (PhysicsError, one line)."""
        lo, hi = self.mass_range()
        if not (lo < self.mass <= hi):
            raise PhysicsError(
                f"{type(self).__name__} mass {self.mass:g} GeV is outside the range this model covers: "
                f"{lo:.8g} < mass <= {hi:g} GeV"
            )
        return self

    # -- channels and widths ---------------------------------------------------------------
    def channels(self) -> dict[str, Channel]:
        """Channels this Z' can have (open or closed): name -> :class:`Channel`."""
        x = {f: self.charge_of(f) for f in FERMIONS}
        names = []
        for name, f in (("e+ e-", "e"), ("mu+ mu-", "mu"), ("tau+ tau-", "tau")):
            if x[f] != 0.0:
                names.append(name)
        for f in ("nu_e", "nu_mu", "nu_tau"):
            if x[f] != 0.0:
                names.append(f"{f} {f}")
        if any(x[q] != 0.0 for q in _M_QUARK):
            names.extend(_HADRONIC)
        if self.hnl_mass is not None and self.hnl_charge != 0.0:
            names.append("N N")
        return {n: Channel(n, _ALL[n][0], visible=_ALL[n][2], kind=_ALL[n][1]) for n in names}

    def hadronic_widths(self) -> dict[str, float]:
        """Hadronic partial widths (GeV) by channel (the hadronic keys of :meth:`partial_widths`)."""
        m, g2 = self.mass, self.g**2
        out = dict.fromkeys(_HADRONIC, 0.0)
        if m >= M_JOIN:
            k = 1.0 + alpha_s(m) / math.pi
            out["hadrons"] = k * sum(vector_width(m, self.g * self.charge_of(q), mq, 3.0) for q, mq in _M_QUARK.items())
            return out
        grid, cols = vmd_table()
        c = family_coefficients(self.charge_of("u"), self.charge_of("d"), self.charge_of("s"))
        pref = g2 * m / (12.0 * math.pi)
        for key, col in cols.items():
            state, fam = key.split("|")
            r = float(np.interp(m, grid, col, left=0.0, right=0.0))
            coef = 2.0 * c["omega"] * c["phi"] if fam == "omega_phi" else c[fam] ** 2
            w = pref * coef * r
            target = _VMD_STATES[state]
            if target is None:  # K_K: split by the p-wave phase space of K+K- and KS KL
                bc, bn = _beta3(m, C.mass(C.K_PLUS)), _beta3(m, C.mass(310))
                if bc + bn > 0:
                    out["K+ K-"] += w * bc / (bc + bn)
                    out["K_S0 K_L0"] += w * bn / (bc + bn)
            else:
                out[target] += w
        return {k: max(v, 0.0) for k, v in out.items()}

    def partial_widths(self) -> dict[str, float]:
        """Partial widths in GeV by channel (0 for closed ones); keys of :meth:`channels`."""
        self.validate()
        m, g = self.mass, self.g
        chans = self.channels()
        out = {}
        for name in chans:
            if name in ("e+ e-", "mu+ mu-", "tau+ tau-"):
                f = name.split("+")[0]
                out[name] = vector_width(m, g * self.charge_of(f), C.mass(_LEPTON_PDG[f]))
            elif name.startswith("nu_"):
                f = name.split()[0]
                out[name] = vector_width(m, g * self.charge_of(f), 0.0, 0.5)
            elif name == "N N":
                out[name] = hnl_pair_width(m, g * self.hnl_charge, self.hnl_mass, self.hnl_majorana)
        if any(n in chans for n in _HADRONIC):
            out.update(self.hadronic_widths())
        return {n: out[n] for n in chans}

    def hadronic_r(self) -> float:
        """``R = Gamma(hadrons, all channels) / Gamma(mu mu, massless)`` for this kind's charges."""
        return sum(self.hadronic_widths().values()) / (self.g**2 * self.mass / (12.0 * math.pi))


class DarkPhoton(ZPrime):
    """Kinetically mixed dark photon: ``DarkPhoton(mass, epsilon)`` is ``ZPrime(kind="dark-photon")``.

    Keeps the v0 API (``.epsilon``, ``.validate()``, ``.CHANNELS``, ``.branching_ratios()``,
    ``.ctau()``, ``.open_channels()``) with the base.py channel names (see :data:`LEGACY_NAMES`).
    """

    #: Dark-photon channels: name -> daughter PDG codes.
    CHANNELS: ClassVar[dict[str, tuple[int, ...]]] = {k: _ALL[k][0] for k in _DP_CHANNELS}

    def __init__(self, mass: float, epsilon: float | None = None, **kw) -> None:
        if epsilon is None:
            epsilon = kw.pop("coupling", None)
        if epsilon is None:
            raise PhysicsError("DarkPhoton needs epsilon")
        if kw.pop("kind", "dark-photon") != "dark-photon":
            raise PhysicsError("DarkPhoton is kind 'dark-photon'")
        ZPrime.__init__(self, mass, epsilon, "dark-photon", **kw)

    @staticmethod
    def mass_range() -> tuple[float, float]:  # type: ignore[override]
        """``(2 m_e, 10 GeV]``."""
        return 2.0 * C.mass(C.ELECTRON), M_MAX
