"""SM particle names, PDG codes, and the decays of short-lived SM resonances.

The one name table of :mod:`fipgen.decays` lives here (:data:`NAMES`): channel names
in the notation of :mod:`fipgen.models.base` are split on spaces and each token is
looked up, so a new channel works as soon as its daughters' names are in the table.

Resonance decays
----------------
Daughters that are short-lived SM resonances (pi0, eta, eta', rho, omega, phi, K*) are
decayed here, recursively, with the branching fractions of ``generator/data/sm_decays.toml``
(PDG 2024; modes not listed there are dropped and the listed ones renormalised, see the
file's header). Two-body modes are isotropic in the resonance rest frame; three-body
modes use the density named in the table (``"flat"`` phase space, or ``"vector_3pi"``,
:func:`vector_3pi_density`). A resonance decays at the mass its producer gave it: the
PDG mass, or (``masses``) a Breit-Wigner mass from :mod:`fipgen.decays.lineshape`;
with ``line_shapes=True`` a rho or omega made in a resonance decay (``eta' -> rho0
gamma``, ``omega gamma``) gets its own line-shape mass. Resonances decay at the production point
(their c*tau is below 30 nm, except the pi0's 25 nm: both are invisible at detector
scale).

Left for the detector simulation (never decayed here): pi+-, K+-, K0L, K0S, mu+-, tau
(not produced below its threshold anyway), and stable particles.
"""

from __future__ import annotations

import sys
from functools import lru_cache

import numpy as np

from .. import constants as C
from ..errors import PhysicsError
from ..kinematics.twobody import two_body_isotropic
from .lineshape import has_line_shape, sample_line_shape, two_body_isotropic_masses
from .threebody import dalitz_fmax, in_dalitz, sample_dalitz, three_body_momenta

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
    "vector_3pi_density",
    "decay_resonances",
    "max_multiplicity",
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


def _modes(code: int, codes_to_decay: frozenset[int]):
    """Decay modes of ``code`` if it is to be decayed, else None (antiparticles conjugated)."""
    if code not in codes_to_decay:
        return None
    tab = sm_decay_table()
    if code in tab:
        return tab[code]
    if -code in tab:
        return tuple((tuple(conjugate(d) for d in ds), br, model) for ds, br, model in tab[-code])
    return None


def _codes(families) -> frozenset[int]:
    out: set[int] = set()
    for f in families:
        if f not in RESONANCE_FAMILIES:
            raise ValueError(f"unknown resonance family {f!r}; known: {', '.join(RESONANCE_FAMILIES)}")
        out |= RESONANCE_FAMILIES[f]
    return frozenset(out)


def max_multiplicity(code: int, families) -> int:
    """Largest number of final particles ``code`` can turn into with ``families`` decayed."""
    codes = _codes(families)
    modes = _modes(code, codes)
    if modes is None:
        return 1
    return max(sum(max_multiplicity(d, families) for d in ds) for ds, _, _ in modes)


# --- hadronic three-body densities -------------------------------------------------------



def vector_3pi_density(M: float, m_pm: float, m_0: float, rho: bool = True):
    """Dalitz density of ``V -> pi+(1) pi-(2) pi0(3)`` (V = omega, phi, a vector Z').

    ``|M|^2 ~ |p+ x p-|^2 |F|^2`` in the V rest frame, the P-wave form of a vector decaying
    through the epsilon tensor (Gell-Mann, Sharp, Wagner, PRL 8 (1962) 261), with
    ``F = sum_ij 1/D_rho(s_ij)`` over the three pion pairs and the rho propagator with its
    P-wave running width (Kuhn-Santamaria); ``rho=False`` gives the contact form ``F = 1``.
    One implementation: :func:`fipgen.decays.vector_3pi.shape` (normalised there and
    checked against Gamma(omega -> 3 pi) and DarkCast's omega-family R ratio).
    Returns ``f(s12, s23)`` with ``s12 = s(+-)``, ``s23 = s(-0)``.
    """
    from .vector_3pi import shape

    def f(s12, s23):
        return shape(M, s12, s23, True, rho, m_pm, m_0)

    return f


def _flat(s12, s23):
    return np.ones_like(np.asarray(s12, dtype=np.float64))


def _decay_one(parent_p4, M, daughters, model, rng):
    """Decay parents (all of mass M, GeV) into ``daughters``; lab p4 (m, nd, 4)."""
    n = parent_p4.shape[0]
    ms = [sm_mass(d) for d in daughters]
    if len(daughters) == 2:
        p1, p2 = two_body_isotropic(parent_p4, ms[0], ms[1], rng.random(n), rng.random(n), parent_mass=M)
        return np.stack([p1, p2], axis=1)
    if len(daughters) == 3:
        if model == "vector_3pi":
            dens = vector_3pi_density(M, ms[0], ms[2])
        elif model == "flat":
            dens = _flat
        else:
            raise PhysicsError(f"unknown three-body model {model!r} in sm_decays.toml")
        s12, s23 = sample_dalitz(dens, M, ms[0], ms[1], ms[2], n, rng)
        return three_body_momenta(parent_p4, ms, s12, s23, rng.random((n, 3)), parent_mass=M)
    raise PhysicsError(f"no sampler for a {len(daughters)}-body resonance decay {daughters}")


