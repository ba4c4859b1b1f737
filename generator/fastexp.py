"""Branch-free ``exp(-x)`` and ``1 - exp(-x)`` for ``0 <= x <= X_MAX`` that LLVM vectorises.

``math.exp`` inside a numba loop is a call into the C library, so a loop over many arguments
runs one at a time (7 ns each on the bench machine); these are plain arithmetic, so a loop
over an array of arguments runs in SIMD lanes (1.1 and 1.9 ns on an AVX-512 machine; on an
AVX2 one, 2.9 and 6.6 ns while ``k`` below went through an int64, 1.6 and 2.9 ns without).
Used by the coupling reweighting's inner loop (:mod:`fipgen.scan.kernels`) and the
bremsstrahlung channel's aimed proposal (:mod:`fipgen.production.channels.brems_proposal`), whose
numpy ``exp`` and ``expm1`` took 5.6 and 12 ns a value on an AVX2 machine (numpy's float64
exponentials have SIMD paths only for AVX-512; ``expm1`` has none).

Both reduce ``-x = k ln2 + r``, ``|r| <= ln2 / 2`` (Cody-Waite: ``ln2`` split in a high part
exact in 32 bits and the rest, W. J. Cody and W. Waite, *Software Manual for the Elementary
Functions*, 1980, ch. 6) and build ``2^k`` in the exponent bits. ``exp_neg``: ``2^k e^r``, ``e^r``
by its Taylor polynomial of degree 13 (the remainder ``r^14 / 14! < 5e-18``; Estrin's scheme,
G. Estrin, Proc. Western Joint Computer Conference 1960, 33). ``one_minus_exp_neg``:
``(1 - 2^k) - 2^k (e^r - 1)``, ``e^r - 1 = r (1 + r/2! + ... + r^13/14!)`` (for ``x <= ln2 / 2``,
``k = 0`` and ``r = -x`` exactly: the series of ``1 - e^-x`` itself, no cancellation; above, ``1 -
2^k`` is exact and the difference loses at most a bit). Both within 2 ulp of ``math.exp`` and
``-math.expm1(-x)`` (tests/test_scan_kernels.py).

``window_factor(x_in, x_len) = e^-x_in (1 - e^-x_len)``: the probability to decay in a window
entered after ``x_in`` decay lengths and crossed in ``x_len`` (the stable form of
:func:`fipgen.kinematics.window_decay_probability`), 0 where ``x_in > X_MAX`` (below 1e-304) or
is NaN; :func:`window_factors` applies it to arrays (the numpy-callable form of the same numbers).
"""

from __future__ import annotations

import math

import numba
import numpy as np
from numba.core import types
from numba.extending import intrinsic

from ._jit import JIT_OPTIONS

__all__ = ["X_MAX", "exp_neg", "one_minus_exp_neg", "window_factor", "window_factors"]

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


#: Taylor coefficients of ``e^r`` (``1/n!``) and of ``(e^r - 1)/r`` (``1/(n+1)!``)
_EXP = tuple(1.0 / math.factorial(n) for n in range(14))
_EXPM1 = tuple(1.0 / math.factorial(n + 1) for n in range(14))
#: ``1023 + 2^52``: ``k`` plus this is exact, its low 11 bits ``k + 1023`` (for ``-1022 <= k <= 0``)
_EXPONENT_BIAS = 1023.0 + 2.0**52


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
def _reduce(x):  # pragma: no cover - compiled
    """``(r, 2^k)`` with ``-x = k ln2 + r``, ``|r| <= ln2 / 2`` (``0 <= x <= X_MAX``). ``k`` stays a
    float and ``2^k`` is made from the bits of ``k + 1023 + 2^52``, whose low bits are the
    biased exponent: no float-to-int64 conversion, which has no SIMD instruction before AVX-512
    (with ``math.floor``'s integer the loops ran one lane at a time on AVX2 machines)."""
    y = -x
    kf = np.floor(y * _INV_LN2 + 0.5)
    r = (y - kf * _LN2_HI) - kf * _LN2_LO
    return r, _bits_as_float(_float_bits(kf + _EXPONENT_BIAS) << 52)


@numba.njit(inline="always", **JIT_OPTIONS)
def exp_neg(x):  # pragma: no cover - compiled
    """``exp(-x)`` for ``0 <= x <= X_MAX`` (module docstring)."""
    r, scale = _reduce(x)
    return _estrin13(r, _EXP) * scale


@numba.njit(inline="always", **JIT_OPTIONS)
def one_minus_exp_neg(x):  # pragma: no cover - compiled
    """``1 - exp(-x)`` for ``0 <= x <= X_MAX`` (module docstring)."""
    r, scale = _reduce(x)
    # e^r - 1 = r (1 + r/2! + ... + r^13/14!), so 1 - e^-x = (1 - 2^k) - 2^k (e^r - 1)
    return (1.0 - scale) - scale * (r * _estrin13(r, _EXPM1))


@numba.njit(inline="always", **JIT_OPTIONS)
def window_factor(x_in, x_len):  # pragma: no cover - compiled
    """``e^-x_in (1 - e^-x_len)`` for ``x_in, x_len >= 0`` (module docstring); branch-free."""
    ok = x_in <= X_MAX  # (False for NaN)
    a = x_in if ok else X_MAX
    b = x_len if x_len <= X_MAX else X_MAX  # (1 - e^-700 = 1 exactly)
    return exp_neg(a) * one_minus_exp_neg(b) * ok


@numba.njit(**JIT_OPTIONS)
def _window_factors(x_in, x_len, out):  # pragma: no cover - compiled
    for i in range(out.size):
        out[i] = window_factor(x_in[i], x_len[i])


def window_factors(x_in, x_len) -> np.ndarray:
    """:func:`window_factor` of each pair (arrays broadcast together)."""
    a, b = np.broadcast_arrays(np.asarray(x_in, dtype=np.float64), np.asarray(x_len, dtype=np.float64))
    out = np.empty(a.shape)
    _window_factors(np.ascontiguousarray(a).reshape(-1), np.ascontiguousarray(b).reshape(-1), out.reshape(-1))
    return out
