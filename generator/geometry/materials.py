"""Materials: PDG bulk properties from ``geometries/materials.toml``, loaded on first use.

Units: the table stores density in g/cm^3 and the radiation and nuclear interaction
lengths X0, lambda_I in g/cm^2 (PDG "Atomic and Nuclear Properties of Materials");
:class:`Material` adds the lengths in metres and the electron and nuclei number
densities per m^3, which is what transport and production use. Each material also
carries its :class:`Ionisation` constants (mean excitation energy I in eV and the
Sternheimer density-effect parameters), the only copy of them in fipgen: every
stopping-power computation reads them through :mod:`.stopping`.

Also home of :class:`TableReader`, the strict TOML-table checker shared with
:mod:`.loader`: every problem is one :class:`~fipgen.errors.GeometryError` line
naming the file, the dotted key, the value and what is allowed.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ..errors import GeometryError

__all__ = ["AVOGADRO", "Ionisation", "Material", "get_material", "material_names", "materials"]

#: Avogadro constant, 1/mol (SI 2019, exact).
AVOGADRO = 6.02214076e23

#: Tolerance of the cross-checks between stored and derived numbers of the table.
_CHECK_TOL = 1e-3


def _short(value: Any, limit: int = 80) -> str:
    """``repr(value)``, cut to ``limit`` characters for one-line messages."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


class TableReader:
    """Strict reader of one TOML table (a dict) of a file, for one-line errors.

    Parameters
    ----------
    file : str
        The file's name as shown to the user.
    path : str
        Dotted path of the table (``"detector.volumes[1]"``).
    data : Mapping
        The table's content.
    """

    def __init__(self, file: str, path: str, data: Any) -> None:
        self.file = file
        self.path = path
        if not isinstance(data, Mapping):
            raise GeometryError(f"{file}: {path} = {_short(data)}: expected a table")
        self.data = data

    def key(self, name: str) -> str:
        """Dotted path of ``name`` inside this table."""
        return f"{self.path}.{name}" if self.path else name

    def error(self, name: str, value: Any, allowed: str) -> GeometryError:
        """The one-line error for key ``name`` holding ``value``."""
        return GeometryError(f"{self.file}: {self.key(name)} = {_short(value)}: {allowed}")

    def check_keys(self, allowed: Mapping[str, str], required: tuple[str, ...] = ()) -> None:
        """Unknown keys and missing required keys are errors.

        ``allowed`` maps each allowed key to a short description, quoted in the message
        of a missing key.
        """
        for name, value in self.data.items():
            if name not in allowed:
                raise self.error(name, value, "unknown key; allowed: " + ", ".join(allowed))
        for name in required:
            if name not in self.data:
                raise GeometryError(f"{self.file}: missing required key {self.key(name)} ({allowed[name]})")

    def has(self, name: str) -> bool:
        return name in self.data

    def string(self, name: str) -> str:
        value = self.data[name]
        if not isinstance(value, str) or not value.strip():
            raise self.error(name, value, "expected a non-empty string")
        return value

    def choice(self, name: str, options: tuple[str, ...]) -> str:
        value = self.data[name]
        if value not in options:
            raise self.error(name, value, "allowed: " + ", ".join(repr(o) for o in options))
        return value

    def number(self, name: str, *, positive: bool = False, nonnegative: bool = False, unit: str = "") -> float:
        value = self.data[name]
        unit_txt = f" ({unit})" if unit else ""
        if not _is_number(value) or not math.isfinite(float(value)):
            raise self.error(name, value, f"expected a finite number{unit_txt}")
        x = float(value)
        if positive and not x > 0.0:
            raise self.error(name, value, f"expected a positive number{unit_txt}")
        if nonnegative and x < 0.0:
            raise self.error(name, value, f"expected a number >= 0{unit_txt}")
        return x

    def integer(self, name: str, *, positive: bool = False) -> int:
        value = self.data[name]
        if not isinstance(value, int) or isinstance(value, bool):
            raise self.error(name, value, "expected an integer")
        if positive and value <= 0:
            raise self.error(name, value, "expected a positive integer")
        return int(value)

    def vector(self, name: str, n: int = 3, *, positive: bool = False, unit: str = "m") -> tuple[float, ...]:
        value = self.data[name]
        what = f"{n} {'positive ' if positive else ''}finite numbers ({unit})"
        if not isinstance(value, list) or len(value) != n or not all(_is_number(v) for v in value):
            raise self.error(name, value, f"expected a list of {what}")
        out = tuple(float(v) for v in value)
        if not all(math.isfinite(v) for v in out) or (positive and not all(v > 0.0 for v in out)):
            raise self.error(name, value, f"expected a list of {what}")
        return out

    def strings(self, name: str) -> tuple[str, ...]:
        value = self.data[name]
        if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
            raise self.error(name, value, "expected a non-empty list of non-empty strings")
        return tuple(value)

    def table(self, name: str) -> TableReader:
        value = self.data[name]
        if not isinstance(value, Mapping):
            raise self.error(name, value, "expected a table")
        return TableReader(self.file, self.key(name), value)

    def tables(self, name: str) -> list[TableReader]:
        value = self.data[name]
        if not isinstance(value, list) or not value or not all(isinstance(v, Mapping) for v in value):
            raise self.error(name, value, f"expected one or more [[{self.key(name)}]] tables")
        return [TableReader(self.file, f"{self.key(name)}[{i}]", v) for i, v in enumerate(value)]


