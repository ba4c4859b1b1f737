"""Start-up of the fipgen command: what it loads, and only when a command needs it.

``fipgen --help`` imports none of the numerical stack; a ``generate`` run loads no numba
extension (vector's and awkward's numba support, which import sympy: about half a second)
while a Python program importing fipgen keeps numba's default; the cascade and meson tables
decompress only the arrays a run reads. Wall times are measured by ``scripts/bench.py``
(``startup_help``, ``startup_generate``), against a baseline in the same run, not here.
"""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
import threading

import numpy as np
import pytest

#: what numba's extension entry points import (vector's and awkward's numba support; sympy by vector)
EXTENSIONS = ("sympy", "vector.backends._numba_object", "awkward._connect.numba")
HEAVY = ("numpy", "numba", "scipy", "awkward", "uproot", "vector", "particle", "matplotlib", "sympy", "llvmlite")


def _python(code: str, cwd=None) -> str:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=cwd).stdout


def test_help_and_version_import_no_numerical_package():
    code = ("import sys, contextlib, io\nfrom fipgen.cli import main\n"
            "for argv in (['--help'], ['--version'], ['generate', '--help'], ['scan', '--help']):\n"
            "    with contextlib.redirect_stdout(io.StringIO()):\n"
            "        try:\n            main(argv)\n        except SystemExit:\n            pass\n"
            f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))")
    assert _python(code).strip() == "[]"


def test_the_command_loads_no_numba_extension_and_the_library_keeps_them(tmp_path):
    """In the command's process numba's extension entry points are marked loaded before the first
    kernel (nothing of vector's or awkward's numba support, nor sympy, is imported); a program
    that imports fipgen itself keeps numba's default."""
    code = ("import sys, json\nfrom fipgen.cli import main\n"
            "code = main(['generate', '--events', '1000', '--no-output', '--quiet'])\n"
            "import numba.core.entrypoints as ep\n"
            f"print(json.dumps([code, ep._already_initialized, sorted(m for m in {EXTENSIONS!r} if m in sys.modules)]))")
    code_, marked, loaded = json.loads(_python(code, cwd=tmp_path))
    assert code_ == 0 and marked is True and loaded == []
    lib = ("import sys, json, numpy as np\nfrom fipgen.kinematics.boost import boost\n"
           "boost(np.array([[0.0, 0.0, 1.0, 2.0]]), np.array([0.0, 0.0, 0.5]))\n"
           f"print(json.dumps(sorted(m for m in {EXTENSIONS!r} if m in sys.modules)))")
    assert json.loads(_python(lib)) == sorted(EXTENSIONS)


def test_without_numba_extensions_before_and_after_numba_is_imported():
    before = ("import sys\nfrom fipgen._jit import without_numba_extensions\nwithout_numba_extensions()\n"
              "without_numba_extensions()\nassert 'numba' not in sys.modules\n"
              "import numba.core.entrypoints as ep\n"
              "print(ep._already_initialized, sum(type(f).__name__ == '_OnImport' for f in sys.meta_path))")
    assert _python(before).split() == ["True", "0"]
    after = ("import numba.core.entrypoints as ep\nfrom fipgen._jit import without_numba_extensions\n"
             "without_numba_extensions()\nprint(ep._already_initialized)")
    assert _python(after).strip() == "True"


@pytest.mark.parametrize("output", [["--no-output"], ["--output", "o.root"]], ids=["no-output", "root"])
def test_the_command_skips_numbas_blas_and_cffi_support_and_the_library_keeps_them(tmp_path, output):
    """In the command's process numba records BLAS (scipy.linalg) and cffi as absent, so its
    first kernel call imports neither (also when scipy itself is already imported, as writing
    ROOT files does: the package scipy.linalg is refused too); scipy.linalg still imports for
    whoever asks; a program importing fipgen keeps numba's default."""
    code = ("import sys, json\nfrom fipgen.cli import main\n"
            f"code = main(['generate', '--events', '1000', '--quiet'] + {output!r})\n"
            "import numba.np.arraymath as a, numba.core.typing.cffi_utils as c\n"
            "seen = sorted(m for m in ('scipy.linalg', 'cffi') if m in sys.modules)\n"
            "import scipy.linalg\n"
            "left = [type(f).__name__ for f in sys.meta_path if type(f).__name__ == '_NotForNumba']\n"
            "print(json.dumps([code, a._HAVE_BLAS, c.SUPPORTED, seen, left]))")
    assert json.loads(_python(code, cwd=tmp_path)) == [0, False, False, [], []]
    lib = ("import json, numpy as np\nfrom fipgen.kinematics.boost import boost\n"
           "boost(np.array([[0.0, 0.0, 1.0, 2.0]]), np.array([0.0, 0.0, 0.5]))\n"
           "import numba.np.arraymath as a\nprint(json.dumps(a._HAVE_BLAS))")
    assert json.loads(_python(lib)) is True


