"""The one set of numba options every kernel in fipgen uses, and the fipgen command's numba.

``cache=True``: compiled code is cached on disk, so a second run starts fast.
``error_model="numpy"``: division by zero gives inf/nan instead of raising, which lets
loops vectorise (docs/design.md#pipeline: a boost kernel 29 ms vs 78-95 ms for 1e7 four-vectors).
``nogil=True``: kernels release the GIL, so generation overlaps with the ROOT writer's
thread.

:func:`without_numba_extensions`: the ``fipgen`` command's process runs fipgen's kernels only,
which take numpy arrays and numbers; numba's extension entry points (the numba support of
``vector`` and ``awkward``, which imports sympy: 0.4-0.5 s of the first kernel call) are not
loaded there, nor numba's BLAS and cffi support (scipy.linalg and cffi: 0.27 s more), which no
kernel uses. A Python program that imports fipgen keeps numba's default (all of it loaded).
"""

from __future__ import annotations

import sys

JIT_OPTIONS = dict(cache=True, error_model="numpy", nogil=True)

#: numba's module that loads the ``numba_extensions`` entry points once, on the first compile
#: or cache load (numba 0.5x-0.6x: its flag ``_already_initialized``).
_ENTRYPOINTS = "numba.core.entrypoints"


def _mark_initialised(module) -> None:
    if hasattr(module, "_already_initialized"):  # another numba: nothing to do, extensions load
        module._already_initialized = True


class _OnImport:
    """Meta-path finder: ``then(module)`` right after ``name`` is imported, then it removes itself."""

    def __init__(self, name: str, then) -> None:
        self.name, self.then = name, then

    def find_spec(self, fullname, path, target=None):
        if fullname != self.name:
            return None
        import importlib.util

        if self in sys.meta_path:
            sys.meta_path.remove(self)
        spec = importlib.util.find_spec(fullname)
        loader = getattr(spec, "loader", None)
        if loader is None or not hasattr(loader, "exec_module"):
            return spec
        run = loader.exec_module

        def exec_module(module):
            run(module)
            self.then(module)

        loader.exec_module = exec_module
        return spec


class _NotForNumba:
    """Meta-path finder: the imports numba's optional support makes while its module is being
    executed (``blocked``: importer -> imported) fail, so numba records that support as absent;
    the same imports made by anyone else go through. It removes itself once every importer has
    run."""

    def __init__(self, blocked: dict[str, str]) -> None:
        self.blocked = dict(blocked)

    def find_spec(self, fullname, path, target=None):
        for importer, name in list(self.blocked.items()):
            mod = sys.modules.get(importer)
            if mod is not None and getattr(mod, "__spec__", None) is not None and _executing(mod):
                if fullname == name or name.startswith(fullname + "."):  # it, or its package first
                    raise ImportError(f"{name}: not used by fipgen's kernels (fipgen._jit)")
            elif mod is not None:  # done: that importer is finished
                del self.blocked[importer]
        if not self.blocked and self in sys.meta_path:
            sys.meta_path.remove(self)
        return None


def _executing(module) -> bool:
    """True while ``module``'s code runs (importlib marks its spec ``_initializing``)."""
    return bool(getattr(module.__spec__, "_initializing", False))


#: numba's optional support fipgen's kernels do not use, and what loading it costs at the first
#: kernel call (numba 0.6x, 2 cores): BLAS for np.dot and friends through scipy.linalg
#: (0.17 s: scipy), and cffi functions (0.1 s: cffi parses its C declarations).
#: tests/test_startup.py checks that no kernel calls BLAS.
_UNUSED_NUMBA_SUPPORT = {"numba.np.arraymath": "scipy.linalg.cython_blas", "numba.core.typing.cffi_utils": "cffi"}


def without_numba_extensions() -> None:
    """Do not load numba's extension entry points in this process (the ``fipgen`` command's:
    module docstring), nor the optional support of :data:`_UNUSED_NUMBA_SUPPORT`. numba is not
    imported here: a command that runs no kernel pays nothing."""
    mod = sys.modules.get(_ENTRYPOINTS)
    if mod is not None:
        _mark_initialised(mod)
    elif not any(isinstance(f, _OnImport) for f in sys.meta_path):
        sys.meta_path.insert(0, _OnImport(_ENTRYPOINTS, _mark_initialised))
    pending = {k: v for k, v in _UNUSED_NUMBA_SUPPORT.items() if k not in sys.modules}
    if pending and not any(isinstance(f, _NotForNumba) for f in sys.meta_path):
        sys.meta_path.insert(0, _NotForNumba(pending))