def _sample_dalitz_rows(model, M, ms, rng):
    """Dalitz points ``(s12, s23)`` for parents of per-row masses ``M`` (array, GeV).

    Exact accept-reject row by row, each row in its own bounding box. The rows are grouped
    in bins of ``M - (m1 + m2 + m3)`` growing by at most 30 % per bin, each with the bound
    ``dalitz_fmax`` (x 1.5) taken at both bin edges, so the acceptance stays high near the
    three-body threshold; a bound found too low is raised and that bin redrawn (unbiased).
    """
    m1, m2, m3 = ms
    n = M.size
    thr = m1 + m2 + m3

    def dens(Mr, x, y):
        if model == "vector_3pi":
            return vector_3pi_density(Mr, m1, m3)(x, y)
        if model == "flat":
            return _flat(x, y)
        raise PhysicsError(f"unknown three-body model {model!r} in sm_decays.toml")

    lo, hi = float(M.min()) - thr, float(M.max()) - thr
    nb = 1 if hi <= 1.3 * lo else min(400, int(np.ceil(np.log(hi / lo) / np.log(1.3))))
    edges = thr + np.geomspace(lo, hi, nb + 1)
    edges[0], edges[-1] = M.min(), M.max()
    ib = np.clip(np.searchsorted(edges, M, side="right") - 1, 0, nb - 1)
    s12 = np.empty(n)
    s23 = np.empty(n)
    for b in np.unique(ib):
        rows = np.flatnonzero(ib == b)
        fm = max(
            dalitz_fmax(lambda x, y, Mq=Mq: dens(Mq, x, y), Mq, m1, m2, m3, ngrid=64)
            for Mq in (float(edges[b]), float(edges[b + 1]))
        )
        todo = rows
        while todo.size:
            Mr = M[todo]
            x = (m1 + m2) ** 2 + ((Mr - m3) ** 2 - (m1 + m2) ** 2) * rng.random(todo.size)
            y = (m2 + m3) ** 2 + ((Mr - m1) ** 2 - (m2 + m3) ** 2) * rng.random(todo.size)
            ins = in_dalitz(x, y, Mr, m1, m2, m3)
            f = np.where(ins, dens(Mr, x, y), 0.0)
            fmx = float(np.max(f, initial=0.0))
            if fmx > fm:  # bound too low: raise it and redraw the whole bin
                fm = 1.5 * fmx
                todo = rows
                continue
            ok = ins & (rng.random(todo.size) * fm < f)
            s12[todo[ok]] = x[ok]
            s23[todo[ok]] = y[ok]
            todo = todo[~ok]
    return s12, s23


def _decay_one_masses(parent_p4, M, daughters, model, rng, dmass):
    """As :func:`_decay_one` with per-row parent masses ``M`` (n,) and daughter masses
    ``dmass`` (n, nd) (line-shape masses)."""
    n = parent_p4.shape[0]
    if len(daughters) == 2:
        p1, p2 = two_body_isotropic_masses(parent_p4, M, dmass[:, 0], dmass[:, 1], rng.random(n), rng.random(n))
        return np.stack([p1, p2], axis=1)
    if len(daughters) == 3:
        ms = [sm_mass(d) for d in daughters]
        if np.any(dmass != np.asarray(ms)):  # pragma: no cover - no such mode in the table
            raise PhysicsError(f"three-body resonance decay {daughters} with a line-shape daughter")
        s12, s23 = _sample_dalitz_rows(model, M, ms, rng)
        return three_body_momenta(parent_p4, ms, s12, s23, rng.random((n, 3)), parent_mass=M)
    raise PhysicsError(f"no sampler for a {len(daughters)}-body resonance decay {daughters}")


