"""Ray chords: numba kernels vs numpy references vs independent point tests, MC volumes,
union merging and the proposal density of Solid.sample_points."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from fipgen.geometry import chords as K
from fipgen.geometry import list_geometries, load_beamline, load_detector
from fipgen.geometry.frames import Placement
from fipgen.geometry.shapes import Box, Cylinder, Solid, Sphere, Volume, aabb

# ----------------------------------------------------------------------- helpers


def random_placement(rng: np.random.Generator, spread: float = 2.0) -> Placement:
    axis = rng.standard_normal(3)
    return Placement.from_spec(rng.uniform(-spread, spread, 3), {"axis": axis.tolist(), "angle": float(rng.uniform(0, 2 * np.pi))})


def random_shape(rng: np.random.Generator, kind: str):
    if kind == "box":
        return Box(tuple(rng.uniform(0.2, 3.0, 3)))
    if kind == "cylinder":
        return Cylinder(float(rng.uniform(0.2, 2.0)), float(rng.uniform(0.2, 5.0)))
    return Sphere(float(rng.uniform(0.2, 2.0)))


def unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def isotropic(rng: np.random.Generator, n: int) -> np.ndarray:
    return unit(rng.standard_normal((n, 3)))


def cone(rng: np.random.Generator, n: int, axis: np.ndarray, half_angle: float) -> tuple[np.ndarray, float]:
    """Directions uniform in a cone (and its solid angle, sr)."""
    w = unit(np.asarray(axis, dtype=float))
    a = np.array([1.0, 0.0, 0.0]) if abs(w[0]) < 0.9 else np.array([0.0, 1.0, 0.0])
    u = unit(np.cross(w, a))
    v = np.cross(w, u)
    cmin = math.cos(half_angle)
    ct = 1.0 - rng.random(n) * (1.0 - cmin)
    st = np.sqrt(1.0 - ct**2)
    ph = 2 * np.pi * rng.random(n)
    d = ct[:, None] * w + (st * np.cos(ph))[:, None] * u + (st * np.sin(ph))[:, None] * v
    return d, 2 * np.pi * (1.0 - cmin)


def cone_towards(solid: Solid, origin: np.ndarray) -> tuple[np.ndarray, float]:
    centre, radius = solid.bounding_sphere()
    axis = centre - origin
    dist = np.linalg.norm(axis)
    assert dist > radius
    return axis, math.asin(radius / dist)


def mixed_rays(rng: np.random.Generator, solid: Solid, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Origins inside and outside the bounding sphere; half of the rays aimed at the solid."""
    centre, radius = solid.bounding_sphere()
    origins = centre + rng.uniform(-2.5 * radius, 2.5 * radius, (n, 3))
    targets = solid.sample_points(n, rng)
    aimed = unit(targets - origins)
    dirs = np.where((np.arange(n) % 2 == 0)[:, None], aimed, isotropic(rng, n))
    return origins, dirs


KINDS = ["box", "cylinder", "sphere"]


# ------------------------------------------------- kernels vs numpy references


@pytest.mark.parametrize("kind", KINDS)
def test_kernel_matches_numpy_reference(kind: str) -> None:
    rng = np.random.default_rng(11)
    for _ in range(5):
        solid = Solid.single(random_shape(rng, kind), random_placement(rng))
        c = solid.compiled()
        o, d = mixed_rays(rng, solid, 4000)
        d_shared = np.where((np.arange(len(d)) % 2 == 0)[:, None], unit(solid.sample_points(len(d), rng) - o[0]), d)
        for origins, dirs in ((o, d), (o[:1], d_shared)):
            a, b = K.primitive_intervals(origins, dirs, *c)
            ra, rb = K.primitive_intervals_numpy(origins, dirs, *c)
            assert np.all(np.isfinite(a)) and np.all(np.isfinite(b))
            scale = 1.0 + np.abs(rb)
            np.testing.assert_array_less(np.abs(a - ra), 1e-9 * scale)
            np.testing.assert_array_less(np.abs(b - rb), 1e-9 * scale)
            assert np.mean(b > a) > 0.4  # hits are exercised, not only misses


