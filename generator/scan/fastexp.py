"""Branch-free ``exp(-x)`` and ``1 - exp(-x)`` for ``0 <= x <= X_MAX`` that LLVM vectorises.

``math.exp`` inside a numba loop is a call into the C library, so a loop over many arguments
runs one at a time (7 ns each on the bench machine); these are plain arithmetic, so a loop
over an array of arguments runs in SIMD lanes (1.1 and 1.9 ns). Used by the coupling
reweighting's inner loop (:mod:`fipgen.scan.kernels`).

``exp_neg``: Cody-Waite reduction ``-x = k ln2 + r``, ``|r| <= ln2 / 2`` (``ln2`` split in a
high part exact in 32 bits and the rest, W. J. Cody and W. Waite, *Software Manual for the
Elementary Functions*, 1980, ch. 6), ``e^r`` by its Taylor polynomial of degree 13 (the
remainder ``r^14 / 14! < 5e-18``; Estrin's scheme, G. Estrin, Proc. Western Joint Computer
Conference 1960, 33) and ``2^k`` built in the exponent bits: within 2 ulp of
``math.exp`` (tests/test_scan_kernels.py). ``one_minus_exp_neg``: below ``x = 1/2`` the
alternating series of ``1 - e^-x`` to ``x^14`` (remainder ``< 1e-16`` relative), above it
``1 - exp_neg(x)`` (``e^-x < 0.61``: the difference loses at most 1.3 bits); within 4 ulp of
``-math.expm1(-x)``.
"""

from __future__ import annotations

import math

import numba
import numpy as np
from numba.core import types
from numba.extending import intrinsic

from .._jit import JIT_OPTIONS

__all__ = ["X_MAX", "exp_neg", "one_minus_exp_neg"]

#: largest argument: ``2^k`` stays a normal number (``e^-700 = 1e-304``)
X_MAX = 700.0

_LN2_HI = 6.93147180369123816490e-01  # the first 32 bits of ln 2: k * _LN2_HI is exact
_LN2_LO = 1.90821492927058770002e-10  # ln 2 - _LN2_HI
_INV_LN2 = 1.44269504088896338700e00


def _bitcast(source, target, doc: str):
    """A numba intrinsic reinterpreting a ``source`` value's 64 bits as a ``target`` (LLVM's
    ``bitcast``: no instruction)."""

    def cast(typingctx, x):
        def codegen(context, builder, signature, args):
            return builder.bitcast(args[0], context.get_value_type(target))

        return target(source), codegen

    cast.__doc__ = doc
    return intrinsic(cast)


_bits_as_float = _bitcast(types.int64, types.float64, "The float64 whose bit pattern is the int64 ``bits``.")
_float_bits = _bitcast(types.float64, types.int64,
                       "The int64 bit pattern of the float64 ``x`` (for ``x >= 0`` it orders as ``x`` does).")


#: Taylor coefficients of ``e^r`` (``1/n!``) and of ``(1 - e^-x)/x`` in ``y = -x`` (``1/(n+1)!``)
_EXP = tuple(1.0 / math.factorial(n) for n in range(14))
_ONE_MINUS_EXP = tuple(1.0 / math.factorial(n + 1) for n in range(14))


@numba.njit(inline="always", **JIT_OPTIONS)
def _estrin13(r, c):  # pragma: no cover - compiled
    """``sum_(n <= 13) c[n] r^n`` by Estrin's scheme (independent products: a short dependency
    chain, so SIMD lanes are not waiting on one another)."""
    r2 = r * r
    r4 = r2 * r2
    q0 = (c[0] + c[1] * r) + (c[2] + c[3] * r) * r2
    q1 = (c[4] + c[5] * r) + (c[6] + c[7] * r) * r2
    q2 = (c[8] + c[9] * r) + (c[10] + c[11] * r) * r2
    q3 = c[12] + c[13] * r
    return (q0 + q1 * r4) + (q2 + q3 * r4) * (r4 * r4)


@numba.njit(inline="always", **JIT_OPTIONS)
def exp_neg(x):  # pragma: no cover - compiled
    """``exp(-x)`` for ``0 <= x <= X_MAX`` (module docstring)."""
    y = -x
    kf = math.floor(y * _INV_LN2 + 0.5)
    r = (y - kf * _LN2_HI) - kf * _LN2_LO
    return _estrin13(r, _EXP) * _bits_as_float((np.int64(kf) + 1023) << 52)


@numba.njit(inline="always", **JIT_OPTIONS)
def one_minus_exp_neg(x):  # pragma: no cover - compiled
    """``1 - exp(-x)`` for ``0 <= x <= X_MAX`` (module docstring)."""
    s = x * _estrin13(-x, _ONE_MINUS_EXP)  # x (1 - x/2! + x^2/3! - ... + x^13/14!)
    return s if x < 0.5 else 1.0 - exp_neg(x)