@dataclass(frozen=True)
class Ionisation:
    """Mean excitation energy and Sternheimer density-effect parameters of one material.

    The density-effect correction of Sternheimer, Berger and Seltzer, At. Data Nucl. Data
    Tables 30 (1984) 261 (PDG RPP "Passage of particles through matter", eq. for delta),
    with ``x = log10(beta gamma)``::

        delta = 2 ln10 x - Cbar                       x >= x1
              = 2 ln10 x - Cbar + a (x1 - x)^k        x0 <= x < x1
              = delta0 10^(2 (x - x0))                x < x0 (0 for insulators)

    evaluated by :func:`fipgen.geometry.stopping.density_effect`.

    Attributes
    ----------
    I : float
        Mean excitation energy, eV.
    cbar, x0, x1, a, k, delta0 : float
        Sternheimer's -C (a positive number), x0, x1, a, k (his "m") and delta0.
    reference_density : float
        g/cm^3: the density the parameters belong to. It differs from the material's
        density only where the table says so (target graphite); the density effect then
        scales with the plasma energy (:func:`fipgen.geometry.stopping.density_effect`).
    source : str
        Where the numbers come from.
    """

    I: float
    cbar: float
    x0: float
    x1: float
    a: float
    k: float
    delta0: float
    reference_density: float
    source: str

    @property
    def mean_excitation_gev(self) -> float:
        """I in GeV."""
        return self.I * 1e-9

    @property
    def sternheimer(self) -> tuple[float, float, float, float, float, float]:
        """``(cbar, x0, x1, a, k, delta0)``."""
        return (self.cbar, self.x0, self.x1, self.a, self.k, self.delta0)


@dataclass(frozen=True)
class Material:
    """Bulk properties of one material (PDG), with derived SI quantities.

    Attributes
    ----------
    name : str
        Key in the materials table (e.g. ``"LAr"``).
    title : str
        Human-readable name.
    Z, A : float
        Atomic number and atomic weight (g/mol). For mixtures the effective values
        ``A = 1 / sum(w_i / A_i)`` (mean mass per atom) and ``Z = <Z/A> * A``.
    z_over_a : float
        ``<Z/A>`` (mol/g), mass-weighted over the composition.
    density : float
        g/cm^3.
    radiation_length, interaction_length : float
        X0 and nuclear interaction length lambda_I, g/cm^2.
    electron_density : float
        Electrons per m^3: ``density * N_A * <Z/A>``.
    composition : tuple of (str, float)
        Element symbols and mass fractions (summing to 1).
    elements : tuple of (str, int, float)
        ``(symbol, Z, A)`` of each element of ``composition``, same order.
    source : str
        Where the numbers come from.
    ionisation : Ionisation
        Mean excitation energy and density-effect parameters.
    """

    name: str
    title: str
    Z: float
    A: float
    z_over_a: float
    density: float
    radiation_length: float
    interaction_length: float
    electron_density: float
    composition: tuple[tuple[str, float], ...]
    elements: tuple[tuple[str, int, float], ...]
    source: str
    ionisation: Ionisation

    @property
    def density_kg_m3(self) -> float:
        """Density in kg/m^3."""
        return self.density * 1e3

    @property
    def radiation_length_m(self) -> float:
        """Radiation length X0 in metres."""
        return self.radiation_length / self.density * 1e-2

    @property
    def interaction_length_m(self) -> float:
        """Nuclear interaction length lambda_I in metres."""
        return self.interaction_length / self.density * 1e-2

    @property
    def nuclei_density(self) -> float:
        """Nuclei (atoms) per m^3: ``density * N_A / A`` (all species for mixtures)."""
        return self.density * 1e6 * AVOGADRO / self.A

    def element_nuclei_densities(self) -> dict[str, float]:
        """Nuclei per m^3 of each element of the composition."""
        a = {sym: a for sym, _, a in self.elements}
        return {sym: self.density * 1e6 * AVOGADRO * w / a[sym] for sym, w in self.composition}


