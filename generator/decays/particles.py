"""SM particle names, PDG codes and the decay table of short-lived SM resonances.

The one name table of :mod:`fipgen.decays` lives here (:data:`NAMES`): channel names in the
notation of :mod:`fipgen.models.base` are split on spaces and each token is looked up, so a
new channel works as soon as its daughters' names are in the table. The resonances' decay
modes are read from ``generator/data/sm_decays.toml`` (PDG 2024, see its header) by
:func:`sm_decay_table`; :mod:`.resonances` decays resonances with them and :mod:`.lineshape`
takes their thresholds.
"""

from __future__ import annotations

import sys
from functools import lru_cache

from .. import constants as C
from ..errors import PhysicsError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = [
    "NAMES",
    "NEUTRINOS",
    "RESONANCE_FAMILIES",
    "parse_channel",
    "charge_of",
    "conjugate",
    "sm_mass",
    "sm_decay_table",
]

#: Channel-notation name -> PDG Monte Carlo code. ``nu`` (a sum over flavours) is written
#: as nu_e (12): the flavour of an invisible neutrino does not change any kinematics.
#: ``N`` is the HNL (:data:`fipgen.constants.PDG_HNL`).
NAMES: dict[str, int] = {
    "e-": 11, "e+": -11, "mu-": 13, "mu+": -13, "tau-": 15, "tau+": -15,
    "nu_e": 12, "nu_mu": 14, "nu_tau": 16, "nu": 12,
    "gamma": 22,
    "pi+": 211, "pi-": -211, "pi0": 111,
    "K+": 321, "K-": -321, "K0": 311, "K0S": 310, "K0L": 130, "K_S0": 310, "K_L0": 130,
    "eta": 221, "eta'": 331,
    "rho+": 213, "rho-": -213, "rho0": 113, "omega": 223, "phi": 333,
    "K*+": 323, "K*-": -323, "K*0": 313,
    "D+": 411, "D-": -411, "D0": 421, "Ds+": 431, "Ds-": -431,
    "N": C.PDG_HNL,
}  # fmt: skip

#: |PDG| codes of neutrinos (massless here).
NEUTRINOS = frozenset({12, 14, 16})

#: ``decay_resonances`` family name -> PDG codes it covers.
RESONANCE_FAMILIES: dict[str, frozenset[int]] = {
    "pi0": frozenset({111}),
    "eta": frozenset({221}),
    "eta'": frozenset({331}),
    "rho": frozenset({113, 213, -213}),
    "omega": frozenset({223}),
    "phi": frozenset({333}),
    "K*": frozenset({323, -323, 313, -313}),
}

_CHARGE = {code: (1 if nm.endswith("+") else -1 if nm.endswith("-") else 0) for nm, code in NAMES.items()}


def parse_channel(name: str) -> tuple[int, ...]:
    """PDG codes of the daughters named in ``name`` (space-separated, base.py notation).

    Raises
    ------
    PhysicsError
        For an unknown daughter name (including ``hadrons``: inclusive channels are
        sampled through exclusive final states chosen by the model).
    """
    out = []
    for tok in name.split():
        if tok not in NAMES:
            if tok == "hadrons":
                raise PhysicsError(
                    f"channel {name!r} is inclusive: sample the exclusive final states the model chooses for it"
                )
            raise PhysicsError(f"unknown particle {tok!r} in channel {name!r}; known: {', '.join(NAMES)}")
        out.append(NAMES[tok])
    if not out:
        raise PhysicsError("empty channel name")
    return tuple(out)


def charge_of(code: int) -> int:
    """Electric charge (units of e) of a code in :data:`NAMES` (also antiparticles)."""
    if code in _CHARGE:
        return _CHARGE[code]
    if -code in _CHARGE:
        return -_CHARGE[-code]
    return int(round(C.charge(code)))


def conjugate(code: int) -> int:
    """Charge conjugate for the Majorana choice: charged codes and neutrinos flip sign.

    Neutral mesons (self-conjugate in the channels used here) and the (Majorana) HNL keep
    their code. Neutrino signs come from :attr:`Channel.daughters` (the names do not tell
    nu from nubar).
    """
    return -code if (charge_of(code) != 0 or abs(code) in NEUTRINOS) else code


def sm_mass(code: int, bsm_masses=None) -> float:
    """Mass in GeV: PDG value for SM codes, 0 for neutrinos, ``bsm_masses[code]`` otherwise."""
    a = abs(code)
    if a in NEUTRINOS:
        return 0.0
    if bsm_masses and (code in bsm_masses or a in bsm_masses):
        return float(bsm_masses.get(code, bsm_masses.get(a)))
    if a == C.PDG_HNL:
        raise PhysicsError("the HNL mass is needed for this channel: pass bsm_masses={PDG_HNL: mass}")
    return C.mass(a)


@lru_cache(maxsize=None)
def sm_decay_table() -> dict[int, tuple[tuple[tuple[int, ...], float, str], ...]]:
    """The resonance decay table: PDG code -> ((daughter codes, BR renormalised, model), ...).

    Read on first use from ``generator/data/sm_decays.toml`` (PDG 2024, see its header).
    """
    from importlib import resources

    text = resources.files("fipgen").joinpath("data/sm_decays.toml").read_text(encoding="utf-8")
    raw = tomllib.loads(text)
    table = {}
    for entry in raw.values():
        if not isinstance(entry, dict):
            continue
        tot = sum(m["br"] for m in entry["modes"])
        modes = tuple((parse_channel(m["daughters"]), m["br"] / tot, m.get("model", "flat")) for m in entry["modes"])
        table[int(entry["pdg"])] = modes
    return table