def test_kernel_matches_reference_on_mixed_union() -> None:
    rng = np.random.default_rng(12)
    vols = tuple(Volume(f"v{i}", random_shape(rng, KINDS[i % 3]), random_placement(rng, 3.0)) for i in range(9))
    solid = Solid(vols)
    c = solid.compiled()
    o, d = mixed_rays(rng, solid, 3000)
    a, b = K.primitive_intervals(o, d, *c)
    ra, rb = K.primitive_intervals_numpy(o, d, *c)
    np.testing.assert_allclose(a, ra, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(b, rb, rtol=1e-9, atol=1e-12)
    n, si, so = K.merge_intervals(a, b, 9)
    rn, rsi, rso = K.merge_intervals_numpy(ra, rb, 9)
    np.testing.assert_array_equal(n, rn)
    np.testing.assert_allclose(si, rsi, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(so, rso, rtol=1e-9, atol=1e-12)
    # fused kernels == composition of the separate ones
    fn, fi, fo = K.solid_segments(o, d, *c, 9)
    np.testing.assert_array_equal(fn, n)
    np.testing.assert_array_equal(fi, si)
    np.testing.assert_array_equal(fo, so)
    np.testing.assert_allclose(K.solid_cube_sum(o, d, *c), K.cube_sum(a, b), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(K.cube_sum(a, b), K.cube_sum_numpy(a, b), rtol=1e-12, atol=1e-12)


# ------------------------------------------- kernels vs an independent point test


@pytest.mark.parametrize("kind", KINDS)
def test_chords_agree_with_point_containment(kind: str) -> None:
    """Endpoints bracket the boundary to 1e-9 (relative) and a dense grid of points along
    each ray is inside exactly on the chord: uses only ``contains``, not the kernel maths."""
    rng = np.random.default_rng(21)
    n_grid = 3000
    checked_hits = 0
    for _ in range(4):
        solid = Solid.single(random_shape(rng, kind), random_placement(rng))
        c = solid.compiled()
        o, d = mixed_rays(rng, solid, 150)
        t_in, t_out = K.primitive_intervals(o, d, *c)
        t_in, t_out = t_in[:, 0], t_out[:, 0]
        centre, radius = solid.bounding_sphere()
        for i in range(len(d)):
            tmax = np.linalg.norm(o[i] - centre) + radius + 1.0
            hit = t_out[i] > t_in[i]
            # dense grid, skipping points within 1e-7 of a computed endpoint
            t = np.linspace(0.0, tmax, n_grid)
            inside = solid.contains(o[i] + t[:, None] * d[i])
            if hit:
                expected = (t >= t_in[i]) & (t <= t_out[i])
                near = (np.abs(t - t_in[i]) < 1e-7 * tmax) | (np.abs(t - t_out[i]) < 1e-7 * tmax)
                assert np.array_equal(inside[~near], expected[~near]), (kind, i)
            else:
                assert not inside.any(), (kind, i, "grid finds a chord the kernel misses")
                continue
            eps = 1e-9 * (1.0 + t_out[i])
            length = t_out[i] - t_in[i]
            pts = lambda ts: solid.contains(o[i] + np.asarray(ts)[:, None] * d[i])  # noqa: E731
            assert not pts([t_out[i] + eps])[0], "exit point too early"
            if t_in[i] > 0.0:
                assert not pts([t_in[i] - eps])[0], "entry point too late"
            else:
                assert pts([0.0])[0], "t_in clipped to 0 but the origin is outside"
            if length > 4 * eps:
                assert pts([t_in[i] + eps])[0], "entry point too early"
                assert pts([t_out[i] - eps])[0], "exit point too late"
                checked_hits += 1
    assert checked_hits > 200


# --------------------------------------------------------------- edge cases


def test_axis_parallel_rays_on_box() -> None:
    solid = Solid.single(Box((1.0, 2.0, 3.0)))  # half sizes 0.5, 1, 1.5
    c = solid.compiled()
    o = np.array(
        [
            [-5.0, 0.3, 0.2],  # inside the y and z slabs
            [-5.0, 1.0, 0.2],  # exactly on the y = +h face plane (closed box: hit)
            [-5.0, -1.0, 1.5],  # on an edge
            [-5.0, 1.0 + 1e-12, 0.0],  # just outside
            [0.1, 0.2, 0.3],  # inside, parallel to x
            [3.0, 0.0, 0.0],  # box behind the origin
        ]
    )
    d = np.tile([1.0, 0.0, 0.0], (len(o), 1))
    for impl in (K.primitive_intervals, K.primitive_intervals_numpy):
        a, b = impl(o, d, *c)
        np.testing.assert_array_equal(a[:, 0], [4.5, 4.5, 4.5, 0.0, 0.0, 0.0])
        np.testing.assert_array_equal(b[:, 0], [5.5, 5.5, 5.5, 0.0, 0.4, 0.0])
    # -0.0 direction components, and rays along y and z
    d2 = np.array([[-0.0, 1.0, -0.0], [0.0, -0.0, -1.0]])
    o2 = np.array([[0.5, -4.0, 0.0], [0.0, 0.0, 10.0]])
    a, b = K.primitive_intervals(o2, d2, *c)
    np.testing.assert_array_equal(a[:, 0], [3.0, 8.5])
    np.testing.assert_array_equal(b[:, 0], [5.0, 11.5])


def test_cylinder_axis_parallel_and_cap_rays() -> None:
    solid = Solid.single(Cylinder(1.0, 2.0))
    c = solid.compiled()
    o = np.array([[0.3, 0.0, -5.0], [1.0, 0.0, -5.0], [1.5, 0.0, -5.0], [-5.0, 0.0, 1.0], [-5.0, 0.0, 0.2]])
    d = np.array([[0, 0, 1.0], [0, 0, 1.0], [0, 0, 1.0], [1.0, 0, 0], [1.0, 0, 0]])
    for impl in (K.primitive_intervals, K.primitive_intervals_numpy):
        a, b = impl(o, d, *c)
        np.testing.assert_allclose(a[:, 0], [4.0, 4.0, 0.0, 4.0, 4.0], rtol=0, atol=1e-15)
        np.testing.assert_allclose(b[:, 0], [6.0, 6.0, 0.0, 6.0, 6.0], rtol=0, atol=1e-15)


def test_tangent_and_near_tangent_rays_have_no_nan() -> None:
    for solid in (Solid.single(Sphere(1.0)), Solid.single(Cylinder(1.0, 4.0))):
        c = solid.compiled()
        db = np.array([0.0, 1e-12, 1e-8, -1e-12])  # impact parameter 1 - db
        o = np.stack([np.full(4, -5.0), 1.0 - db, np.zeros(4)], axis=1)
        d = np.tile([1.0, 0.0, 0.0], (4, 1))
        for impl in (K.primitive_intervals, K.primitive_intervals_numpy):
            a, b = impl(o, d, *c)
            assert np.all(np.isfinite(a)) and np.all(np.isfinite(b))
            dba = 1.0 - o[:, 1]  # the impact parameter's offset as actually stored
            exp_len = np.where(dba > 0, 2 * np.sqrt(np.clip(dba * (2.0 - dba), 0.0, None)), 0.0)
            # a chord of ~3e-6 m from D ~ 2e-12 m^2 keeps ~1e-4 relative precision
            np.testing.assert_allclose(b[:, 0] - a[:, 0], exp_len, rtol=1e-4, atol=0)
            np.testing.assert_allclose(b[2, 0] - a[2, 0], exp_len[2], rtol=1e-7)
            np.testing.assert_allclose(0.5 * (a[1:3, 0] + b[1:3, 0]), 5.0, rtol=1e-12)
            assert a[0, 0] == b[0, 0] == 0.0 and a[3, 0] == b[3, 0] == 0.0


def test_far_origin_keeps_precision() -> None:
    """Sphere seen from 1e5 m: the chord is still right to 1e-9 (a naive discriminant
    b^2 - c loses ~1e-6 here)."""
    solid = Solid.single(Sphere(1.0), Placement((0.0, 0.0, 1e5)))
    c = solid.compiled()
    b = np.array([0.0, 0.3, 0.6, 0.9, 0.99])
    o = np.stack([b, np.zeros_like(b), np.zeros_like(b)], axis=1)
    d = np.tile([0.0, 0.0, 1.0], (len(b), 1))
    a, e = K.primitive_intervals(o, d, *c)
    np.testing.assert_allclose(e[:, 0] - a[:, 0], 2 * np.sqrt(1 - b**2), rtol=1e-9)
    np.testing.assert_allclose(a[:, 0], 1e5 - np.sqrt(1 - b**2), rtol=1e-15)


def test_origin_inside_and_behind() -> None:
    solid = Solid.single(Sphere(2.0), Placement((1.0, 0.0, 0.0)))
    c = solid.compiled()
    o = np.array([[1.0, 0.0, 0.0], [1.0, 0.0, 0.0], [10.0, 0, 0]])
    d = np.array([[1.0, 0.0, 0.0], [-1.0, 0.0, 0.0], [1.0, 0.0, 0.0]])
    a, b = K.primitive_intervals(o, d, *c)
    np.testing.assert_allclose(a[:, 0], [0.0, 0.0, 0.0])
    np.testing.assert_allclose(b[:, 0], [2.0, 2.0, 0.0])


# ------------------------------------------------------------ MC volumes


def _rel_err(samples: np.ndarray) -> float:
    return float(np.std(samples) / math.sqrt(len(samples)) / np.mean(samples))


@pytest.mark.parametrize("kind", KINDS)
def test_volume_from_chords(kind: str) -> None:
    """Three estimators of the volume from chords match the analytic value to 0.5 %,
    each with a statistical error below 0.15 % (so a 1 % chord error fails)."""
    rng = np.random.default_rng(31)
    shape = {"box": Box((1.0, 3.0, 0.7)), "cylinder": Cylinder(0.8, 2.5), "sphere": Sphere(1.3)}[kind]
    solid = Solid.single(shape, random_placement(rng, 1.0))
    c = solid.compiled()
    v_true = shape.volume()
    n = 2_500_000

    # (a) isotropic rays from an interior, off-centre point: V = 4 pi / 3 <t_out^3>
    o = solid.volumes[0].placement.to_parent(0.15 * shape.bounding_radius() * np.array([0.5, -0.6, 0.62]))
    assert solid.contains(o)
    s = K.solid_cube_sum(o[None, :], isotropic(rng, n), *c)
    assert _rel_err(s) < 1.5e-3
    assert abs(4 * np.pi / 3 * s.mean() / v_true - 1) < 5e-3

    # (b) rays uniform in a cone from an exterior point: V = Omega / 3 <t_out^3 - t_in^3>
    centre, radius = solid.bounding_sphere()
    o = centre + np.array([0.3, -0.2, 1.0]) * 2.0 * radius
    axis, half = cone_towards(solid, o)
    d, omega = cone(rng, n, axis, half)
    s = K.solid_cube_sum(o[None, :], d, *c)
    assert _rel_err(s) < 1.5e-3
    assert abs(omega / 3 * s.mean() / v_true - 1) < 5e-3

    # (c) parallel rays through a disc covering the projection: V = area <chord>
    u = unit(rng.standard_normal(3))
    e1 = unit(np.cross(u, [1.0, 0.0, 0.0]))
    e2 = np.cross(u, e1)
    rho = radius * np.sqrt(rng.random(n))
    ph = 2 * np.pi * rng.random(n)
    o = centre - 2 * radius * u + (rho * np.cos(ph))[:, None] * e1 + (rho * np.sin(ph))[:, None] * e2
    seg = solid.chords(o, np.tile(u, (n, 1)))
    lengths = seg.lengths()
    assert _rel_err(lengths) < 1.5e-3
    assert abs(np.pi * radius**2 * lengths.mean() / v_true - 1) < 5e-3


# --------------------------------------------------------------------- unions


def _three_boxes() -> Solid:
    # A: x in [-1, 1]; B: x in [0.5, 2.5] (overlaps A); C: x in [4, 5] (disjoint)
    return Solid(
        (
            Volume("A", Box((2.0, 2.0, 2.0))),
            Volume("B", Box((2.0, 2.0, 2.0)), Placement((1.5, 0.0, 0.0))),
            Volume("C", Box((1.0, 2.0, 2.0)), Placement((4.5, 0.0, 0.0))),
        )
    )


def test_overlapping_boxes_merge() -> None:
    solid = _three_boxes()
    o = np.array([[-5.0, 0.2, 0.3], [-5.0, 0.2, 0.3], [0.0, 0.0, 0.0], [10.0, 0.0, 0.0], [-5.0, 5.0, 0.0]])
    d = np.array([[1.0, 0, 0], [-1.0, 0, 0], [1.0, 0, 0], [-1.0, 0, 0], [1.0, 0, 0]])
    seg = solid.chords(o, d)
    assert seg.t_in.shape == (5, 3)  # width = min(max_segments, number of volumes)
    np.testing.assert_array_equal(seg.n, [2, 0, 2, 2, 0])
    np.testing.assert_allclose(seg.t_in[0, :2], [4.0, 9.0])
    np.testing.assert_allclose(seg.t_out[0, :2], [7.5, 10.0])
    np.testing.assert_allclose(seg.t_in[2, :2], [0.0, 4.0])
    np.testing.assert_allclose(seg.t_out[2, :2], [2.5, 5.0])
    np.testing.assert_allclose(seg.t_in[3, :2], [5.0, 7.5])
    np.testing.assert_allclose(seg.t_out[3, :2], [6.0, 11.0])
    assert np.all(seg.t_in[:, 2] == 0) and np.all(seg.t_out[:, 2] == 0)
    np.testing.assert_allclose(seg.lengths(), [4.5, 0.0, 3.5, 4.5, 0.0])
    # the unmerged cube sum counts the overlap [5.5, 6] twice
    p = solid.proposal_density(o[:1], d[:1])
    expected = (6**3 - 4**3 + 7.5**3 - 5.5**3 + 10**3 - 9**3) / (3 * 20.0)
    np.testing.assert_allclose(p, [expected], rtol=1e-12)


def test_volume_sum_counts_overlaps_twice() -> None:
    solid = _three_boxes()
    assert solid.volume_sum() == pytest.approx(8.0 + 8.0 + 4.0, rel=1e-15)
    # A and B overlap in 0.5 x 2 x 2 = 2 m^3: the union is 8 + 8 - 2 + 4 = 18 m^3
    rng = np.random.default_rng(41)
    lo, hi = solid.extent()
    n = 1_000_000
    pts = rng.uniform(lo, hi, (n, 3))
    v_union = np.prod(hi - lo) * solid.contains(pts).mean()
    assert v_union == pytest.approx(18.0, rel=5e-3)
    # chords (merged) measure the union, not the sum
    u = np.array([0.0, 0.0, 1.0])
    xy = rng.uniform(lo[:2], hi[:2], (n, 2))
    o = np.column_stack([xy, np.full(n, lo[2] - 1.0)])
    seg = solid.chords(o, np.tile(u, (n, 1)))
    v_chords = np.prod(hi[:2] - lo[:2]) * seg.lengths().mean()
    assert v_chords == pytest.approx(18.0, rel=5e-3)


def test_touching_boxes_give_one_segment() -> None:
    """DUNE-like modules sharing faces: rounding must not split the chord."""
    row = Solid(tuple(Volume(f"m{i}", Box((1.0, 3.0, 1.0)), Placement((i - 3.0, 0.0, 0.0))) for i in range(7)))
    to_beam = Placement.from_spec([0.3, -0.7, 562.1], {"axis": [0.2, 1.0, 0.1], "angle": 0.6})
    solid = row.transformed(to_beam)
    rng = np.random.default_rng(5)
    n = 20000
    o = np.column_stack([np.full(n, -10.0), rng.uniform(-1.4, 1.4, n), rng.uniform(-0.4, 0.4, n)])
    d = unit(np.column_stack([np.ones(n), rng.normal(0, 1e-3, n), rng.normal(0, 1e-3, n)]))
    seg = solid.chords(to_beam.to_parent(o), to_beam.vectors_to_parent(d))
    assert np.all(seg.n == 1)
    np.testing.assert_allclose(seg.lengths(), 7.0 / d[:, 0], rtol=1e-9)
    # without the merge tolerance, rounding splits some of these chords in two
    a, b = K.primitive_intervals(to_beam.to_parent(o), to_beam.vectors_to_parent(d), *solid.compiled())
    order = np.argsort(a, axis=1)
    a, b = np.take_along_axis(a, order, 1), np.take_along_axis(b, order, 1)
    assert np.any(a[:, 1:] > b[:, :-1])


def test_boxes_tiling_their_box_are_one_box_for_the_chords() -> None:
    """ND-LAr's 7 x 5 modules tile a 7 x 3 x 5 m box: the chord kernels take that box
    (Solid.chord_compiled), whose chords are the modules' merged chords to rounding and whose
    cube sum (proposal density) is the sum of theirs, on rays aimed from the decay region,
    rays from inside, rays along the faces between modules and isotropic rays from beside."""
    det = load_detector("dune_nd_lar")
    solid = det.active_beam
    assert solid.chord_compiled().codes.size == 1 and solid.compiled().codes.size == 35
    rng = np.random.default_rng(106)
    n = 20000
    vtx = np.column_stack([rng.uniform(-1.0, 1.0, (n, 2)), rng.uniform(0.0, 220.0, n)])
    inside = solid.sample_points(n, rng)
    # along the detector frame's z, on the planes x = -2.5 ... 2.5 between columns of modules
    faces = np.column_stack([rng.integers(-2, 4, n) - 0.5, rng.uniform(-1.4, 1.4, n), np.full(n, -4.0)])
    to_beam = det.frame
    beside = to_beam.to_parent(np.array([5.0, 0.5, 0.0]))
    rays = [(vtx, unit(solid.sample_points(n, rng) - vtx)), (inside, isotropic(rng, n)),
            (to_beam.to_parent(faces), np.tile(to_beam.vectors_to_parent(np.array([0.0, 0.0, 1.0])), (n, 1))),
            (beside[None, :], isotropic(rng, n))]
    c = solid.compiled()
    for j, (o, d) in enumerate(rays):
        seg, q = solid.chords_and_density(o, d)
        n_ref, in_ref, out_ref, cube = K.solid_segments_and_cube_sum(o, d, c.codes, c.rot, c.trans, c.params, 8)
        assert seg.t_in.shape == (n, 1)
        np.testing.assert_array_equal(seg.n > 0, n_ref > 0)
        assert seg.n.max() == 1 and seg.n.sum() > n // 10
        hit = np.flatnonzero(seg.n > 0)
        last = n_ref[hit] - 1
        np.testing.assert_allclose(seg.t_in[hit, 0], in_ref[hit, 0], rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(seg.t_out[hit, 0], out_ref[hit, last], rtol=1e-12, atol=1e-12)
        # the modules' merge leaves a few rays from inside in two pieces: gaps of ~1e-11 m,
        # rounding of faces 562 m from the origin reached at grazing angles, above the merge's
        # 1e-12 of the distance; the box has no inner faces
        split = hit[n_ref[hit] > 1]
        assert split.size <= n // 1000
        assert np.all(in_ref[split, 1] - out_ref[split, 0] < 1e-10)
        # on a face between two columns each module beside it counts the chord (closed boxes),
        # the box once: rays of measure zero, which the generator does not draw
        np.testing.assert_allclose(q, cube / (3.0 * solid.volume_sum()) / (2.0 if j == 2 else 1.0), rtol=1e-9, atol=0.0)
        np.testing.assert_array_equal(solid.proposal_density(o, d), q)


def _modules(case: str) -> Solid:
    """A 7 x 5 array of 1 x 3 x 1 m boxes, tiling 7 x 3 x 5 m, or spoiled by ``case``."""
    cells = [(i, k) for i in range(7) for k in range(5)]
    if case == "overlap":  # the last module stacked on the first: same volume sum, same box
        cells[-1] = cells[0]
    vols = []
    for j, (i, k) in enumerate(cells):
        x = i - 3.0 + (1e-3 if case == "gap" and i == 6 else 0.0)
        place = Placement((x, 0.0, k - 2.0))
        if case == "rotations" and j == 3:  # the same set of points, another matrix
            place = Placement.from_spec([x, 0.0, k - 2.0], {"axis": [0.0, 1.0, 0.0], "angle": math.pi})
        shape = Cylinder(0.5, 1.0) if case == "cylinder" and j == 7 else Box((1.0, 3.0, 1.0))
        vols.append(Volume(f"m{j}", shape, place))
    return Solid(tuple(vols))


@pytest.mark.parametrize("case", ["tiles", "gap", "overlap", "rotations", "cylinder"])
def test_only_boxes_that_tile_become_one_box(case: str) -> None:
    """One box only for boxes of one rotation that fill their bounding box without
    overlapping: a 1 mm gap, a module stacked on another, a module with another matrix or a
    cylinder keep the primitives (and a ray across the gap keeps its two segments)."""
    solid = _modules(case)
    one = solid.chord_compiled()
    assert (one.codes.size == 1) == (case == "tiles")
    if case != "tiles":
        assert one is solid.compiled()
    o = np.array([[-10.0, 0.0, 0.3]])
    seg = solid.chords(o, np.array([[1.0, 0.0, 0.0]]))
    assert seg.n[0] == (2 if case == "gap" else 1)
    assert seg.t_out[0, seg.n[0] - 1] - seg.t_in[0, 0] == pytest.approx(7.0 + (1e-3 if case == "gap" else 0.0), abs=1e-9)


def test_one_primitive_without_the_merge_is_the_merge() -> None:
    """A solid of one primitive skips the merge (one interval a ray): the same arrays as
    primitive_intervals + merge_intervals, for widths 0, 1 and 3."""
    rng = np.random.default_rng(107)
    for kind in KINDS:
        solid = Solid.single(random_shape(rng, kind), random_placement(rng))
        c = solid.compiled()
        o = rng.uniform(-6.0, 6.0, (3000, 3))
        d = isotropic(rng, 3000)
        d[::2] = unit(solid.sample_points(1500, rng) - o[::2])  # half aimed at it
        t_in, t_out = K.primitive_intervals(o, d, *c)
        for width in (0, 1, 3):
            ref = K.merge_intervals(t_in, t_out, width)
            got = K.solid_segments_and_cube_sum(o, d, c.codes, c.rot, c.trans, c.params, width)
            for a, b in zip(got[:3], ref):
                np.testing.assert_array_equal(a, b)
            assert got[0].sum() > 300


def test_merge_kernel_random_intervals() -> None:
    rng = np.random.default_rng(51)
    n, k = 5000, 7
    a = rng.uniform(0, 10, (n, k))
    b = a + rng.exponential(1.0, (n, k))
    b[rng.random((n, k)) < 0.3] = 0.0  # empty ones
    a[:, 1] = a[:, 0]  # duplicates
    b[:, 1] = b[:, 0]
    a[:, 2] = b[:, 3]  # touching
    got = K.merge_intervals(a, b, k)
    ref = K.merge_intervals_numpy(a, b, k)
    for g, r in zip(got, ref):
        np.testing.assert_array_equal(g, r)
    # segments sorted, disjoint, and cover the union of the inputs
    nseg, si, so = got
    for i in range(200):
        m = nseg[i]
        assert np.all(so[i, :m] > si[i, :m])
        assert np.all(si[i, 1:m] > so[i, : m - 1])
        probe = rng.uniform(0, 15, 200)
        in_input = ((probe[:, None] >= a[i]) & (probe[:, None] <= b[i]) & (b[i] > a[i])).any(axis=1)
        in_output = ((probe[:, None] >= si[i, :m]) & (probe[:, None] <= so[i, :m])).any(axis=1)
        assert np.array_equal(in_input, in_output)


def test_merge_overflow_is_reported() -> None:
    a = np.array([[0.0, 2.0, 4.0]])
    b = np.array([[1.0, 3.0, 5.0]])
    n, si, so = K.merge_intervals(a, b, 2)
    assert n[0] == 3  # the true count, above the width
    np.testing.assert_array_equal(si[0], [0.0, 2.0])
    solid = Solid(tuple(Volume(f"b{i}", Box((1.0, 1.0, 1.0)), Placement((2.0 * i, 0.0, 0.0))) for i in range(3)))
    with pytest.raises(ValueError, match="max_segments"):
        solid.chords([-5.0, 0.0, 0.0], [[1.0, 0.0, 0.0]], max_segments=2)
    assert solid.chords([-5.0, 0.0, 0.0], [[1.0, 0.0, 0.0]], max_segments=3).n[0] == 3


def test_chords_reject_bad_rays() -> None:
    solid = Solid.single(Sphere(1.0))
    with pytest.raises(ValueError, match="unit"):
        solid.chords([0.0, 0.0, -5.0], [[0.0, 0.0, 2.0]])
    with pytest.raises(ValueError, match="unit"):
        solid.proposal_density([0.0, 0.0, -5.0], [[np.nan, 0.0, 1.0]])
    with pytest.raises(ValueError, match="origins"):
        solid.chords(np.zeros((2, 3)), np.tile([0.0, 0.0, 1.0], (3, 1)))


# ------------------------------------------------------------ proposal density


def _overlapping_mixed_solid() -> Solid:
    rot = {"axis": [1.0, 2.0, 0.5], "angle": 0.7}
    return Solid(
        (
            Volume("box", Box((2.0, 1.0, 1.5)), Placement.from_spec([0.0, 0.0, 0.0], rot)),
            Volume("cyl", Cylinder(0.6, 2.5), Placement.from_spec([0.5, 0.2, 0.1], {"axis": "y", "angle": 1.2})),
            Volume("ball", Sphere(0.7), Placement((-0.6, 0.0, 0.4))),
        )
    )


def test_proposal_density_normalised() -> None:
    rng = np.random.default_rng(61)
    solid = _overlapping_mixed_solid()
    # exterior origin: integral over a cone holding the solid
    o = np.array([4.0, -3.0, 6.0])
    axis, half = cone_towards(solid, o)
    d, omega = cone(rng, 1_000_000, axis, half)
    p = solid.proposal_density(o, d)
    assert _rel_err(p) < 1.5e-3
    assert omega * p.mean() == pytest.approx(1.0, rel=5e-3)
    # interior origin (in an overlap): integral over the full sphere
    o = np.array([0.1, 0.05, 0.1])
    assert solid.volumes[0].contains(o) and solid.volumes[1].contains(o)
    p = solid.proposal_density(o, isotropic(rng, 1_000_000))
    assert _rel_err(p) < 1.5e-3
    assert 4 * np.pi * p.mean() == pytest.approx(1.0, rel=5e-3)


def _direction_bins(d: np.ndarray, axis: np.ndarray, half: float, nb: int) -> np.ndarray:
    """Bin index of directions in an equal-solid-angle (u, phi) grid of the cone."""
    w = unit(axis)
    e1 = unit(np.cross(w, [0.0, 0.0, 1.0]))
    e2 = np.cross(w, e1)
    u = (1.0 - d @ w) / (1.0 - math.cos(half))
    ph = np.arctan2(d @ e2, d @ e1) % (2 * np.pi)
    iu = np.clip((u * nb).astype(int), 0, nb - 1)
    ip = np.clip((ph / (2 * np.pi) * nb).astype(int), 0, nb - 1)
    return iu * nb + ip


def test_proposal_density_matches_sampled_directions() -> None:
    """Histogram of directions to sample_points vs the binned integral of proposal_density
    (chi2). The same test with the merged-chord density (the union, overlap counted once)
    must fail, so the test can tell the two apart."""
    rng = np.random.default_rng(71)
    solid = _overlapping_mixed_solid()
    o = np.array([3.0, 2.0, -4.0])
    axis, half = cone_towards(solid, o)
    nb = 8
    n_pts = 300_000
    pts = solid.sample_points(n_pts, rng)
    observed = np.bincount(_direction_bins(unit(pts - o), axis, half, nb), minlength=nb * nb)

    n_u = 2_000_000
    d, omega = cone(rng, n_u, axis, half)
    bins = _direction_bins(d, axis, half, nb)

    def chi2_pvalue(density: np.ndarray) -> float:
        q = omega / n_u * np.bincount(bins, weights=density, minlength=nb * nb)  # P(bin)
        var_q = (omega / n_u) ** 2 * np.bincount(bins, weights=density**2, minlength=nb * nb)
        expected = n_pts * q
        use = expected > 20
        chi2 = np.sum((observed[use] - expected[use]) ** 2 / (expected[use] + n_pts**2 * var_q[use]))
        return float(stats.chi2.sf(chi2, use.sum() - 1))

    p_good = chi2_pvalue(solid.proposal_density(o, d))
    assert p_good > 1e-3

    seg = solid.chords(o, d)
    merged = np.sum(seg.t_out**3 - seg.t_in**3, axis=1)
    merged = merged / (omega * merged.mean())  # normalised over the cone
    assert chi2_pvalue(merged) < 1e-6


# ------------------------------------------------------- bounding-box culling
#
# solid_segments and solid_cube_sum skip the exact chord of a primitive whose (grown)
# bounding box a ray misses. They must give exactly the floats of the unculled kernels
# (primitive_intervals, which computes every chord, then merge_intervals / cube_sum).


def _surface_rays(rng: np.random.Generator, solid: Solid, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Rays grazing the primitives and their bounding boxes: points on faces, edges and
    corners (nudged by 0, +-1e-15, +-1e-9 relative), tangent to spheres and cylinder
    sides, in the plane of cap faces; directions in the face plane or random; origins on
    the surface or up to 600 m back along the ray."""
    origins, dirs = [], []
    per = max(1, n // (2 * len(solid.volumes)))
    nudge = np.array([0.0, 0.0, 1e-15, -1e-15, 1e-9, -1e-9])
    for v in solid.volumes:
        s = v.shape
        for frame_box in (False, True):  # the primitive itself, its box in the solid frame
            if frame_box or isinstance(s, Box):
                if frame_box:
                    lo, hi = aabb(v)
                    c, h, r = 0.5 * (lo + hi), 0.5 * (hi - lo), np.eye(3)
                else:
                    c, h, r = v.placement.offset, s.half, v.placement.matrix
                u = rng.uniform(-1.0, 1.0, (per, 3))
                fixed = rng.random((per, 3)) < rng.choice([0.34, 0.67, 1.0], (per, 1))
                fixed[np.arange(per), rng.integers(0, 3, per)] = True  # at least one face
                u = np.where(fixed, np.sign(u) * (1.0 + rng.choice(nudge, (per, 3))), u)
                p_loc = u * h
                d_loc = np.where(fixed & (rng.random((per, 1)) < 0.6), 0.0, rng.standard_normal((per, 3)))
                d_loc[np.all(d_loc == 0.0, axis=1), 0] = 1.0
            elif isinstance(s, Sphere):
                c, r = v.placement.offset, np.eye(3)
                nrm = isotropic(rng, per)
                p_loc = nrm * s.radius * (1.0 + rng.choice(nudge, (per, 1)))
                d_loc = np.cross(nrm, rng.standard_normal((per, 3)))
            else:  # cylinder: tangent to the side, or in a cap's plane
                c, r = v.placement.offset, v.placement.matrix
                ph = rng.uniform(0, 2 * np.pi, per)
                side = rng.random(per) < 0.5
                rho = np.where(side, s.radius * (1.0 + rng.choice(nudge, per)), s.radius * np.sqrt(rng.random(per)))
                z = np.where(side, rng.uniform(-0.5, 0.5, per) * s.length,
                             np.sign(rng.random(per) - 0.5) * 0.5 * s.length * (1.0 + rng.choice(nudge, per)))
                p_loc = np.stack([rho * np.cos(ph), rho * np.sin(ph), z], axis=1)
                tang = np.stack([-np.sin(ph), np.cos(ph), np.zeros(per)], axis=1)
                d_side = tang * rng.standard_normal((per, 1)) + np.array([0.0, 0.0, 1.0]) * rng.standard_normal((per, 1))
                d_cap = np.column_stack([rng.standard_normal((per, 2)), np.zeros(per)])
                d_loc = np.where(side[:, None], d_side, d_cap)
            d = unit(d_loc @ r.T)
            p = p_loc @ r.T + c
            back = rng.choice([0.0, 0.0, 1.0, 600.0], (per, 1)) * rng.random((per, 1))
            origins.append(p - back * d)
            dirs.append(d)
    return np.concatenate(origins), np.concatenate(dirs)


def _culling_rays(rng: np.random.Generator, solid: Solid, n: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Ray sets for the culling tests, (origins, dirs) each."""
    centre, radius = solid.bounding_sphere()
    o = centre + rng.uniform(-3 * radius, 3 * radius, (n, 3))  # some inside, most outside
    aimed = unit(solid.sample_points(n, rng) - o)
    iso = isotropic(rng, n)
    inside = solid.sample_points(n, rng)
    axis = np.zeros((n, 3))
    axis[np.arange(n), rng.integers(0, 3, n)] = rng.choice([-1.0, 1.0], n)
    axis = np.where(rng.random((n, 3)) < 0.5, axis, -axis * 0.0 + axis)  # exact zeros, some -0.0
    far = centre + 1e4 * iso
    return [
        (o, iso),  # mostly missing
        (o, aimed),  # hitting, many primitives per ray for unions
        (inside, iso),  # starting inside
        (o, axis),  # axis-parallel: 1 / 0 slabs
        (solid.sample_points(n, rng) - 2 * radius * axis, axis),
        (far, unit(solid.sample_points(n, rng) - far)),  # 10 km away
        (o[:1], aimed),  # one shared origin
        _surface_rays(rng, solid, n),  # grazing faces, edges, corners and boxes
    ]


def _check_culled_equals_unculled(solid: Solid, rays: list[tuple[np.ndarray, np.ndarray]]) -> None:
    c = solid.compiled()
    k = len(c.codes)
    for origins, dirs in rays:
        t_in, t_out = K.primitive_intervals(origins, dirs, *c)  # every chord, no culling
        n_ref, in_ref, out_ref = K.merge_intervals(t_in, t_out, k)
        n_seg, seg_in, seg_out = K.solid_segments(origins, dirs, *c, k)
        np.testing.assert_array_equal(n_seg, n_ref)
        np.testing.assert_array_equal(seg_in, in_ref)  # bit for bit
        np.testing.assert_array_equal(seg_out, out_ref)
        np.testing.assert_array_equal(K.solid_cube_sum(origins, dirs, *c), K.cube_sum(t_in, t_out))
        fused = K.solid_segments_and_cube_sum(origins, dirs, *c, k)  # one pass, the same floats
        for got, want in zip(fused, (n_ref, in_ref, out_ref, K.cube_sum(t_in, t_out))):
            np.testing.assert_array_equal(got, want)
        cand = K._candidates(origins, dirs, *c)
        np.testing.assert_array_equal(cand, K._candidates_numpy(origins, dirs, *c))
        assert not np.any((t_out > t_in) & ~cand), "a chord in a primitive the box test skips"


def _one_box(rotated: bool) -> Solid:
    if not rotated:
        return Solid.single(Box((1.0, 2.0, 3.0)))
    return Solid.single(Box((1.0, 2.0, 3.0)), Placement.from_spec([0.5, -0.3, 40.0], {"axis": [1.0, 2.0, 3.0], "angle": 0.4}))


@pytest.mark.parametrize(
    "name", ["dune_beam", "dune_detector", "box", "rotated_box", "mixed_union", "touching_row", "stack"]
)
def test_culled_kernels_equal_unculled(name: str) -> None:
    """Bit-identical segments and cube sums with and without the bounding-box tests, on
    rays that miss, hit, start inside, run along axes, come from 10 km, share an origin,
    or graze faces, edges, corners, tangents and the culling boxes themselves."""
    rng = np.random.default_rng(101)
    det = load_detector("dune_nd_lar")
    if name.startswith("dune"):
        solid = det.active_beam if name == "dune_beam" else det.active
    elif name in ("box", "rotated_box"):
        solid = _one_box(name == "rotated_box")
    elif name == "mixed_union":
        solid = Solid(tuple(Volume(f"v{i}", random_shape(rng, KINDS[i % 3]), random_placement(rng, 3.0)) for i in range(9)))
    elif name == "touching_row":
        solid = Solid(tuple(Volume(f"m{i}", Box((1.0, 3.0, 1.0)), Placement((i - 3.0, 0.0, 0.0))) for i in range(7)))
    else:  # modules one behind the other: aimed rays cross them all (the tests pause)
        solid = Solid(tuple(Volume(f"m{i}", Box((2.0, 2.0, 0.5)), Placement((0.0, 0.0, 50.0 + i))) for i in range(6)))
    rays = _culling_rays(rng, solid, 6000)
    # runs of blocks where the box tests keep most pairs (rays from a beam spot at z = 0
    # aimed at the solid), alternating with runs where they skip most (rays[0])
    o, d = (np.concatenate([x, x]) for x in rays[0])
    run = (np.arange(len(d)) // 2500) % 2 == 0
    o[run] = np.column_stack([rng.normal(0.0, 0.3, (run.sum(), 2)), np.zeros(run.sum())])
    d[run] = unit(solid.sample_points(run.sum(), rng) - o[run])
    rays.append((o, d))
    _check_culled_equals_unculled(solid, rays)


def test_culled_kernels_on_every_packaged_solid() -> None:
    rng = np.random.default_rng(102)
    solids = []
    for name, kind, _ in list_geometries():
        g = load_detector(name) if kind == "detector" else load_beamline(name)
        if kind == "detector":
            solids.append(g.active_beam)
        else:
            solids += [e.solid for e in (g.target, g.decay_pipe, g.absorber, *g.solids) if e is not None]
    assert len(solids) >= 20
    for solid in solids:
        _check_culled_equals_unculled(solid, _culling_rays(rng, solid, 800))


def test_dune_realistic_rays_cull_to_the_hit_modules() -> None:
    """Rays from the LBNF decay region to the ND-LAr modules (as the generator aims them):
    the box tests leave ~5 of the 35 modules per ray, the ones the ray crosses."""
    rng = np.random.default_rng(103)
    solid = load_detector("dune_nd_lar").active_beam
    n = 20000
    vtx = np.column_stack([rng.uniform(-1.0, 1.0, (n, 2)), rng.uniform(0.0, 220.0, n)])
    d = unit(solid.sample_points(n, rng) - vtx)
    c = solid.compiled()
    t_in, t_out = K.primitive_intervals(vtx, d, *c)
    hits = t_out > t_in
    cand = K._candidates(vtx, d, *c)
    assert not np.any(hits & ~cand)
    assert cand.sum(axis=1).mean() < 1.01 * hits.sum(axis=1).mean() < 6.0
    _check_culled_equals_unculled(solid, [(vtx, d)])


def test_primitive_boxes_are_the_exact_boxes() -> None:
    rng = np.random.default_rng(104)
    vols = tuple(Volume(f"v{i}", random_shape(rng, KINDS[i % 3]), random_placement(rng, 3.0)) for i in range(12))
    c = Solid(vols).compiled()
    lo, hi, scale, usable = K._primitive_boxes(*c)
    assert usable
    for j, v in enumerate(vols):
        elo, ehi = aabb(v)
        np.testing.assert_allclose(lo[j], elo, rtol=0, atol=1e-13)
        np.testing.assert_allclose(hi[j], ehi, rtol=0, atol=1e-13)
    assert scale == np.max(np.abs([lo, hi]))
    for got, ref in zip(K._primitive_boxes(*c), K._primitive_boxes_numpy(*c)):
        np.testing.assert_array_equal(got, ref)


def test_culling_falls_back_to_every_chord() -> None:
    """No culling where the boxes cannot be trusted: a rotation that is not orthonormal
    (the kernels invert by the transpose), non-finite origins or directions; primitives
    of an unknown code are never computed (their chord is empty)."""
    rng = np.random.default_rng(105)
    solid = Solid(tuple(Volume(f"b{i}", Box((1.0, 1.0, 1.0)), Placement((3.0 * i, 0.0, 0.0))) for i in range(4)))
    codes, rot, trans, params = solid.compiled()
    o = rng.uniform(-20, 20, (500, 3))
    d = isotropic(rng, 500)
    skew = rot.copy()
    skew[1] = np.array([[1.0, 0.3, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    assert not K._primitive_boxes(codes, skew, trans, params)[3]
    assert K._candidates(o, d, codes, skew, trans, params).all()
    _check_culled_equals_unculled(Solid(solid.volumes), [(o, d)])
    for args in ((codes, skew, trans, params),):
        t_in, t_out = K.primitive_intervals(o, d, *args)
        np.testing.assert_array_equal(K.solid_segments(o, d, *args, 4)[1], K.merge_intervals(t_in, t_out, 4)[1])
        np.testing.assert_array_equal(K.solid_cube_sum(o, d, *args), K.cube_sum(t_in, t_out))
    o2, d2 = o.copy(), d.copy()
    o2[:5, 0] = np.nan
    d2[5:10, 1] = np.inf
    cand = K._candidates(o2, d2, codes, rot, trans, params)
    assert cand[:10].all() and not cand[10:].all()
    np.testing.assert_array_equal(cand, K._candidates_numpy(o2, d2, codes, rot, trans, params))
    unknown = codes.copy()
    unknown[2] = 7
    assert not K._candidates(o, d, unknown, rot, trans, params)[:, 2].any()
    t_in, t_out = K.primitive_intervals(o, d, unknown, rot, trans, params)
    np.testing.assert_array_equal(K.solid_cube_sum(o, d, unknown, rot, trans, params), K.cube_sum(t_in, t_out))


def test_chords_widen_when_a_ray_has_more_than_eight_segments() -> None:
    """Twelve boxes in a row (gaps between): the chords start 8 wide and widen for the ray
    along the row; rays meeting few boxes keep narrow arrays. Same segments either way."""
    vols = tuple(Volume(f"m{i}", Box((1.0, 1.0, 1.0)), Placement((2.0 * i, 0.0, 0.0))) for i in range(12))
    solid = Solid(vols)
    o = np.array([[-5.0, 0.0, 0.0], [0.0, -5.0, 0.0]])
    d = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    seg = solid.chords(o, d)
    assert seg.t_in.shape == (2, 12)
    np.testing.assert_array_equal(seg.n, [12, 1])
    np.testing.assert_allclose(seg.t_in[0], 4.5 + 2.0 * np.arange(12))
    np.testing.assert_allclose(seg.t_out[0], 5.5 + 2.0 * np.arange(12))
    np.testing.assert_allclose([seg.t_in[1, 0], seg.t_out[1, 0]], [4.5, 5.5])
    few = solid.chords(o[1:], d[1:])
    assert few.t_in.shape == (1, 8)
    with pytest.raises(ValueError, match="max_segments=10"):
        solid.chords(o[:1], d[:1], max_segments=10)
