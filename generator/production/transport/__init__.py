"""Parent transport: charged mesons through the beamline (decay in flight, stop, absorb) into
:class:`~fipgen.production.parents.ParentDecays`. Uses :mod:`fipgen.production.sources`.
"""

__all__: list[str] = []
