"""Reading events back as awkward records with vector behaviour (fipgen.io.read_events,
EventBatch.to_awkward): four-vectors that obey the physics, the same view from file and memory."""

from __future__ import annotations

import awkward as ak
import numpy as np
import pytest

from fipgen.card import load_packaged_card
from fipgen.errors import InputFileError
from fipgen.events import EventBatch
from fipgen.io import read_events
from fipgen.pipeline import build_job, iter_chunks, run


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """The packaged two-body card (A' -> e+ e-), written to ROOT and kept in memory."""
    out = tmp_path_factory.mktemp("read") / "events.root"
    job = build_job(load_packaged_card("sbnd_dark_photon.toml").replace(events=20000))
    run(job, str(out))
    batch = EventBatch.concatenate([b for b, _ in iter_chunks(job)])
    assert len(batch) > 100
    return batch, read_events(out)


def test_llp_mass_from_four_vector(sample):
    _, ev = sample
    np.testing.assert_allclose(ak.to_numpy(ev.llp.mass), ak.to_numpy(ev.llp_mass), rtol=1e-9)
    assert np.all(ak.to_numpy(ev.llp_mass) == 0.05)


def test_daughters_conserve_four_momentum(sample):
    _, ev = sample
    assert np.all(ak.num(ev.daughters) == 2)
    assert set(np.abs(ak.to_numpy(ak.flatten(ev.daughters.pdg)))) == {11}
    total = ev.daughters[:, 0] + ev.daughters[:, 1]
    for comp in ("px", "py", "pz", "E"):
        a, b = ak.to_numpy(getattr(total, comp)), ak.to_numpy(getattr(ev.llp, comp))
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12 * np.max(ak.to_numpy(ev.llp.E)), err_msg=comp)
    np.testing.assert_allclose(ak.to_numpy(total.mass), 0.05, rtol=1e-6)


def test_pt_and_delta_r_match_numpy(sample):
    batch, ev = sample
    d = batch.flat["daughter"]
    px, py, pz = (d[k].reshape(-1, 2) for k in ("px", "py", "pz"))
    pt = np.hypot(px, py)
    np.testing.assert_allclose(ak.to_numpy(ev.daughters.pt), pt, rtol=1e-12)
    eta = np.arcsinh(pz / pt)
    phi = np.arctan2(py, px)
    dphi = (phi[:, 0] - phi[:, 1] + np.pi) % (2 * np.pi) - np.pi
    want = np.hypot(eta[:, 0] - eta[:, 1], dphi)
    got = ak.to_numpy(ev.daughters[:, 0].deltaR(ev.daughters[:, 1]))
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12)
    assert np.all(want > 0)


def test_vertices_are_vectors_in_both_frames(sample):
    batch, ev = sample
    np.testing.assert_array_equal(ak.to_numpy(ev.decay.z), batch.scalars["decay_z"])
    np.testing.assert_array_equal(ak.to_numpy(ev.decay_det.x), batch.scalars["decay_det_x"])
    r = np.sqrt(sum(batch.scalars[f"decay_{k}"] ** 2 for k in "xyz"))
    np.testing.assert_allclose(ak.to_numpy(ev.decay.mag), r, rtol=1e-12)


def test_memory_view_equals_file_view(sample):
    batch, ev = sample
    mem = batch.to_awkward()
    assert mem.fields == ev.fields
    assert "weight" in mem.fields and "n_daughters" not in mem.fields
    assert ak.to_list(mem) == ak.to_list(ev)
    for name in ("llp", "parent", "daughters", "decay", "decay_det"):
        assert ak.parameters(mem[name]) == ak.parameters(ev[name])
        assert str(ak.type(mem[name])) == str(ak.type(ev[name]))


def test_not_a_fipgen_file(tmp_path):
    import uproot

    text = tmp_path / "card.root"
    text.write_text("not ROOT at all\n")
    with pytest.raises(InputFileError, match="not a readable ROOT file"):
        read_events(text)
    other = tmp_path / "other.root"
    with uproot.recreate(other) as f:
        f["events"] = {"x": np.arange(3.0)}
    with pytest.raises(InputFileError, match="no branch 'weight'"):
        read_events(other)
    with pytest.raises(InputFileError, match="not found"):
        read_events(tmp_path / "missing.root")
