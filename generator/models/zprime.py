"""Dark photon (kinetically mixed Z'), leptonic decays.

The dark photon ``A'`` couples to the electromagnetic current with strength
``epsilon * e``. Its width into a charged-lepton pair (PHYSICS.md 3.3: the vector width
``C_f g_f^2 m / (12 pi) (1 + 2 mu) sqrt(1 - 4 mu)`` with ``C_l = 1``, ``g_l = epsilon e``,
``e^2 = 4 pi alpha``; DarkCast, Ilten, Soreq, Williams, Xue, arXiv:1801.04847, sec. 2)::

    Gamma(A' -> l+ l-) = epsilon^2 alpha m / 3 * (1 + 2 mu) * sqrt(1 - 4 mu),  mu = m_l^2 / m^2

PDG Monte Carlo code: :data:`generator.constants.PDG_ZPRIME` (32).
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import ClassVar

from .. import constants as C
from ..errors import PhysicsError

__all__ = ["DarkPhoton", "lepton_pair_width"]


def lepton_pair_width(mass: float, coupling: float, m_lepton: float) -> float:
    """Width (GeV) of a vector of mass ``mass`` (GeV) into a lepton pair of mass ``m_lepton``.

    ``Gamma = g^2 m / (12 pi) (1 + 2 mu) sqrt(1 - 4 mu)`` with ``g = coupling * e``, i.e.
    ``coupling^2 alpha m / 3 (1 + 2 mu) sqrt(1 - 4 mu)``, ``mu = m_lepton^2 / mass^2``
    (PHYSICS.md 3.3; arXiv:1801.04847 sec. 2). Zero at and below threshold.
    """
    if mass <= 2.0 * m_lepton:
        return 0.0
    mu = (m_lepton / mass) ** 2
    return coupling**2 * C.ALPHA_EM * mass / 3.0 * (1.0 + 2.0 * mu) * math.sqrt(1.0 - 4.0 * mu)


@dataclass(frozen=True)
class DarkPhoton:
    """Kinetically mixed dark photon with leptonic decays only.

    Parameters
    ----------
    mass : float
        Mass in GeV. This version covers ``2 m_e < mass < 2 m_pi+`` (see :meth:`validate`).
    epsilon : float
        Kinetic mixing (dimensionless, > 0).

    Notes
    -----
    Open channels and what is neglected below ``2 m_pi+`` (0.279 GeV):

    * ``e+ e-`` above ``2 m_e`` and ``mu+ mu-`` above ``2 m_mu`` (0.211 GeV), the formula of
      the module docstring.
    * ``A' -> pi0 gamma`` is open above ``m_pi0``. DarkCast's fitted ratio
      ``R = Gamma(A' -> pi0 gamma) / Gamma(A' -> mu mu)`` (omega family,
      ``rf.pi0_gamma.omega.dat`` of arXiv:1801.04847's tables, PHYSICS.md 3.3) is below
      ``4e-6`` for every mass below 0.28 GeV, so this width is below ``5e-6`` of the total
      and is left out (not silently: this note). ``A' -> 3 gamma`` is loop-suppressed and
      matters only below ``2 m_e``, which is excluded.
    * Hadronic channels (``pi+ pi-`` and above) are not implemented: masses at or above
      ``2 m_pi+`` are rejected by :meth:`validate`; a later version adds them via the
      R ratio.
    """

    mass: float
    epsilon: float

    #: Decay channels: name -> daughter PDG codes.
    CHANNELS: ClassVar[dict[str, tuple[int, int]]] = {"e+e-": (11, -11), "mu+mu-": (13, -13)}
    #: PDG Monte Carlo code used for the dark photon in every output.
    PDG: ClassVar[int] = C.PDG_ZPRIME

    def __post_init__(self) -> None:
        for name in ("mass", "epsilon"):
            v = getattr(self, name)
            if not isinstance(v, numbers.Real) or isinstance(v, bool) or not math.isfinite(v) or v <= 0:
                raise PhysicsError(f"DarkPhoton {name} must be a finite number > 0, got {v!r}")
            object.__setattr__(self, name, float(v))

    @staticmethod
    def mass_range() -> tuple[float, float]:
        """Open interval ``(2 m_e, 2 m_pi+)`` of masses (GeV) this version covers."""
        return 2.0 * C.mass(C.ELECTRON), 2.0 * C.mass(C.PI_PLUS)

    def validate(self) -> "DarkPhoton":
        """Check the mass lies in ``(2 m_e, 2 m_pi+)``; return ``self``.

        Raises
        ------
        PhysicsError
            One line naming the mass and the allowed range.
        """
        lo, hi = self.mass_range()
        if not (lo < self.mass < hi):
            raise PhysicsError(
                f"DarkPhoton mass {self.mass:g} GeV is outside the range this version covers: "
                f"2 m_e < mass < 2 m_pi+ ({lo:.6g} < mass < {hi:.6g} GeV; hadronic decays not implemented)"
            )
        return self

    def partial_widths(self) -> dict[str, float]:
        """Partial widths in GeV by channel (0 for closed channels); keys of :attr:`CHANNELS`."""
        self.validate()
        return {
            name: lepton_pair_width(self.mass, self.epsilon, C.mass(abs(pdgs[0])))
            for name, pdgs in self.CHANNELS.items()
        }

    def total_width(self) -> float:
        """Total width in GeV (sum of :meth:`partial_widths`)."""
        return float(sum(self.partial_widths().values()))

    def ctau(self) -> float:
        """Proper decay length ``c tau = hbar c / Gamma`` in metres."""
        return C.HBARC_GEV_M / self.total_width()

    def branching_ratios(self) -> dict[str, float]:
        """Branching ratios by channel (sum to 1; 0 for closed channels)."""
        w = self.partial_widths()
        tot = sum(w.values())
        return {k: v / tot for k, v in w.items()}

    def open_channels(self) -> dict[str, tuple[int, int]]:
        """The channels with a non-zero width at this mass: name -> daughter PDG codes."""
        return {k: self.CHANNELS[k] for k, v in self.partial_widths().items() if v > 0.0}