_MATERIAL_KEYS = {
    "title": "human-readable name",
    "aliases": "other names, list of strings",
    "Z": "atomic number (elements)",
    "A": "atomic weight g/mol (elements)",
    "z_over_a": "<Z/A> from the PDG page (mixtures)",
    "composition": "{ symbol = mass fraction }",
    "density": "g/cm^3",
    "radiation_length": "X0, g/cm^2",
    "interaction_length": "lambda_I, g/cm^2",
    "electron_density": "per m^3, = density * N_A * Z/A",
    "source": "where the numbers come from",
    "ionisation": "[materials.<name>.ionisation]: I, Sternheimer parameters, source",
}
_MATERIAL_REQUIRED = (
    "title", "composition", "density", "radiation_length", "interaction_length", "electron_density", "source", "ionisation",
)
_IONISATION_KEYS = {
    "I": "mean excitation energy, eV",
    "cbar": "Sternheimer -C (positive)",
    "x0": "Sternheimer x0",
    "x1": "Sternheimer x1 (> x0)",
    "a": "Sternheimer a",
    "k": "Sternheimer k (his m)",
    "delta0": "delta at x0 (conductors; 0 for insulators)",
    "reference_density": "g/cm^3 the parameters belong to (default: the material's density)",
    "source": "where the numbers come from",
}
_IONISATION_REQUIRED = ("I", "cbar", "x0", "x1", "a", "k", "delta0", "source")


def _parse_ionisation(t: TableReader, density: float) -> Ionisation:
    t.check_keys(_IONISATION_KEYS, _IONISATION_REQUIRED)
    x0 = t.number("x0")
    x1 = t.number("x1")
    if not x1 > x0:
        raise t.error("x1", x1, f"expected a number > x0 = {x0}")
    return Ionisation(
        I=t.number("I", positive=True, unit="eV"),
        cbar=t.number("cbar", positive=True),
        x0=x0,
        x1=x1,
        a=t.number("a", positive=True),
        k=t.number("k", positive=True),
        delta0=t.number("delta0", nonnegative=True),
        reference_density=t.number("reference_density", positive=True, unit="g/cm^3") if t.has("reference_density") else density,
        source=t.string("source"),
    )