def test_no_kernel_calls_blas():
    """The command's process turns numba's BLAS support off (fipgen._jit): no compiled function
    of fipgen may use np.dot, np.linalg, @ and the like (they would not compile there)."""
    import ast
    import re
    from pathlib import Path

    import fipgen

    blas = re.compile(r"np\.(dot|vdot|inner|outer|matmul|linalg|einsum|cross|cov|corrcoef)\b|\S\s@\s")
    found = []
    for path in Path(fipgen.__file__).parent.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef):
                decorators = " ".join(ast.unparse(d) for d in node.decorator_list)
                if re.search(r"njit|_jit|numba", decorators) and blas.search(ast.unparse(node)):
                    found.append(f"{path.name}:{node.name}")
    assert found == []


def _eager(raw: bytes):
    import io

    with np.load(io.BytesIO(raw), allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    return arrays, json.loads(str(arrays.pop("header")))


def test_cascade_tables_read_each_array_on_first_use():
    from fipgen.cascade.build import load_tables
    from fipgen.resources import NpzArrays, data_file

    raw = data_file("fluxes", "cascade_bnb.npz").read_bytes()
    ref, ref_head = _eager(raw)
    with data_file("fluxes", "cascade_bnb.npz").open("rb") as fh:
        arrays, head = load_tables(fh)
    assert isinstance(arrays, NpzArrays) and head == ref_head
    assert sorted(arrays) == sorted(ref) and len(arrays) == len(ref) and "header" not in arrays
    assert arrays._read == {}  # nothing decompressed yet
    key = next(iter(ref))
    assert key in arrays and "no such array" not in arrays and arrays.get("no such array") is None
    with pytest.raises(KeyError):
        arrays["no such array"]
    assert np.array_equal(arrays[key], ref[key]) and arrays[key].dtype == ref[key].dtype
    assert arrays[key] is arrays[key] and list(arrays._read) == [key]
    with pytest.raises(ValueError):
        arrays[key][...] = 0  # read-only, as before
    # threads reading at once get the same arrays; a pickled copy (scan workers) is equal
    got = {}
    threads = [threading.Thread(target=lambda i=i: got.__setitem__(i, [arrays[k] for k in ref])) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(all(a is b for a, b in zip(got[0], got[i])) for i in range(4))
    copy = pickle.loads(pickle.dumps(arrays))
    assert all(np.array_equal(copy[k], ref[k]) for k in ref)


def test_meson_tables_keep_their_arrays_and_header():
    from fipgen.production.sources import meson_tables as mt
    from fipgen.resources import data_file

    arrays, head = mt.read_table.__wrapped__(mt.LIGHT_FILE)
    ref, ref_head = _eager(data_file("fluxes", mt.LIGHT_FILE).read_bytes())
    assert head == ref_head and sorted(arrays) == sorted(ref)
    assert all(np.array_equal(arrays[k], ref[k]) for k in ref)


def test_sanford_wang_on_a_grid_equals_the_pointwise_form():
    """The Sanford-Wang form evaluates its p and theta factors on their own axes for a grid: the
    values equal those of every (p, theta) point taken alone, bit for bit, zero outside its domain."""
    from fipgen.production.sources.meson_spectra import BNB_P_BEAM, SW_PI_MINUS, sanford_wang

    rng = np.random.default_rng(3)
    p = np.concatenate([rng.uniform(-1.0, 9.0, 60), [0.0, BNB_P_BEAM - SW_PI_MINUS.c9]])
    th = np.concatenate([rng.uniform(-0.2, 2.0, 40), [0.0, 0.5 * np.pi]])
    grid = sanford_wang(p[:, None], th[None, :], SW_PI_MINUS, BNB_P_BEAM)
    P, T = np.meshgrid(p, th, indexing="ij")
    flat = sanford_wang(P.ravel(), T.ravel(), SW_PI_MINUS, BNB_P_BEAM).reshape(P.shape)
    assert grid.shape == (62, 42) and np.array_equal(grid, flat)
    assert sanford_wang(float(p[0]), float(th[0]), SW_PI_MINUS, BNB_P_BEAM) == flat[0, 0]
    outside = (P < 0) | (P >= BNB_P_BEAM - SW_PI_MINUS.c9) | (T < 0) | (T > 0.5 * np.pi)
    assert np.all(grid[outside] == 0.0) and np.all(grid[~outside] >= 0.0)


def test_the_command_skips_pythons_last_collection_and_the_library_does_not(tmp_path):
    """The command's own process (``main()`` reading sys.argv: the console script, ``python -m
    fipgen``) freezes its objects once it is done, so that the interpreter's exit collects
    nothing (0.15 s after numba's start-up); ``main([...])`` called by a program leaves its
    collector alone."""
    code = ("import gc, json, sys\nfrom fipgen.cli import main\n"
            "sys.argv = ['fipgen', 'generate', '--events', '1000', '--no-output', '--quiet']\n"
            "a = main(['generate', '--events', '1000', '--no-output', '--quiet'])\n"
            "frozen_after_call = gc.get_freeze_count()\n"
            "b = main()\n"
            "print(json.dumps([a, frozen_after_call, b, gc.get_freeze_count() > 0]))")
    assert json.loads(_python(code, cwd=tmp_path)) == [0, 0, 0, True]
