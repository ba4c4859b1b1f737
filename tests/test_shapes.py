"""Frames (rotations, placements), shapes, volumes and solids (bookkeeping, sampling)."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from scipy import stats

from fipgen.errors import GeometryError
from fipgen.geometry.frames import Placement, rotation_matrix
from fipgen.geometry.shapes import Box, CompiledSolid, Cylinder, Solid, Sphere, Volume

# ------------------------------------------------------------------ rotations


def test_axis_rotations_are_active_and_right_handed() -> None:
    x, y, z = np.eye(3)
    np.testing.assert_allclose(rotation_matrix({"axis": "z", "angle": math.pi / 2}) @ x, y, atol=1e-15)
    np.testing.assert_allclose(rotation_matrix({"axis": "x", "angle": math.pi / 2}) @ y, z, atol=1e-15)
    np.testing.assert_allclose(rotation_matrix({"axis": "y", "angle": math.pi / 2}) @ z, x, atol=1e-15)
    # a vector axis need not be normalised; 120 degrees about (1,1,1) cycles the axes
    r = rotation_matrix({"axis": [2.0, 2.0, 2.0], "angle": 2 * math.pi / 3})
    np.testing.assert_allclose(r @ x, y, atol=1e-15)
    np.testing.assert_allclose(r @ y, z, atol=1e-15)
    np.testing.assert_array_equal(rotation_matrix(None), np.eye(3))


def test_rotation_matrix_from_nested_list() -> None:
    c, s = math.cos(0.3), math.sin(0.3)
    m = [[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]]
    np.testing.assert_allclose(rotation_matrix(m), m, atol=1e-15)
    # 6 printed digits are accepted and made exactly orthonormal
    r = rotation_matrix([[0.707107, -0.707107, 0], [0.707107, 0.707107, 0], [0, 0, 1]])
    np.testing.assert_allclose(r @ r.T, np.eye(3), atol=1e-14)
    assert np.linalg.det(r) == pytest.approx(1.0, abs=1e-14)


@pytest.mark.parametrize(
    ("spec", "match"),
    [
        ([[2.0, 0, 0], [0, 1, 0], [0, 0, 1]], "not orthonormal"),
        ([[1.0, 0.01, 0], [0, 1, 0], [0, 0, 1]], "not orthonormal"),
        ([[-1.0, 0, 0], [0, 1, 0], [0, 0, 1]], "reflection"),
        ([[1.0, 0], [0, 1]], "3x3"),
        ([[np.nan, 0, 0], [0, 1, 0], [0, 0, 1]], "non-finite"),
        ({"axis": "w", "angle": 1.0}, "axis"),
        ({"axis": [0, 0, 0], "angle": 1.0}, "no direction"),
        ({"axis": "x"}, "missing"),
        ({"axis": "x", "angle": 1.0, "degrees": True}, "unknown"),
        ({"axis": "x", "angle": "90"}, "not a number"),
        ({"axis": "x", "angle": float("inf")}, "not finite"),
        ("z", "neither"),
    ],
)
def test_rotation_matrix_rejects_bad_input(spec: object, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        rotation_matrix(spec)
    with pytest.raises(GeometryError):  # one-line error for the CLI as well
        rotation_matrix(spec)


# ------------------------------------------------------------------ placements


def _random_placement(rng: np.random.Generator) -> Placement:
    return Placement.from_spec(rng.normal(0, 3, 3).tolist(), {"axis": rng.normal(size=3).tolist(), "angle": float(rng.uniform(-4, 4))})


def test_placement_maps_and_inverts() -> None:
    p = Placement.from_spec([1.0, 2.0, 3.0], {"axis": "z", "angle": math.pi / 2})
    np.testing.assert_allclose(p.to_parent([1.0, 0.0, 0.0]), [1.0, 3.0, 3.0], atol=1e-15)
    np.testing.assert_allclose(p.to_local([1.0, 3.0, 3.0]), [1.0, 0.0, 0.0], atol=1e-15)
    np.testing.assert_allclose(p.vectors_to_parent([1.0, 0.0, 0.0]), [0.0, 1.0, 0.0], atol=1e-15)
    np.testing.assert_allclose(p.vectors_to_local([0.0, 1.0, 0.0]), [1.0, 0.0, 0.0], atol=1e-15)
    assert p.matrix.shape == (3, 3)

    rng = np.random.default_rng(1)
    x = rng.normal(0, 5, (100, 4, 3))
    for _ in range(20):
        a, b = _random_placement(rng), _random_placement(rng)
        np.testing.assert_allclose(a.to_local(a.to_parent(x)), x, atol=1e-12)
        np.testing.assert_allclose(a.inverse().to_parent(x), a.to_local(x), atol=1e-12)
        np.testing.assert_allclose(a.then(b).to_parent(x), b.to_parent(a.to_parent(x)), atol=1e-12)
        np.testing.assert_allclose(a.then(b).inverse().to_parent(x), a.inverse().to_parent(b.inverse().to_parent(x)), atol=1e-12)
        ident = a.then(a.inverse())
        np.testing.assert_allclose(ident.matrix, np.eye(3), atol=1e-14)
        np.testing.assert_allclose(ident.translation, 0.0, atol=1e-12)
        v = x[0]
        np.testing.assert_allclose(a.vectors_to_local(a.vectors_to_parent(v)), v, atol=1e-12)
        # vectors ignore the translation
        np.testing.assert_allclose(a.vectors_to_parent(v), a.to_parent(v) - a.to_parent(np.zeros(3)), atol=1e-12)
    # composition is not commutative: the order matters and is the documented one
    a = Placement.from_spec([1.0, 0, 0], None)
    b = Placement.from_spec(None, {"axis": "z", "angle": math.pi / 2})
    np.testing.assert_allclose(a.then(b).to_parent([0.0, 0, 0]), [0.0, 1.0, 0.0], atol=1e-15)
    np.testing.assert_allclose(b.then(a).to_parent([0.0, 0, 0]), [1.0, 0.0, 0.0], atol=1e-15)


def test_placement_validation() -> None:
    with pytest.raises(ValueError, match="not a rotation"):
        Placement(rotation=(2.0, 0, 0, 0, 1, 0, 0, 0, 1))
    with pytest.raises(ValueError, match="9 numbers"):
        Placement(rotation=(1.0, 0, 0))
    with pytest.raises(ValueError, match="translation"):
        Placement(translation=(0.0, np.inf, 0.0))
    with pytest.raises(ValueError, match="position"):
        Placement.from_spec([1.0, 2.0])
    p = Placement(translation=(1, 2, 3))
    assert p.translation == (1.0, 2.0, 3.0) and all(isinstance(t, float) for t in p.translation)
    assert hash(p) == hash(Placement((1.0, 2.0, 3.0)))
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.translation = (0.0, 0.0, 0.0)  # type: ignore[misc]


# ---------------------------------------------------------------------- shapes


@pytest.mark.parametrize(
    "make",
    [
        lambda: Box((1.0, -1.0, 1.0)),
        lambda: Box((1.0, 0.0, 1.0)),
        lambda: Box((1.0, float("nan"), 1.0)),
        lambda: Box((1.0, 1.0)),
        lambda: Box((1.0, 1.0, float("inf"))),
        lambda: Cylinder(0.0, 1.0),
        lambda: Cylinder(1.0, -2.0),
        lambda: Cylinder(float("nan"), 1.0),
        lambda: Sphere(-1.0),
        lambda: Sphere(float("inf")),
        lambda: Sphere("big"),
    ],
)
def test_shapes_reject_bad_dimensions(make) -> None:
    with pytest.raises(ValueError):
        make()


def test_shape_volumes_and_kernel_data() -> None:
    assert Box((1.0, 2.0, 3.0)).volume() == pytest.approx(6.0)
    assert Cylinder(2.0, 3.0).volume() == pytest.approx(12 * math.pi)
    assert Sphere(2.0).volume() == pytest.approx(32 * math.pi / 3)
    assert Box((1.0, 2.0, 3.0)).kernel_params() == (0.5, 1.0, 1.5)
    assert Cylinder(2.0, 3.0).kernel_params() == (2.0, 1.5, 0.0)
    assert Sphere(2.0).kernel_params() == (2.0, 0.0, 0.0)
    assert len({Box.kernel_code, Cylinder.kernel_code, Sphere.kernel_code}) == 3
    assert Box((1.0, 2.0, 2.0)).bounding_radius() == pytest.approx(1.5)
    assert Cylinder(3.0, 8.0).bounding_radius() == pytest.approx(5.0)
    assert Sphere(2.0).bounding_radius() == 2.0


@pytest.mark.parametrize("shape", [Box((1.0, 2.0, 0.5)), Cylinder(0.7, 2.0), Sphere(1.2)], ids=["box", "cylinder", "sphere"])
def test_contains_matches_volume_and_bounding_radius(shape) -> None:
    rng = np.random.default_rng(3)
    r = shape.bounding_radius()
    n = 1_000_000
    pts = rng.uniform(-r, r, (n, 3))
    inside = shape.contains_local(pts)
    frac = inside.mean()
    err = math.sqrt(frac * (1 - frac) / n)
    assert abs(frac * (2 * r) ** 3 - shape.volume()) < 4 * err * (2 * r) ** 3
    # nothing beyond the bounding radius; something within 2 % of it
    norms = np.linalg.norm(pts[inside], axis=1)
    assert norms.max() <= r
    far = shape.sample_local(200_000, rng)
    assert np.linalg.norm(far, axis=1).max() > 0.9 * r


def test_sample_local_is_uniform() -> None:
    rng = np.random.default_rng(4)
    n = 100_000
    box = Box((1.0, 2.0, 3.0))
    p = box.sample_local(n, rng)
    assert box.contains_local(p).all()
    for ax, size in enumerate(box.size):
        assert stats.kstest(p[:, ax] / size + 0.5, "uniform").pvalue > 1e-3

    cyl = Cylinder(0.7, 2.0)
    p = cyl.sample_local(n, rng)
    assert cyl.contains_local(p).all()
    assert stats.kstest((p[:, 0] ** 2 + p[:, 1] ** 2) / 0.49, "uniform").pvalue > 1e-3
    assert stats.kstest(np.arctan2(p[:, 1], p[:, 0]) / (2 * np.pi) + 0.5, "uniform").pvalue > 1e-3
    assert stats.kstest(p[:, 2] / 2.0 + 0.5, "uniform").pvalue > 1e-3

    sph = Sphere(1.2)
    p = sph.sample_local(n, rng)
    r = np.linalg.norm(p, axis=1)
    assert sph.contains_local(p).all()
    assert stats.kstest((r / 1.2) ** 3, "uniform").pvalue > 1e-3
    assert stats.kstest(p[:, 2] / r / 2 + 0.5, "uniform").pvalue > 1e-3
    # the same rng state gives the same points (no hidden global state)
    assert np.array_equal(sph.sample_local(5, np.random.default_rng(9)), sph.sample_local(5, np.random.default_rng(9)))


def test_shapes_are_frozen_and_hashable() -> None:
    b = Box([1, 2, 3])
    assert b.size == (1.0, 2.0, 3.0)
    assert hash(b) == hash(Box((1.0, 2.0, 3.0)))
    with pytest.raises(dataclasses.FrozenInstanceError):
        b.size = (1.0, 1.0, 1.0)  # type: ignore[misc]


# ---------------------------------------------------------------------- solids


def _union() -> Solid:
    return Solid(
        [
            Volume("box", Box((1.0, 2.0, 3.0)), Placement.from_spec([0.0, 0.0, 0.0], {"axis": "x", "angle": 0.4}), "LAr"),
            Volume("cyl", Cylinder(0.5, 4.0), Placement.from_spec([3.0, 0.0, 0.0], {"axis": [1.0, 1.0, 0.0], "angle": 1.0})),
            Volume("ball", Sphere(0.8), Placement((-2.0, 1.0, 0.5))),
        ]
    )


def test_solid_validation() -> None:
    with pytest.raises(ValueError, match="at least one"):
        Solid(())
    with pytest.raises(ValueError, match="Volume"):
        Solid((Box((1.0, 1.0, 1.0)),))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="shape"):
        Volume("x", "box")  # type: ignore[arg-type]
    s = _union()
    assert isinstance(s.volumes, tuple)
    assert s.volumes[0].material == "LAr" and s.volumes[1].material is None


def test_compiled_arrays_are_cached_and_consistent() -> None:
    s = _union()
    c = s.compiled()
    assert isinstance(c, CompiledSolid)
    assert s.compiled() is c
    assert c.codes.dtype == np.int64 and c.codes.shape == (3,)
    assert c.rot.dtype == np.float64 and c.rot.shape == (3, 3, 3) and c.rot.flags.c_contiguous
    assert c.trans.shape == (3, 3) and c.params.shape == (3, 3) and c.params.flags.c_contiguous
    assert not c.rot.flags.writeable
    np.testing.assert_array_equal(c.codes, [Box.kernel_code, Cylinder.kernel_code, Sphere.kernel_code])
    np.testing.assert_array_equal(c.rot[1], s.volumes[1].placement.matrix)
    np.testing.assert_array_equal(c.trans[2], [-2.0, 1.0, 0.5])
    np.testing.assert_array_equal(c.params[0], [0.5, 1.0, 1.5])
    assert s == _union()  # the cache does not enter equality


def test_sample_points_inside_and_proportional_to_volume() -> None:
    s = _union()
    rng = np.random.default_rng(5)
    n = 300_000
    p = s.sample_points(n, rng)
    assert p.shape == (n, 3)
    assert s.contains(p).all()
    vols = np.array([v.shape.volume() for v in s.volumes])
    counts = np.array([v.contains(p).sum() for v in s.volumes])  # disjoint volumes here
    assert counts.sum() == n
    chi2 = np.sum((counts - n * vols / vols.sum()) ** 2 / (n * vols / vols.sum()))
    assert stats.chi2.sf(chi2, 2) > 1e-3
    a = s.sample_points(10, np.random.default_rng(1))
    assert np.array_equal(a, s.sample_points(10, np.random.default_rng(1)))


def test_contains_of_union() -> None:
    s = _union()
    pts = np.array([[0.0, 0.0, 0.0], [3.0, 0.0, 0.0], [-2.0, 1.0, 0.5], [-2.0, 1.0, 1.35], [10.0, 0, 0]])
    np.testing.assert_array_equal(s.contains(pts), [True, True, True, False, False])
    assert s.contains(np.zeros((2, 4, 3))).shape == (2, 4)


def test_extent_and_bounding_sphere() -> None:
    s = _union()
    rng = np.random.default_rng(6)
    p = s.sample_points(400_000, rng)
    lo, hi = s.extent()
    assert np.all(p >= lo - 1e-12) and np.all(p <= hi + 1e-12)
    # tight: samples come within 3 % of the size of every face of the box
    size = hi - lo
    assert np.all(p.min(axis=0) - lo < 0.03 * size) and np.all(hi - p.max(axis=0) < 0.03 * size)
    centre, radius = s.bounding_sphere()
    d = np.linalg.norm(p - centre, axis=1)
    assert d.max() <= radius and d.max() > 0.97 * radius
    # exact for simple cases
    c, r = Solid.single(Sphere(2.0), Placement((1.0, 2.0, 3.0))).bounding_sphere()
    np.testing.assert_allclose(c, [1.0, 2.0, 3.0])
    assert r == pytest.approx(2.0)
    lo, hi = Solid.single(Box((2.0, 4.0, 6.0)), Placement((1.0, 0.0, 0.0))).extent()
    np.testing.assert_allclose(lo, [0.0, -2.0, -3.0])
    np.testing.assert_allclose(hi, [2.0, 2.0, 3.0])


def test_transformed_moves_everything_consistently() -> None:
    s = _union()
    outer = Placement.from_spec([10.0, -3.0, 560.0], {"axis": "x", "angle": -0.101})
    t = s.transformed(outer)
    assert [v.name for v in t.volumes] == [v.name for v in s.volumes]
    rng = np.random.default_rng(7)
    pts = rng.uniform(-4, 4, (20000, 3))
    np.testing.assert_array_equal(s.contains(pts), t.contains(outer.to_parent(pts)))
    assert t.volume_sum() == pytest.approx(s.volume_sum())
    # chords are frame-independent
    o = np.array([-8.0, 0.3, 0.2])
    d = s.sample_points(5000, rng) - o  # aimed at the solid
    d[::2] = rng.normal(size=(2500, 3))  # and anywhere
    d /= np.linalg.norm(d, axis=1, keepdims=True)
    a = s.chords(o, d)
    b = t.chords(outer.to_parent(o), outer.vectors_to_parent(d))
    np.testing.assert_array_equal(a.n, b.n)
    np.testing.assert_allclose(a.t_in, b.t_in, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(a.t_out, b.t_out, rtol=1e-9, atol=1e-9)
    assert (a.n > 0).sum() > 2500
    np.testing.assert_allclose(s.proposal_density(o, d), t.proposal_density(outer.to_parent(o), outer.vectors_to_parent(d)), rtol=1e-9)


def test_compiled_points_are_the_numpy_paths_points():
    """Boxes and cylinders (rotated, shifted): the compiled sampler takes the same uniforms in
    the same order as the per-volume numpy path, so the points agree to the rounding of
    ``R x + t``, and they are uniform in the union (each volume's share of points follows
    its volume)."""
    from fipgen.geometry import shapes

    vols = (
        Volume("a", Box((1.0, 2.0, 3.0)), Placement.from_spec([1.0, -2.0, 5.0], {"axis": "y", "angle": 0.4})),
        Volume("b", Cylinder(0.7, 2.5), Placement.from_spec([-3.0, 0.5, 1.0], {"axis": "x", "angle": 1.1})),
        Volume("c", Box((0.5, 0.5, 0.5)), Placement.from_spec([4.0, 4.0, 4.0])),
    )
    solid = Solid(vols)
    fast = solid.sample_points(60_000, np.random.default_rng(8))
    real = shapes.draws_three_uniforms
    try:
        shapes.draws_three_uniforms = lambda codes: False
        slow = solid.sample_points(60_000, np.random.default_rng(8))
    finally:
        shapes.draws_three_uniforms = real
    np.testing.assert_allclose(fast, slow, rtol=0, atol=1e-12)
    inside = [v.contains(fast) for v in vols]
    assert np.all(inside[0] | inside[1] | inside[2])
    share = np.array([m.sum() for m in inside]) / len(fast)
    want = np.array([v.shape.volume() for v in vols]) / sum(v.shape.volume() for v in vols)
    assert stats.chisquare(share * len(fast), want * len(fast)).pvalue > 1e-3


def test_compiled_containment_is_the_volumes_containment():
    """Solid.contains on many points (compiled) equals the union of its volumes' own tests, for
    rotated boxes, cylinders and spheres; rows of NaN are in none."""
    vols = (
        Volume("a", Box((1.0, 2.0, 3.0)), Placement.from_spec([1.0, -2.0, 5.0], {"axis": "y", "angle": 0.4})),
        Volume("b", Cylinder(0.7, 2.5), Placement.from_spec([-1.0, 0.5, 1.0], {"axis": "x", "angle": 1.1})),
        Volume("c", Sphere(1.2), Placement.from_spec([2.0, 1.0, 2.0])),
    )
    solid = Solid(vols)
    pts = np.random.default_rng(4).uniform(-3.0, 6.0, (20_000, 3))
    pts[:5] = np.nan
    got = solid.contains(pts)
    want = vols[0].contains(pts) | vols[1].contains(pts) | vols[2].contains(pts)
    np.testing.assert_array_equal(got, want)
    assert 0.01 < got.mean() < 0.5 and not got[:5].any()
