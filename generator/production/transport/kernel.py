"""The numba kernel of charged-meson transport: each meson's fates (decay in flight in the
target, the decay region or the absorber, stop, escape) with their probabilities along its
line, through the range tables of :mod:`fipgen.production.transport.ranges`. Called by
:mod:`fipgen.production.transport.meson_transport`, which describes the physics.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from ..._jit import JIT_OPTIONS
from .ranges import _IH, _ILB, _IT, _IX, _at, _cell, _cell_lnbg, _lf, _lf_cell, _locate_below, _row, _x_of_lf

__all__: list[str] = []


# fate codes
_FLIGHT, _REST = 0, 1
# probabilities columns
_P_DIF_T, _P_DIF_F, _P_DIF_A, _P_STOP, _P_ESC, _STOP_REGION, _AFTER, _P_DIF_G = range(8)
_NPROB = 8


@numba.njit(**JIT_OPTIONS)
def _slot(k, after_i):  # pragma: no cover - compiled
    """Table slot of region k: 0 target, 1 absorber, 2 wall (-1: decay region)."""
    if k == 0:
        return 0
    if k == 2:
        return 1 + after_i
    return -1


@numba.njit(**JIT_OPTIONS)
def _kernel(
    p0, dirs, vtx, L_t, L_f, L_g, after, L_a,
    mass, ctau, c_m_ns, tau_ns, charged, dar,
    tabs, rho100, kap_had, kap_free, kap_gap,
    do_sample, fate, q_flight, mask, u,
):  # pragma: no cover - compiled
    """Per meson: region probabilities (n, 8) and, if do_sample, the sampled decay.

    tabs (3, 6, N): target, absorber, wall tables (charged only); rho100 (3,) (g/cm^2)/m;
    kap_had (3,) hadronic absorption per metre (neutral mesons in materials);
    L_f (n,): decay-region length, of which the first L_g (n,) lies upstream of the pipe
    (absorption kap_gap per metre there, kap_free in the pipe); after (n,): 0 absorber,
    1 wall, 2 escape; mask (3,) bool: flight regions allowed.
    """
    n = p0.shape[0]
    probs = np.zeros((n, _NPROB))
    vout = np.empty((n, 3))
    p4 = np.zeros((n, 4))
    tout = np.zeros(n)
    wf = np.zeros(n)
    rest = np.zeros(n, dtype=np.bool_)
    # per region k (0 target, 1 decay region, 2 absorber/wall): unconditional P(decay in
    # flight), start distance along the ray and time, entry momentum, entry/exit range
    pd = np.zeros(3)
    s0 = np.zeros(3)
    t0 = np.zeros(3)
    pin = np.zeros(3)
    xin = np.zeros(3)
    xout = np.zeros(3)
    Lk = np.zeros(3)
    for i in range(n):
        p = p0[i]
        for k in range(3):
            pd[k] = 0.0
        pd_gap = 0.0  # part of pd[1] upstream of the pipe
        Lk[0] = L_t[i]
        Lk[1] = L_f[i]
        Lk[2] = L_a[i]
        surv = 1.0
        s = 0.0
        t = 0.0
        stop_k = -1
        stop_s = 0.0
        stop_t = 0.0
        esc = 0.0
        for k in range(3):
            if k == 2 and after[i] == 2:
                esc = surv
                break
            m = _slot(k, after[i])
            s0[k] = s
            t0[k] = t
            pin[k] = p
            L = Lk[k]
            if k == 1:
                # decay region, constant momentum: a gap of length L_g (gas kap_gap), then
                # the pipe (kap_free); exponential decay and absorption in each
                bg = p / mass
                beta = p / math.sqrt(p * p + mass * mass)
                kd = 1.0 / (bg * ctau)
                lg = L_g[i]
                if lg > 0.0:
                    ktg = kd + kap_gap
                    pd_gap = surv * kd / ktg * (-math.expm1(-ktg * lg))
                    surv *= math.exp(-ktg * lg)
                kt = kd + kap_free
                lp = L - lg
                if lp == np.inf:
                    pd[k] = pd_gap + surv * kd / kt
                    surv = 0.0
                    break
                pd[k] = pd_gap + surv * kd / kt * (-math.expm1(-kt * lp))
                surv *= math.exp(-kt * lp)
                s += L
                t += L / (beta * c_m_ns)
            elif not charged:
                # constant momentum in a material: exponential decay and absorption
                bg = p / mass
                beta = p / math.sqrt(p * p + mass * mass)
                kd = 1.0 / (bg * ctau)
                ka = kap_had[m]
                kt = kd + ka
                if L == np.inf:
                    pd[k] = surv * kd / kt
                    surv = 0.0
                    break
                pd[k] = surv * kd / kt * (-math.expm1(-kt * L))
                surv *= math.exp(-kt * L)
                s += L
                t += L / (beta * c_m_ns)
            else:
                tab = tabs[m]
                r100 = rho100[m]
                X0, j0, w0 = _cell_lnbg(tab, math.log(p / mass))
                X1 = X0 - r100 * L if L != np.inf else -1.0
                xin[k] = X0
                lf0 = _lf_cell(tab, X0, j0, w0)
                h0 = _row(tab, _IH, j0, w0)
                T0 = _row(tab, _IT, j0, w0)
                if X1 <= 0.0:
                    xout[k] = 0.0
                    pd[k] = surv * math.exp(lf0 - h0)
                    surv *= math.exp(-h0)
                    stop_k = k
                    stop_s = s + X0 / r100
                    stop_t = t + T0 / (r100 * c_m_ns)
                    break
                xout[k] = X1
                j1 = _locate_below(tab[_IX], X1, max(j0, 0))
                w1 = X1 / tab[_IX, 0] if j1 < 0 else (X1 - tab[_IX, j1]) / (tab[_IX, j1 + 1] - tab[_IX, j1])
                lf1 = _lf_cell(tab, X1, j1, w1)
                pd[k] = surv * math.exp(lf0 - h0) * (-math.expm1(lf1 - lf0))
                surv *= math.exp(_row(tab, _IH, j1, w1) - h0)
                s += L
                t += (T0 - _row(tab, _IT, j1, w1)) / (r100 * c_m_ns)
                p = mass * math.exp(_row(tab, _ILB, j1, w1))
            if k == 2:
                esc = surv  # left the absorber on its far side
        probs[i, _P_DIF_T] = pd[0]
        probs[i, _P_DIF_F] = pd[1]
        probs[i, _P_DIF_A] = pd[2]
        probs[i, _P_STOP] = surv if stop_k >= 0 else 0.0
        probs[i, _P_ESC] = esc
        probs[i, _STOP_REGION] = stop_k
        probs[i, _AFTER] = after[i]
        probs[i, _P_DIF_G] = pd_gap
        if not do_sample:
            continue
        # ------------------------------------------------ sampling
        if fate == 2:
            if u[0, i] < q_flight:
                f = _FLIGHT
                choose = q_flight
            else:
                f = _REST
                choose = 1.0 - q_flight
        else:
            f = fate
            choose = 1.0
        d0 = dirs[i, 0]
        d1 = dirs[i, 1]
        d2 = dirs[i, 2]
        if f == _REST:
            rest[i] = True
            p_rest = probs[i, _P_STOP] if (dar and stop_k >= 0) else 0.0
            wf[i] = p_rest / choose
            if stop_k >= 0:
                ss = stop_s
                tt = stop_t - tau_ns * math.log1p(-u[2, i])
            else:
                ss = 0.0
                tt = 0.0
            vout[i, 0] = vtx[i, 0] + ss * d0
            vout[i, 1] = vtx[i, 1] + ss * d1
            vout[i, 2] = vtx[i, 2] + ss * d2
            p4[i, 3] = mass
            tout[i] = tt
            continue
        # flight: choose a region with probability pd[k] among the allowed ones
        tot = 0.0
        for k in range(3):
            if mask[k]:
                tot += pd[k]
        wf[i] = tot / choose
        if not (tot > 0.0):
            vout[i, 0] = vtx[i, 0]
            vout[i, 1] = vtx[i, 1]
            vout[i, 2] = vtx[i, 2]
            pp = p0[i]
            p4[i, 0] = pp * d0
            p4[i, 1] = pp * d1
            p4[i, 2] = pp * d2
            p4[i, 3] = math.sqrt(pp * pp + mass * mass)
            continue
        target = u[1, i] * tot
        acc = 0.0
        kk = -1
        before = 0.0
        for k in range(3):
            if mask[k] and pd[k] > 0.0:
                kk = k
                before = acc
                acc += pd[k]
                if target < acc:
                    break
        uu = (target - before) / pd[kk]
        if uu < 0.0:
            uu = 0.0
        elif uu > 1.0:
            uu = 1.0
        pk = pin[kk]
        m = _slot(kk, after[i])
        if kk == 1 or not charged:
            bg = pk / mass
            beta = pk / math.sqrt(pk * pk + mass * mass)
            kd = 1.0 / (bg * ctau)
            L = Lk[kk]
            off = 0.0  # start of the chosen stretch inside the region
            if kk == 1:
                # gap (probability pd_gap) or pipe (the rest): truncated exponential in either
                lg = L_g[i]
                if pd_gap > 0.0 and uu * pd[1] < pd_gap:
                    uu = uu * pd[1] / pd_gap
                    kt = kd + kap_gap
                    L = lg
                else:
                    if pd_gap > 0.0:
                        uu = (uu * pd[1] - pd_gap) / (pd[1] - pd_gap)
                        if uu < 0.0:
                            uu = 0.0
                        elif uu > 1.0:
                            uu = 1.0
                    kt = kd + kap_free
                    off = lg
                    L = L - lg
            else:
                kt = kd + kap_had[m]
            if L == np.inf:
                ds = -math.log1p(-uu) / kt
            else:
                ds = -math.log1p(uu * math.expm1(-kt * L)) / kt
                if ds > L:
                    ds = L
            ds += off
            ss = s0[kk] + ds
            tt = t0[kk] + ds / (beta * c_m_ns)
            pdec = pk
        else:
            tab = tabs[m]
            r100 = rho100[m]
            X0 = xin[kk]
            lf0 = _lf(tab, X0)
            lf1 = _lf(tab, xout[kk])
            r = math.exp(lf1 - lf0) if lf1 > -np.inf else 0.0
            arg = r + uu * (1.0 - r)
            lft = lf0 + math.log(arg) if arg > 0.0 else -np.inf
            Xs = _x_of_lf(tab, lft)
            if Xs > X0:
                Xs = X0
            if Xs < xout[kk]:
                Xs = xout[kk]
            js, ws = _cell(tab, Xs)
            ss = s0[kk] + (X0 - Xs) / r100
            tt = t0[kk] + (_at(tab, _IT, X0) - _row(tab, _IT, js, ws)) / (r100 * c_m_ns)
            pdec = mass * math.exp(_row(tab, _ILB, js, ws)) if Xs > 0.0 else 0.0
        vout[i, 0] = vtx[i, 0] + ss * d0
        vout[i, 1] = vtx[i, 1] + ss * d1
        vout[i, 2] = vtx[i, 2] + ss * d2
        p4[i, 0] = pdec * d0
        p4[i, 1] = pdec * d1
        p4[i, 2] = pdec * d2
        p4[i, 3] = math.sqrt(pdec * pdec + mass * mass)
        tout[i] = tt
    return probs, vout, p4, tout, wf, rest


@numba.njit(**JIT_OPTIONS)
def _free_region(vtx, d, L_t, s_abs, L_abs, cx, cy, R, z_lo, z_hi, z_gas):  # pragma: no cover - compiled
    """Per ray: decay-region length L_f, its part L_g upstream of ``z_gas`` (the gap between
    the target and the pipe), what follows it (0 absorber, 1 wall, 2 escape) and the length
    of that (L_a).

    The decay region is the inside of the cylinder of radius R about (cx, cy) parallel to z,
    from where the ray leaves the target to the first of: the absorber, the cylinder's
    surface, the plane z_lo (going backwards) and the plane z_hi (going forwards).
    """
    n = vtx.shape[0]
    L_f = np.zeros(n)
    L_g = np.zeros(n)
    after = np.full(n, 2, dtype=np.int64)
    L_a = np.zeros(n)
    for i in range(n):
        qx = vtx[i, 0] + L_t[i] * d[i, 0] - cx
        qy = vtx[i, 1] + L_t[i] * d[i, 1] - cy
        qz = vtx[i, 2] + L_t[i] * d[i, 2]
        a = d[i, 0] * d[i, 0] + d[i, 1] * d[i, 1]
        b = qx * d[i, 0] + qy * d[i, 1]
        cc = qx * qx + qy * qy - R * R
        if cc >= 0.0:
            s_wall = 0.0
        elif a > 0.0:
            s_wall = (-b + math.sqrt(max(b * b - a * cc, 0.0))) / a
        else:
            s_wall = np.inf
        if d[i, 2] < 0.0:
            s_wall = min(s_wall, max((z_lo - qz) / d[i, 2], 0.0))
            s_end = np.inf
        elif d[i, 2] > 0.0:
            s_end = max((z_hi - qz) / d[i, 2], 0.0)
        else:
            s_end = np.inf
        sa = s_abs[i]
        if sa <= s_wall and sa <= s_end:
            L_f[i] = sa
            after[i] = 0
            L_a[i] = L_abs[i]
        elif s_wall <= s_end:
            L_f[i] = s_wall
            after[i] = 1
            L_a[i] = np.inf
        else:
            L_f[i] = s_end if s_end < np.inf else 0.0
        if qz < z_gas:
            if d[i, 2] > 0.0:
                L_g[i] = min((z_gas - qz) / d[i, 2], L_f[i])
            else:
                L_g[i] = L_f[i]
    return L_f, L_g, after, L_a