def decay_resonances(
    pdg: np.ndarray,
    p4: np.ndarray,
    rng: np.random.Generator,
    families,
    k_out: int | None = None,
    masses: np.ndarray | None = None,
    line_shapes: bool = False,
):
    """Decay the resonances among ``pdg`` (recursively) and return the final state.

    Parameters
    ----------
    pdg : numpy.ndarray, shape (n, k) int
        Daughter codes (0 = padding).
    p4 : numpy.ndarray, shape (n, k, 4)
        Their lab four-momenta (GeV), on shell at the PDG masses or at ``masses``.
    rng : numpy.random.Generator
        Source of every random number (mode choice, angles, Dalitz points).
    families : iterable of str
        Families to decay (keys of :data:`RESONANCE_FAMILIES`).
    k_out : int, optional
        Number of output columns (default: the largest possible final multiplicity).
    masses : numpy.ndarray, shape (n, k), optional
        Masses (GeV) of the entries (line-shape masses of resonances); default PDG masses.
    line_shapes : bool
        Give rho/omega daughters of resonance decays (``eta' -> rho0 gamma``, ``omega
        gamma``) a line-shape mass (:mod:`fipgen.decays.lineshape`) when they are decayed.

    Returns
    -------
    pdg : numpy.ndarray, shape (n, k_out) int32
        Final codes, non-zero entries first in each row, padded with 0.
    p4 : numpy.ndarray, shape (n, k_out, 4)
        Lab four-momenta (GeV); zero rows under pdg 0.
    """
    codes = _codes(families)
    n = pdg.shape[0]
    cols_pdg = [np.array(pdg[:, j], dtype=np.int64) for j in range(pdg.shape[1])]
    cols_p4 = [np.array(p4[:, j, :], dtype=np.float64) for j in range(pdg.shape[1])]
    # per-entry masses: NaN = PDG mass of the code
    if masses is None:
        cols_m = [np.full(n, np.nan) for _ in range(pdg.shape[1])]
    else:
        cols_m = [np.array(masses[:, j], dtype=np.float64) for j in range(pdg.shape[1])]
    j = 0
    while j < len(cols_pdg):
        while True:
            col = cols_pdg[j]
            todo = [int(c) for c in np.unique(col) if c != 0 and _modes(int(c), codes) is not None]
            if not todo:
                break
            base = len(cols_pdg)
            extra = max(len(ds) - 1 for c in todo for ds, _, _ in _modes(c, codes))
            for _ in range(extra):
                cols_pdg.append(np.zeros(n, dtype=np.int64))
                cols_p4.append(np.zeros((n, 4)))
                cols_m.append(np.full(n, np.nan))
            for c in todo:
                modes = _modes(c, codes)
                rows = np.flatnonzero(col == c)
                cum = np.cumsum([br for _, br, _ in modes])
                pick = np.minimum(np.searchsorted(cum / cum[-1], rng.random(rows.size), side="right"), len(modes) - 1)
                M = sm_mass(c)
                for im, (ds, _, model) in enumerate(modes):
                    r = rows[pick == im]
                    if r.size == 0:
                        continue
                    Mr = cols_m[j][r]
                    Mr = np.where(np.isnan(Mr), M, Mr)
                    ls = [i for i, d in enumerate(ds) if line_shapes and has_line_shape(d) and d in codes]
                    dmass = None
                    if len(ls) == 1:  # (eta' -> rho0 gamma, omega gamma); never two in the table
                        i0 = ls[0]
                        m_other = sum(sm_mass(d) for i, d in enumerate(ds) if i != i0)
                        dmass = np.tile(np.asarray([sm_mass(d) for d in ds], dtype=np.float64), (r.size, 1))
                        for Mu in np.unique(Mr):  # one table per parent mass (fixed for eta')
                            sel = Mr == Mu
                            dmass[sel, i0] = sample_line_shape(ds[i0], float(Mu), m_other, rng.random(int(sel.sum())))
                    pp = np.ascontiguousarray(cols_p4[j][r])
                    if dmass is None and np.all(Mr == M):
                        out = _decay_one(pp, M, ds, model, rng)  # fixed masses
                    else:
                        if dmass is None:
                            dmass = np.tile(np.asarray([sm_mass(d) for d in ds], dtype=np.float64), (r.size, 1))
                        out = _decay_one_masses(pp, Mr, ds, model, rng, dmass)
                    cols_pdg[j][r] = ds[0]
                    cols_p4[j][r] = out[:, 0]
                    cols_m[j][r] = np.nan if dmass is None else dmass[:, 0]
                    for i in range(1, len(ds)):
                        cols_pdg[base + i - 1][r] = ds[i]
                        cols_p4[base + i - 1][r] = out[:, i]
                        cols_m[base + i - 1][r] = np.nan if dmass is None else dmass[:, i]
        j += 1
    P = np.stack(cols_pdg, axis=1)
    Q = np.stack(cols_p4, axis=1)
    order = np.argsort(P == 0, axis=1, kind="stable")
    P = np.take_along_axis(P, order, axis=1)
    Q = np.take_along_axis(Q, order[:, :, None], axis=1)
    if k_out is None:
        k_out = int(np.max(np.count_nonzero(P, axis=1), initial=0))
    if np.any(np.count_nonzero(P, axis=1) > k_out):  # pragma: no cover - guarded by max_multiplicity
        raise RuntimeError("resonance decays produced more particles than k_out")
    if P.shape[1] < k_out:
        P = np.concatenate([P, np.zeros((n, k_out - P.shape[1]), dtype=P.dtype)], axis=1)
        Q = np.concatenate([Q, np.zeros((n, k_out - Q.shape[1], 4))], axis=1)
    return P[:, :k_out].astype(np.int32), np.ascontiguousarray(Q[:, :k_out])
