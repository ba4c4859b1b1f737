"""Reference: proton-bremsstrahlung splitting functions, form factors and rates.

Formulas (docs/physics.md#proton-bremsstrahlung; generator/production/channels/bremsstrahlung.py docstring):

* Blumlein & Brunner, Phys. Lett. B 731 (2014) 320, arXiv:1311.3870, the modified
  Fermi-Weizsacker-Williams splitting function ``w_ba(z, pT^2)`` of their rate formula
  ``d2N/dz dpT2 = [sigma_pp(s')/sigma_pp(s)] w_ba``;
* Foroughi-Abari & Ritz, Phys. Rev. D 105 (2022) 095045, arXiv:2108.05900, the quasi-real
  vector splitting function with the off-shell proton form factor ``F_pp*``.

The papers' bodies were not readable here (only their abstracts): the equation numbers are
not cited; the formulas are the transcription in docs/physics.md#proton-bremsstrahlung (BB) and the one the two public
implementations of the quasi-real treatment agree on (QR), re-derived from the p -> p V
vertex. Each hand value below is written out term by term (10 significant digits) from those
formulas, independently of the code; tolerance 1e-9 relative.

Rate regression values (per p-p interaction, per eps^2, F = 1, z in [0.1, 0.9], pT < 1 GeV,
sigma_pp(s')/sigma_pp(s) with the total-cross-section fit, s = 2 m_p E_p, s' = 2 m_p (E_p - E_Z'))
come from an independent scipy integration of the same formulas written outside the code
(not published numbers: the papers' yield figures were not readable); tolerance 0.3 %.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from fipgen.constants import ALPHA_EM
from fipgen.constants import mass as pdg_mass
from fipgen.production.channels import bremsstrahlung as B

MP = pdg_mass(2212)  # 0.9382720894 GeV


def test_blumlein_brunner_by_hand():
    # z = 0.4, pT^2 = 0.2 GeV^2, m = 0.5 GeV:
    # H = 0.2 + 0.6 * 0.25 + 0.16 * m_p^2 = 0.4908567222
    # (1 + 0.36)/0.4 = 3.4
    # 2 z (1-z) [(2 m_p^2 + m^2)/H - 2 z^2 m_p^4/H^2] = 1.472156760
    # 2 z (1-z) (1 + (1-z)^2) m_p^2 m^2 / H^2 = 0.5963047431
    # 2 z (1-z)^2 m^4 / H^2 = 0.07470729627
    # w / (g^2/4pi) = (3.4 - 1.472156760 + 0.5963047431 + 0.07470729627) / (2 pi H) = 0.8426505036
    assert B.splitting_bb(0.4, 0.2, 0.5, MP) == pytest.approx(0.8426505036, rel=1e-9)


def test_quasi_real_by_hand():
    # same point, Lambda_p = 1.5 GeV:
    # bracket z - z (1-z)(2 m_p^2 + m^2)/H + H/(2 z m^2) = 1.871165433
    # F_pp* = 1.5^4 / (1.5^4 + (H/z)^2) = 0.7707383409
    # w / (g^2/4pi) = 1.871165433 * 0.7707383409^2 / (2 pi H) = 0.3604055765
    assert B.offshell_form_factor(0.4, 0.2, 0.5, MP, 1.5) == pytest.approx(0.7707383409, rel=1e-9)
    assert B.splitting_qr(0.4, 0.2, 0.5, MP, 1.5) == pytest.approx(0.3604055765, rel=1e-9)


@pytest.mark.parametrize("z", [0.2, 0.5, 0.8])
def test_small_mass_limit_of_blumlein_brunner_is_the_photon_splitting(z):
    """m -> 0 and pT^2 >> z^2 m_p^2: w -> (alpha/2 pi) (1 + (1-z)^2) / (z pT^2), the
    Weizsacker-Williams photon splitting function."""
    pt2 = 400.0
    ww = (1 + (1 - z) ** 2) / z / pt2 / (2 * math.pi)
    assert B.splitting_bb(z, pt2, 1e-6, MP) == pytest.approx(ww, rel=2e-2)
    # and the mass corrections vanish smoothly: 1e-4 GeV and 1e-6 GeV agree to 1e-6
    assert B.splitting_bb(z, 0.3, 1e-4, MP) == pytest.approx(B.splitting_bb(z, 0.3, 1e-6, MP), rel=1e-6)


@pytest.mark.parametrize("z", [0.2, 0.5, 0.8])
def test_small_mass_limit_of_quasi_real_is_longitudinal(z):
    """The quasi-real bracket's H/(2 z m^2) term dominates as m -> 0: m^2 w -> F_pp*^2/(4 pi z)
    (the growth arXiv:2409.09123 revisits; documented in the module)."""
    m, pt2 = 1e-4, 0.3
    F = B.offshell_form_factor(z, pt2, m, MP, 1.5)
    assert m * m * B.splitting_qr(z, pt2, m, MP, 1.5) == pytest.approx(F * F / (4 * math.pi * z), rel=1e-6)
    # Lambda_p -> infinity removes the off-shell suppression
    assert B.offshell_form_factor(z, pt2, 0.5, MP, 1e4) == pytest.approx(1.0, abs=1e-10)


def test_sigma_pp_fit_values():
    # 35.45 + 0.308 ln^2(s/28.94) + 42.53 s^-0.458 - 33.34 s^-0.545 at s = 2 m_p E_p:
    # p = 120 GeV/c: s = 2 * 0.9382721 * 120.003668 = 225.19218 -> ln(s/28.94) = 2.0517295,
    # 0.308 * 4.2095937 = 1.2965549, 42.53 * 225.19218^-0.458 = 3.5581640,
    # 33.34 * 225.19218^-0.545 = 1.7411013
    s = 2 * MP * math.hypot(120.0, MP)
    assert B.sigma_pp(s) == pytest.approx(35.45 + 1.2965549 + 3.5581640 - 1.7411013, rel=1e-7)
    assert 38.0 < B.sigma_pp(s) < 39.0  # the total pp cross section at sqrt(s) = 15 GeV (PDG: ~38.5 mb)


def test_form_factors_are_one_at_zero_mass_and_peak_at_rho_omega():
    fr, fo = B.family_form_factors(0.0)
    assert fr == pytest.approx(0.5, abs=1e-12) and fo == pytest.approx(0.5, abs=1e-12)
    assert B.nucleon_form_factor(0.0, 1.0, 1.0) == pytest.approx(1.0, abs=1e-12)  # dark photon: F1_p(0) = 1
    assert B.nucleon_form_factor(0.0, 0.0, 2.0) == pytest.approx(1.0, abs=1e-12)  # B, B-L: 2 F_omega(0) = 1
    m = np.linspace(0.3, 1.2, 9001)
    for c_rho, c_om, near in ((1.0, 0.0, pdg_mass(113)), (0.0, 2.0, pdg_mass(223)), (1.0, 1.0, pdg_mass(223))):
        f = B.nucleon_form_factor(m, c_rho, c_om)
        peak = m[np.argmax(f)]
        assert abs(peak - near) < 0.02, (c_rho, c_om, peak)
        assert (f**2).max() > 10.0  # a resonance: |F|^2 > 10 (the broad rho: 11.4)
    # the isoscalar (B-L) form factor has the narrow omega: |F|^2 > 2000 at the omega mass
    assert B.nucleon_form_factor(pdg_mass(223), 0.0, 2.0) ** 2 > 2000


# per p-p interaction, per eps^2, F = 1 (module docstring)
RATES = {
    ("blumlein-brunner", 120.0): {0.1: 7.717e-3, 0.3: 6.388e-3, 0.5: 4.993e-3, 1.0: 2.779e-3, 2.0: 1.127e-3},
    ("blumlein-brunner", 30.0): {0.1: 7.799e-3, 0.5: 5.056e-3, 2.0: 1.148e-3},
    ("blumlein-brunner", 400.0): {0.5: 4.945e-3, 1.5: 1.676e-3},
    ("quasi-real", 120.0): {0.1: 4.861e-2, 0.3: 4.498e-3, 0.5: 1.310e-3, 1.0: 2.059e-4, 2.0: 2.413e-5},
    ("quasi-real", 30.0): {0.1: 4.971e-2, 1.0: 2.143e-4},
}


@pytest.mark.parametrize("treatment, beam", list(RATES))
def test_rates_per_interaction(treatment, beam):
    from fipgen.models.zprime import ZPrime
    from fipgen.production.channels.brems_channel import BremsChannel, BremsSettings, _Element

    for m, want in RATES[(treatment, beam)].items():
        ch = BremsChannel("t", ZPrime(mass=m, coupling=1.0, kind="dark-photon"), _Element("target", None, 1.0),
                          BremsSettings(treatment=treatment), beam)
        got = ch.branching / ch.coupling_ff2 * ALPHA_EM
        assert got == pytest.approx(want, rel=3e-3), (treatment, beam, m)
