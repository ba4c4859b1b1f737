"""Reference: the MiniBooNE Sanford-Wang fits at fixed points, computed by hand.

Formula and parameters: MiniBooNE flux paper, A. A. Aguilar-Arevalo et al., Phys. Rev. D
79, 072002 (2009), arXiv:0806.1449 (Sanford-Wang form of its meson-production section;
pi+, pi-, K0L parameter tables), identical to docs/beamlines.md#meson-production-parameterisations and to the G4BNB production
card (SBNSoftware/G4BNB input/production.in). p_B = 8.89 GeV/c.

    d2sigma/dp dOmega = c1 p^c2 (1 - p/(p_B - c9)) exp[-c3 p^c4 / p_B^c5 - c6 theta (p - c7 p_B cos^c8 theta)]

Each value below is the product of the factors written next to it (evaluated with a
calculator, 10 significant digits). Tolerance: 1e-8 relative (rounding of the factors).
"""

from __future__ import annotations

import math

import pytest

from fipgen.production.sources.meson_spectra import (
    BNB_P_BEAM,
    SW_K0L,
    SW_PI_MINUS,
    SW_PI_PLUS,
    pbe_inelastic_cross_section,
    sanford_wang,
)

# (params, p [GeV/c], theta [rad], c1 p^c2, 1 - p/(p_B - c9), c3 p^c4/p_B^c5, c6 theta (...), value [mb/(GeV/c sr)])
POINTS = [
    (SW_PI_PLUS, 2.0, 0.1, 466.5677631, 0.7465145754, 0.2202353389, 0.7048900257, 138.0944355),
    (SW_PI_PLUS, 0.5, 0.3, 104.3974613, 0.9366286439, 0.01419097857, 0.007384282894, 95.69458338),
    (SW_PI_MINUS, 1.5, 0.05, 312.5146719, 0.8098859316, 0.5391143984, 0.2042279326, 120.3551820),
    (SW_K0L, 3.0, 0.2, 132.4809416, 0.6058854440, 2.293208247, 2.333040972, 0.7859400450),
]


@pytest.mark.parametrize("params,p,theta,f1,f2,e1,e2,value", POINTS)
def test_sanford_wang_hand_values(params, p, theta, f1, f2, e1, e2, value):
    assert f1 * f2 * math.exp(-e1 - e2) == pytest.approx(value, rel=1e-9)  # the factors are consistent
    assert sanford_wang(p, theta, params, BNB_P_BEAM) == pytest.approx(value, rel=1e-8)


def test_pbe_inelastic_cross_section_value():
    # Regge form A + B p^n + C ln^2 p + D ln p (arXiv:0806.1449; G4BNB ineProBeXsecPar
    # -126.08, 420.02, -0.579, -6.802, 115.47) at p = 8.89 GeV/c:
    # ln p = 2.184927, p^-0.579 = 0.282219 -> -126.08 + 118.538 - 32.472 + 252.294 = 212.28 mb
    assert pbe_inelastic_cross_section(8.89) == pytest.approx(212.28, abs=0.01)
