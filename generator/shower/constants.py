"""Constants of the shower Monte Carlo (GeV, metres).

The electron mass is the CODATA 2018 value, identical to the PDG value the ``particle``
package carries (checked by ``tests/test_shower.py``); it is a module constant here
because the numba kernels freeze it at compile time. The classical electron radius is
CODATA 2018. alpha is fipgen's :data:`fipgen.constants.ALPHA_EM`.
"""

from __future__ import annotations

from ..constants import ALPHA_EM
from ..geometry.materials import AVOGADRO

__all__ = ["ALPHA", "AVOGADRO", "M_E", "R_E", "GEV_PER_MEV", "BARN_M2", "HIGHLAND_E_S"]

#: Fine-structure constant (CODATA 2018).
ALPHA = ALPHA_EM
#: Electron mass, GeV (CODATA 2018: 0.51099895000 MeV).
M_E = 0.51099895000e-3
#: Classical electron radius, m (CODATA 2018: 2.8179403262 fm).
R_E = 2.8179403262e-15
#: 1 MeV in GeV.
GEV_PER_MEV = 1e-3
#: 1 barn in m^2.
BARN_M2 = 1e-28
#: Highland's 13.6 MeV, in GeV (PDG RPP "Passage of particles through matter",
#: "Multiple scattering through small angles", Lynch & Dahl NIM B58 (1991) 6).
HIGHLAND_E_S = 13.6e-3
