"""Branch-free cosine and sine of a fraction of a turn, ``2 pi u``, that LLVM vectorises.

Azimuths are drawn as ``phi = 2 pi u`` from a uniform ``u``. ``math.cos`` / ``math.sin`` in a
numba loop are calls into the C library (its ``sincos``: 4.4 % of the default chain in a perf
profile of its steady state), so a loop using them runs one element at a time; this is plain
arithmetic.

Reduction by quarter turns, exact in binary floating point: ``k = round(4 u)`` (kept a float: a
float-to-int64 conversion has no SIMD instruction before AVX-512) and ``r = u - k/4``, ``|r| <=
1/8``: ``4 u`` and ``k/4`` are exact, and so is the difference (Sterbenz's lemma, P. H. Sterbenz,
*Floating-Point Computation*, Prentice-Hall 1974, sec. 4.3: for ``k != 0``, ``u`` and ``k/4`` are
within a factor 2 of each other; for ``k = 0``, ``r = u``). Then ``t = 2 pi r``, ``|t| <= pi/4``
(one rounding), the Taylor polynomials of ``sin t`` to ``t^15`` and ``cos t`` to ``t^16`` in
Horner's form (remainders below ``t^17/17! = 4.6e-17`` and ``t^18/18! = 2e-18`` at ``pi/4``), and
the quarter's swap and signs as selects: ``cos(k pi/2 + t)``, ``sin(k pi/2 + t)``.
Within 2.1e-16 of the exact values for ``u`` in [0, 1), where ``math.cos(2 pi u)`` is within
7e-16: the library's argument carries the rounding of ``2 pi u`` (an absolute error up to
``4.4e-16`` near ``phi = 2 pi``), this one only that of ``2 pi r`` (tests/test_kinematics.py,
against long double). 3.4 ns for both in a compiled loop on an AVX2 machine, where a loop
calling ``math.cos`` and ``math.sin`` runs one element at a time.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from ._jit import JIT_OPTIONS

__all__ = ["cos_sin_turn", "cos_sin_turns"]

_TWO_PI = 2.0 * math.pi
#: Taylor coefficients of ``sin t / t`` and ``cos t`` in powers of ``t^2``
_SIN = tuple((-1.0) ** n / math.factorial(2 * n + 1) for n in range(8))
_COS = tuple((-1.0) ** n / math.factorial(2 * n) for n in range(9))


@numba.njit(inline="always", **JIT_OPTIONS)
def cos_sin_turn(u):  # pragma: no cover - compiled
    """``(cos(2 pi u), sin(2 pi u))`` for finite ``u`` (module docstring)."""
    k = np.floor(4.0 * u + 0.5)
    t = _TWO_PI * (u - 0.25 * k)
    t2 = t * t
    s = _SIN[7]
    for n in range(6, -1, -1):
        s = s * t2 + _SIN[n]
    s *= t
    c = _COS[8]
    for n in range(7, -1, -1):
        c = c * t2 + _COS[n]
    q = k - 4.0 * np.floor(0.25 * k)  # the quarter, 0 to 3
    odd = (q == 1.0) | (q == 3.0)
    cq = s if odd else c
    sq = c if odd else s
    cq = -cq if (q == 1.0) | (q == 2.0) else cq
    sq = -sq if q >= 2.0 else sq
    return cq, sq


@numba.njit(**JIT_OPTIONS)
def _cos_sin_turns(u, c, s):  # pragma: no cover - compiled
    for i in range(u.size):
        c[i], s[i] = cos_sin_turn(u[i])


def cos_sin_turns(u) -> tuple[np.ndarray, np.ndarray]:
    """:func:`cos_sin_turn` of each element of ``u`` (any shape): ``(cos, sin)`` arrays."""
    a = np.ascontiguousarray(np.asarray(u, dtype=np.float64))
    c, s = np.empty(a.shape), np.empty(a.shape)
    _cos_sin_turns(a.reshape(-1), c.reshape(-1), s.reshape(-1))
    return c, s
