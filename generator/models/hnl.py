"""Heavy neutral lepton (HNL, N): channels, partial widths, branching ratios, c*tau.

The widths are those of Bondarenko, Boyarsky, Gorbunov, Ruchayskiy, arXiv:1805.08567
(sec. 3), implemented in :mod:`fipgen.models.hnl_widths`; production from meson
decays is in :mod:`fipgen.models.hnl_production`. Units: GeV, metres.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from functools import lru_cache
from typing import ClassVar

from .. import constants as C
from ..errors import PhysicsError
from . import hnl_widths as W
from .base import Channel, DecayingParticle

__all__ = ["HNL", "JOIN_LOW", "JOIN_HIGH", "MASS_MAX"]

#: Below this HNL mass (GeV) hadronic decays are the exclusive single-meson channels only.
JOIN_LOW = 1.0
#: Above this mass (GeV) the hadronic width of each class is max(exclusive, inclusive).
JOIN_HIGH = 1.5
#: Largest mass (GeV) accepted: Fermi theory, no exclusive B-meson channels.
MASS_MAX = 10.0

# (flavour label, charged-lepton PDG, neutrino PDG)
_FLAVOURS = (("e", 11, 12), ("mu", 13, 14), ("tau", 15, 16))

# charged pseudoscalars: name, PDG, decay-constant key, CKM key        (1805.08567 sec. 3.2.1)
_CHARGED_P = (("pi+", 211, "pi", "Vud"), ("K+", 321, "K", "Vus"), ("D+", 411, "D", "Vcd"), ("Ds+", 431, "Ds", "Vcs"))
# neutral pseudoscalars: name, PDG, decay-constant key                  (sec. 3.2.1)
_NEUTRAL_P = (("pi0", 111, "pi0"), ("eta", 221, "eta"), ("eta'", 331, "etap"))
# charged vectors: name, PDG, CKM key                                    (sec. 3.2.1)
_CHARGED_V = (("rho+", 213, "Vud"), ("K*+", 323, "Vus"))
# neutral vectors: name, PDG, g key                                      (sec. 3.2.1)
_NEUTRAL_V = (("rho0", 113, "rho"), ("omega", 223, "omega"), ("phi", 333, "phi"))


def _kappa(name: str, s2w: float) -> float:
    """kappa_h of 1805.08567 (sec. 3.2.1, its table of neutral vector mesons; table number not
    re-read): rho0 1 - 2 s^2, omega 4/3 s^2, phi 4/3 s^2 - 1 (the same factors as the authors'
    FairShip code). Only kappa_h^2 enters, so the sign of the phi entry is immaterial."""
    return {"rho0": 1.0 - 2.0 * s2w, "omega": 4.0 / 3.0 * s2w, "phi": 4.0 / 3.0 * s2w - 1.0}[name]


@lru_cache(maxsize=1)
def _channel_table() -> tuple[tuple[str, Channel, int], ...]:
    """Every channel as (name, Channel for a Dirac HNL, flavour index or -1 for flavour-blind)."""
    rows: list[tuple[str, Channel, int]] = []
    for ia, (a, la, na) in enumerate(_FLAVOURS):
        for p, pdg, _, _ in _CHARGED_P:
            rows.append((f"{a}- {p}", Channel(f"{a}- {p}", (la, pdg)), ia))
        for v, pdg, _ in _CHARGED_V:
            rows.append((f"{a}- {v}", Channel(f"{a}- {v}", (la, pdg)), ia))
        for p, pdg, _ in _NEUTRAL_P:
            rows.append((f"nu_{a} {p}", Channel(f"nu_{a} {p}", (na, pdg)), ia))
        for v, pdg, _ in _NEUTRAL_V:
            rows.append((f"nu_{a} {v}", Channel(f"nu_{a} {v}", (na, pdg)), ia))
        for b, lb, nb in _FLAVOURS:
            if b != a:
                nm = f"{a}- {b}+ nu_{b}"
                rows.append((nm, Channel(nm, (la, -lb, nb), kind="three-body"), ia))
        for b, lb, _ in _FLAVOURS:
            nm = f"nu_{a} {b}+ {b}-"
            rows.append((nm, Channel(nm, (na, -lb, lb), kind="three-body"), ia))
        nm = f"{a}- hadrons"
        rows.append((nm, Channel(nm, (la, 2, -1), kind="inclusive"), ia))
        nm = f"nu_{a} hadrons"
        rows.append((nm, Channel(nm, (na, 2, -2), kind="inclusive"), ia))
    rows.append(("nu nu nu", Channel("nu nu nu", (12, 12, -12), visible=False, kind="three-body"), -1))
    rows.append(("nu gamma", Channel("nu gamma", (12, 22)), -1))
    return tuple(rows)


def _join_weight(m: float) -> float:
    """0 below JOIN_LOW, 1 above JOIN_HIGH, linear in between."""
    if m <= JOIN_LOW:
        return 0.0
    if m >= JOIN_HIGH:
        return 1.0
    return (m - JOIN_LOW) / (JOIN_HIGH - JOIN_LOW)


@lru_cache(maxsize=2048)
def unit_widths(mass: float) -> dict[str, float]:
    """Dirac widths (GeV) of every channel for |U_a|^2 = 1 in the channel's own flavour.

    Flavour-blind channels: ``"nu nu nu"`` per unit ``sum_a |U_a|^2``; ``"nu gamma"`` is 0
    here (it depends on the dipole only). The inclusive ``"<l>- hadrons"`` / ``"nu_<l>
    hadrons"`` widths are the joined multi-meson remainders (see :class:`HNL`).
    """
    k = W.hnl_constants()
    fP, gV, fV, ckm = k["pseudoscalar_f"], k["vector_g"], k["vector_f"], k["ckm"]
    s2w = k["electroweak"]["sin2_theta_w"]
    m = mass
    out: dict[str, float] = {}
    w_join = _join_weight(m)
    qcd = W.qcd_correction(m) if w_join > 0 else 0.0
    for a, la, _ in _FLAVOURS:
        ml = C.mass(la)
        excl_cc = 0.0
        for p, pdg, fk, vk in _CHARGED_P:
            g = W.width_lepton_pseudoscalar(m, ml, C.mass(pdg), fP[fk], ckm[vk])
            out[f"{a}- {p}"] = g
            excl_cc += g
        for v, pdg, vk in _CHARGED_V:
            mv = C.mass(pdg)
            gh = gV["rho"] if v == "rho+" else fV["Kstar"] * mv
            g = W.width_lepton_vector(m, ml, mv, gh, ckm[vk])
            out[f"{a}- {v}"] = g
            excl_cc += g
        excl_nc = 0.0
        for p, pdg, fk in _NEUTRAL_P:
            g = W.width_nu_pseudoscalar(m, C.mass(pdg), fP[fk])
            out[f"nu_{a} {p}"] = g
            excl_nc += g
        for v, pdg, gk in _NEUTRAL_V:
            g = W.width_nu_vector(m, C.mass(pdg), gV[gk], _kappa(v, s2w))
            out[f"nu_{a} {v}"] = g
            excl_nc += g
        for b, lb, _ in _FLAVOURS:
            if b != a:
                out[f"{a}- {b}+ nu_{b}"] = W.width_cc_leptons(m, ml, C.mass(lb))
        for b, lb, _ in _FLAVOURS:
            out[f"nu_{a} {b}+ {b}-"] = W.width_nc_leptons(m, C.mass(lb), same_flavour=(a == b))
        if w_join > 0:
            incl_cc = W.width_cc_quarks(m, ml) * qcd
            incl_nc = W.width_nc_quarks(m) * qcd
            out[f"{a}- hadrons"] = w_join * max(incl_cc - excl_cc, 0.0)
            out[f"nu_{a} hadrons"] = w_join * max(incl_nc - excl_nc, 0.0)
        else:
            out[f"{a}- hadrons"] = 0.0
            out[f"nu_{a} hadrons"] = 0.0
    out["nu nu nu"] = W.width_three_nu(m)
    out["nu gamma"] = 0.0
    return out


@dataclass(frozen=True)
class HNL(DecayingParticle):
    """Heavy neutral lepton mixing with the active neutrinos (and an optional dipole).

    Parameters
    ----------
    mass : float
        HNL mass in GeV, ``0 < mass <= 10`` (:data:`MASS_MAX`).
    U2 : tuple of 3 floats
        ``(|U_e|^2, |U_mu|^2, |U_tau|^2)``, each ``>= 0``, any combination.
    majorana : bool
        Majorana (default) or Dirac HNL.
    dipole : float
        Transition magnetic moment ``d`` in GeV^-1 (dipole portal, ``N -> nu gamma``).

    Notes
    -----
    **Channels** (names per :mod:`fipgen.models.base`; ``a``, ``b`` run over e, mu, tau;
    subsections of arXiv:1805.08567 v3, checked against its table of contents; equation
    numbers are not given, see :mod:`hnl_widths`):

    * ``"a- P"``, P = pi+, K+, D+, Ds+; ``"a- V"``, V = rho+, K*+ (sec. 3.2.1);
    * ``"nu_a P"``, P = pi0, eta, eta'; ``"nu_a V"``, V = rho0, omega, phi (sec. 3.2.1);
    * ``"a- b+ nu_b"``, a != b, charged current (W-mediated, sec. 3.1.1, exact masses);
    * ``"nu_a b+ b-"``, neutral current; for a == b with the W/Z interference (sec. 3.1.2),
      evaluated with the cancellation-free logarithm (:func:`hnl_widths.nc_log`);
    * ``"nu nu nu"`` (invisible, summed over flavours, sec. 3.1);
    * ``"a- hadrons"`` and ``"nu_a hadrons"``: inclusive (``kind="inclusive"``), the
      multi-meson remainder above the join (below); daughters list the lepton and the
      leading quark pair (u dbar for charged current, u ubar for neutral current);
    * ``"nu gamma"``: dipole portal, ``Gamma = d^2 M^3/(4 pi)`` per Dirac HNL
      (arXiv:1803.03262 convention ``L = d nubar sigma_{mu nu} N F^{mu nu}``; see also
      arXiv:2402.01624), doubled for a Majorana HNL like every channel.

    **Exclusive/inclusive join.** 1805.08567 gives both the single-meson widths (sec. 3.2.1)
    and the quark-level widths (the sec. 3.1 formulas) with the QCD correction (sec. 3.2)
    ``1 + a + 5.2 a^2 + 26.4 a^3``, ``a = alpha_s(M)/pi``; single-meson channels describe the
    hadronic width only up to ~1 GeV, quarks only well above it. The authors' own
    implementation (FairShip ``python/hnl.py``, updated by K. Bondarenko in 2017) takes, for
    M >= 1 GeV, the total hadronic width as ``max(sum of meson widths, quark widths)`` and the
    meson sum below.
    We use the same max rule, applied per class (charged current with lepton a; neutral
    current with nu_a), and remove its step at 1 GeV by a linear blend:

    * the exclusive single-meson widths are always kept unchanged (they are physical
      predictions and the final states the sampler draws);
    * the inclusive channel ``"a- hadrons"`` / ``"nu_a hadrons"`` carries the remainder
      ``w(M) * max(0, Gamma_quarks * (1 + QCD) - Gamma_exclusive)`` with ``w = 0`` below
      :data:`JOIN_LOW` = 1.0 GeV, ``w = 1`` above :data:`JOIN_HIGH` = 1.5 GeV, linear in
      between; it stands for multi-meson final states and is not sampled directly.

    For event sampling, :meth:`sampling_widths` folds each remainder into the single-meson
    channels of its class (scaled up so their sum is the joined hadronic width); the
    samplers only draw exclusive final states.

    The hadronic width of a class is the exclusive sum below 1 GeV and
    ``max(exclusive, inclusive)`` above 1.5 GeV; the total width is continuous (tested).
    Uncertainty of the join: at 1.0 GeV the quark width exceeds the single-meson sum by
    10 % (charged current) and 31 % (neutral current), so a hard switch there would be a
    step of +11 % (U_e, U_mu) / +17 % (U_tau) in the total width; between 1.0 and 1.5 GeV
    the total width is uncertain by up to ~20 % (tests/reference/hnl_comparison.md).
    alpha_s runs at three loops from alpha_s(M_Z) = 0.1180 (PDG 2024); quark masses are
    the PDG MS-bar masses.

    **Majorana vs Dirac.** The Dirac widths are those of N (not Nbar). A Majorana HNL has
    every width doubled -- charged-current, neutral-current, invisible and dipole alike --
    and ``Channel.conjugate`` is True for every channel (the sampler picks the final state or
    its charge conjugate, nu <-> nubar included, with probability 1/2). Hence Gamma_Majorana = 2 Gamma_Dirac exactly.

    **Vector-meson couplings.** ``g_rho = 0.162``, ``g_omega = 0.153``, ``g_phi = 0.234``
    GeV^2 and ``kappa_rho0 = 1 - 2 s_W^2``, ``kappa_omega = 4/3 s_W^2``,
    ``kappa_phi = 4/3 s_W^2 - 1`` as in 1805.08567 (other codes differ by factors 2-4, see
    docs/physics.md#hnl-decays); ``g_K* = f_K* m_K*``, ``f_K* = 0.204`` GeV (hnl_constants.toml: PDG
    tau -> K* nu as tabulated in arXiv:2007.03701; whether 1805.08567 lists a K* coupling was
    not re-read). ``sin^2 theta_W = 0.23129`` (hnl_constants.toml, the value the widths use).
    """

    mass: float
    U2: tuple[float, float, float]
    majorana: bool = True
    dipole: float = 0.0

    particle: ClassVar[str] = "hnl"
    pdg: ClassVar[int] = C.PDG_HNL

    def __post_init__(self) -> None:
        m = self.mass
        if not isinstance(m, numbers.Real) or isinstance(m, bool) or not math.isfinite(m) or m <= 0:
            raise PhysicsError(f"HNL mass must be a finite number > 0 (GeV), got {m!r}")
        if m > MASS_MAX:
            raise PhysicsError(f"HNL mass {m} GeV above {MASS_MAX} GeV is not covered (Fermi theory, no B-meson channels)")
        try:
            u2 = tuple(float(u) for u in self.U2)
        except (TypeError, ValueError):
            raise PhysicsError(f"HNL U2 must be three numbers (|U_e|^2, |U_mu|^2, |U_tau|^2), got {self.U2!r}") from None
        if len(u2) != 3 or not all(math.isfinite(u) and u >= 0 for u in u2):
            raise PhysicsError(f"HNL U2 must be three finite numbers >= 0, got {self.U2!r}")
        if not isinstance(self.majorana, bool):
            raise PhysicsError(f"HNL majorana must be true or false, got {self.majorana!r}")
        d = self.dipole
        if not isinstance(d, numbers.Real) or isinstance(d, bool) or not math.isfinite(d) or d < 0:
            raise PhysicsError(f"HNL dipole must be a finite number >= 0 (GeV^-1), got {d!r}")
        object.__setattr__(self, "mass", float(m))
        object.__setattr__(self, "U2", u2)
        object.__setattr__(self, "dipole", float(d))

    def channels(self) -> dict[str, Channel]:
        """Every channel the model knows, open or closed (see the class notes)."""
        out = {}
        for name, ch, _ in _channel_table():
            # a Majorana width includes every channel's charge conjugate ("e- pi+" and
            # "e+ pi-"; "nu_e e+ e-" and "nubar_e e- e+", whose e+/e- spectra are swapped; the
            # polarised asymmetries flip sign): the sampler picks each half with probability 1/2
            if self.majorana:
                ch = Channel(ch.name, ch.daughters, ch.visible, True, ch.kind)
            out[name] = ch
        return out

    def partial_widths(self) -> dict[str, float]:
        """Partial widths in GeV (0 for closed channels), same keys as :meth:`channels`."""
        unit = unit_widths(self.mass)
        fac = 2.0 if self.majorana else 1.0
        out = {}
        for name, _, ia in _channel_table():
            if name == "nu nu nu":
                w = unit[name] * sum(self.U2)
            elif name == "nu gamma":
                w = W.width_dipole(self.mass, self.dipole)
            else:
                w = unit[name] * self.U2[ia]
            out[name] = fac * w
        return out

    def sampling_widths(self) -> dict[str, float]:
        """Widths (GeV) for event sampling: inclusive remainders folded into exclusive channels.

        The decay samplers draw exclusive final states only. Here each class's inclusive
        remainder (``"a- hadrons"``, ``"nu_a hadrons"``) is removed and the single-meson
        channels of that class (``"a- P+"``, ``"a- V+"``; ``"nu_a P0"``, ``"nu_a V0"``) are
        scaled by ``(exclusive + remainder) / exclusive``, so their sum is the class's
        joined hadronic width (the recipe "exclusive final states rescaled to the inclusive
        width"). Keys: every non-inclusive channel. The sum equals :meth:`total_width`
        except where a class has a remainder but no open exclusive channel -- only
        ``"tau- hadrons"`` between m_tau + m_u + m_d and m_tau + m_pi (1.78-1.92 GeV), where
        it is below 1e-3 of the total (tested) and is dropped.
        """
        w = self.partial_widths()
        out = {k: v for k, v in w.items() if not k.endswith(" hadrons")}
        for a, _, _ in _FLAVOURS:
            for rem_name, members in (
                (f"{a}- hadrons", [f"{a}- {p[0]}" for p in _CHARGED_P] + [f"{a}- {v[0]}" for v in _CHARGED_V]),
                (f"nu_{a} hadrons", [f"nu_{a} {p[0]}" for p in _NEUTRAL_P] + [f"nu_{a} {v[0]}" for v in _NEUTRAL_V]),
            ):
                rem = w[rem_name]
                excl = sum(out[k] for k in members)
                if rem > 0 and excl > 0:
                    scale = (excl + rem) / excl
                    for k in members:
                        out[k] *= scale
        return out

    def sampling_branching_ratios(self) -> dict[str, float]:
        """:meth:`sampling_widths` normalised to 1 (exclusive channels only)."""
        w = self.sampling_widths()
        tot = sum(w.values())
        if not tot > 0:
            return {k: 0.0 for k in w}
        return {k: v / tot for k, v in w.items()}