def _parse_material(file: str, name: str, t: TableReader, elements: Mapping[str, tuple[int, float]]) -> Material:
    t.check_keys(_MATERIAL_KEYS, _MATERIAL_REQUIRED)
    comp_t = t.table("composition")
    if not comp_t.data:
        raise t.error("composition", {}, "expected at least one element")
    comp = []
    for sym in comp_t.data:
        if sym not in elements:
            raise comp_t.error(sym, comp_t.data[sym], "unknown element; allowed: " + ", ".join(elements))
        comp.append((sym, comp_t.number(sym, positive=True)))
    total = sum(w for _, w in comp)
    if abs(total - 1.0) > _CHECK_TOL:
        raise t.error("composition", dict(comp_t.data), f"mass fractions sum to {total:.6g}, expected 1")
    za = sum(w * elements[s][0] / elements[s][1] for s, w in comp)
    a_eff = 1.0 / sum(w / elements[s][1] for s, w in comp)
    if len(comp) == 1:
        sym = comp[0][0]
        for key, want in (("Z", elements[sym][0]), ("A", elements[sym][1])):
            if not t.has(key):
                raise GeometryError(f"{file}: missing required key {t.key(key)} (elements give Z and A)")
            got = t.number(key, positive=True)
            if abs(got - want) > _CHECK_TOL * want:
                raise t.error(key, got, f"disagrees with [elements.{sym}] ({want})")
    else:
        if not t.has("z_over_a"):
            raise GeometryError(f"{file}: missing required key {t.key('z_over_a')} (mixtures give the PDG <Z/A>)")
        got = t.number("z_over_a", positive=True)
        if abs(got - za) > _CHECK_TOL * za:
            raise t.error("z_over_a", got, f"disagrees with the composition (<Z/A> = {za:.5f})")
        for key in ("Z", "A"):
            if t.has(key):
                raise t.error(key, t.data[key], "only elements give Z and A; mixtures give z_over_a")
    if len(comp) == 1:  # exact values for elements
        z_eff, a_eff = float(elements[comp[0][0]][0]), elements[comp[0][0]][1]
        za = z_eff / a_eff
    else:
        z_eff = za * a_eff
    density = t.number("density", positive=True, unit="g/cm^3")
    n_e = density * 1e6 * AVOGADRO * za
    stored = t.number("electron_density", positive=True, unit="per m^3")
    if abs(stored - n_e) > _CHECK_TOL * n_e:
        raise t.error("electron_density", stored, f"disagrees with density * N_A * Z/A = {n_e:.5g} per m^3")
    return Material(
        name=name,
        title=t.string("title"),
        Z=z_eff,
        A=a_eff,
        z_over_a=za,
        density=density,
        radiation_length=t.number("radiation_length", positive=True, unit="g/cm^2"),
        interaction_length=t.number("interaction_length", positive=True, unit="g/cm^2"),
        electron_density=n_e,
        composition=tuple(comp),
        elements=tuple((s, elements[s][0], elements[s][1]) for s, _ in comp),
        source=t.string("source"),
        ionisation=_parse_ionisation(t.table("ionisation"), density),
    )


@lru_cache(maxsize=1)
def _table() -> tuple[dict[str, Material], dict[str, str]]:
    """(materials by name, alias -> name), read once from the packaged file."""
    from ..resources import data_file

    res = data_file("geometries", "materials.toml")
    file = "materials.toml"
    try:
        doc = tomllib.loads(res.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise GeometryError(f"{file}: packaged materials table not found") from None
    except tomllib.TOMLDecodeError as err:
        raise GeometryError(f"{file}: not valid TOML: {err}") from None
    root = TableReader(file, "", doc)
    root.check_keys({"elements": "[elements.<symbol>] Z, A", "materials": "[materials.<name>]"}, ("elements", "materials"))
    elements: dict[str, tuple[int, float]] = {}
    et = root.table("elements")
    for sym in et.data:
        e = et.table(sym)
        e.check_keys({"Z": "atomic number", "A": "atomic weight g/mol"}, ("Z", "A"))
        elements[sym] = (e.integer("Z", positive=True), e.number("A", positive=True))
    mats: dict[str, Material] = {}
    aliases: dict[str, str] = {}
    mt = root.table("materials")
    for name in mt.data:
        t = mt.table(name)
        mats[name] = _parse_material(file, name, t, elements)
        if t.has("aliases"):
            for alias in t.strings("aliases"):
                if alias in mt.data or alias in aliases:
                    raise t.error("aliases", t.data["aliases"], f"alias {alias!r} is already a material name or alias")
                aliases[alias] = name
    return mats, aliases


def materials() -> dict[str, Material]:
    """All materials of the packaged table, by name (a new dict; loaded on first use)."""
    return dict(_table()[0])


def material_names() -> list[str]:
    """Names of the packaged materials (aliases not included), table order."""
    return list(_table()[0])


def get_material(name: str) -> Material:
    """The material ``name`` (or one of its aliases, e.g. ``"Ar"`` for ``"LAr"``).

    Raises
    ------
    GeometryError
        If ``name`` is not in the table; the message lists the known names.
    """
    mats, aliases = _table()
    key = aliases.get(name, name) if isinstance(name, str) else name
    try:
        return mats[key]
    except (KeyError, TypeError):
        raise GeometryError(f"unknown material {name!r}; available: {', '.join(mats)}") from None
