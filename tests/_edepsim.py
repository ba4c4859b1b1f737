"""edep-sim's HEPEVT reader, re-implemented in pure Python from its source, for the tests of the
files fipgen writes for edep-sim (tests/test_event_record.py).

Read from ClarkMcGrew/edep-sim at commit 4548701be5bd (HEAD, 2026-07-07); the HEPEVT code is
unchanged since release 4.1.0 but for a UI-directory fix in the factory. Line numbers below are
those of that commit:

- G.cc  = src/kinem/EDepSimHEPEVTKinematicsGenerator.cc   (the reader)
- F.cc  = src/kinem/EDepSimHEPEVTKinematicsFactory.cc     (the /generator/kinematics/hepevt/ commands)
- PG.cc = src/kinem/EDepSimPrimaryGenerator.cc            (vertex count, forced position and time)
- M.cc  = src/EDepSimUserPrimaryGeneratorMessenger.cc     (the default factories)
- A.cc  = src/EDepSimUserPrimaryGeneratorAction.cc        (end of input: the run is aborted)

The flavours (F.cc:8 default "pythia"; F.cc:21 candidates "pythia pbomb marley") only change how a
particle line is read; the header line is parsed the same way for all of them (G.cc:132-179).
Before edep-sim 4.0.0 (3.2.0 and older) there is no flavour: only the 1/5-token header and the
8-token particle line below, and the mass column is not used.

Units: the file is read in GeV, cm and ns (multiplied by Geant4's GeV, cm, ns); the result below
is in Geant4's internal units, MeV, mm and ns, as edep-sim holds them.
"""

from __future__ import annotations


def read_edepsim_hepevt(path, flavor="pythia", *, force_position_mm=None, force_time_ns=1.0, vertices_per_event=1):
    """What edep-sim's ``hepevt`` kinematics generator makes of the text file ``path``.

    Parameters
    ----------
    path : str or Path
        The HEPEVT text file (``/generator/kinematics/hepevt/input``).
    flavor : {"pythia", "pbomb", "marley"}
        ``/generator/kinematics/hepevt/flavor``; edep-sim's default is ``"pythia"`` (F.cc:8).
    force_position_mm : None or (x, y, z)
        None: the ``free`` position generator, edep-sim's default (M.cc:148), which keeps the
        vertex the reader built (FreePositionGenerator::ForcePosition() returns false). A tuple:
        any other position generator (``fixed``, ``uniform``, ``density``: ForcePosition() true),
        which overwrites every vertex position with its own point (PG.cc:75-81).
    force_time_ns : None or float
        The default time generator is ``fixed`` (M.cc:149) at ``fTime(1)`` = 1 ns
        (EDepSimFixedTimeFactory.cc:7) and it FORCES the time (ForceTime() true; PG.cc:82-86):
        every vertex gets t = 1 ns whatever the file says. Pass None for ``/generator/time/set
        free`` (ForceTime() false: the reader's time is kept).
    vertices_per_event : int
        ``/generator/count/fixed/number`` (default 1, EDepSimFixedCountFactory.cc:7): how many
        header records (vertices) go into one Geant4 event (PG.cc:35-95).

    Returns
    -------
    dict with
        ``events``: a list, one entry per Geant4 event that is generated in full, each a list of
        vertices; a vertex is a dict ``event_id`` (the ID edep-sim gives the G4Event: the file's
        only for 3- and 7-token headers, G.cc:153,170; else None: Geant4's own counter), ``vertex_id``
        (G.cc:201), ``x_mm``, ``y_mm``, ``z_mm``, ``t_ns`` (after forcing), and ``primaries``: the
        particles put on the vertex, each a dict ``pdg``, ``px_mev``, ``py_mev``, ``pz_mev``,
        ``mass_mev``, ``status`` (always 1) and ``daughters`` (pre-assigned decay products, the same
        dicts, G.cc:320-338).
        ``stop``: ``"end of input"`` (no further header line: the normal end) or ``"aborted"`` (an
        error edep-sim reports as NoMoreEvents; in both cases edep-sim logs "Run aborted.  No more
        input events." and calls G4RunManager::AbortRun(), A.cc:41-49).
        ``message``: edep-sim's error text for ``"aborted"`` (None otherwise).
        ``partial_event``: the vertices already added to the event during which the input stopped
        (empty with one vertex per event). Whether Geant4 still tracks that event is up to
        G4RunManager (AbortRun() in GeneratePrimaries only flags the run); not modelled.
        ``undefined_behaviour``: True when edep-sim's code reads uninitialised variables on this
        input (the "pythia" flavour never sets daughter1/daughter2 but uses them, G.cc:234,
        242-249, 306, 324); the emulation then assumes they are <= 0 (no daughters).

    Raises
    ------
    RuntimeError
        Where edep-sim throws EDepSim::Exception (EDepSimThrow), which nothing catches: the
        program terminates. "File not open" (G.cc:98-100), "Invalid integer"/"Invalid real" (a
        token with trailing characters, G.cc:56-78), and daughter indices that run past the list
        (C++ undefined behaviour, G.cc:329-330, raised here rather than guessed).
    ValueError
        An unknown flavour (the UI refuses it: candidates at F.cc:21).
    """
    import re

    if flavor not in ("pythia", "pbomb", "marley"):
        raise ValueError(f"unknown edep-sim HEPEVT flavor {flavor!r} (F.cc:21: pythia pbomb marley)")

    # Geant4 units (G4SystemOfUnits): internal length mm, energy MeV, time ns.
    GeV, cm, ns = 1000.0, 10.0, 1.0

    # G.cc:56-78: `istringstream >> int/double`, then an error if anything is left over. A token
    # that does not start with a number is NOT an error: the extraction fails, C++11 stores 0,
    # and the failed stream reads no trailer (so "abc" and "nan" read as 0). Approximation of
    # libstdc++'s num_get: decimal numbers only; int overflow clamps to INT_MAX/INT_MIN.
    int_re = re.compile(r"[+-]?\d+")
    real_re = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")

    def as_integer(token, line_no):
        m = int_re.match(token)
        if m is None:
            return 0
        if m.end() != len(token):
            raise RuntimeError(f"{path}:{line_no} -- Invalid integer: |{token}|")
        return max(-(2**31), min(2**31 - 1, int(m.group())))

    def as_real(token, line_no):
        m = real_re.match(token)
        if m is None:
            return 0.0
        if m.end() != len(token):
            raise RuntimeError(f"{path}:{line_no} -- Invalid real: |{token}|")
        return float(m.group())

    try:
        fh = open(path, encoding="utf-8", errors="replace")  # read line by line, as edep-sim does
    except OSError as err:
        raise RuntimeError(f"File not open: {path}") from err  # G.cc:95-100

    state = {"line": 0}

    def get_tokens():
        # G.cc:30-54: next line that has tokens after stripping everything from the first '#';
        # tokens are split on white space. Returns [] at end of file ("No more data").
        for raw in fh:
            state["line"] += 1
            toks = raw.split("#", 1)[0].split()
            if toks:
                return toks
        return []

    events, current = [], []
    result = {"events": events, "stop": None, "message": None, "partial_event": current,
              "undefined_behaviour": flavor == "pythia"}

    def stop(kind, message):
        # A.cc:41-49: EDepSim::NoMoreEvents -> "Run aborted.  No more input events." + AbortRun().
        result["stop"], result["message"] = kind, message
        return result

    with fh:  # closed on every way out, errors included
        while True:
            tokens = get_tokens()
            line_no = state["line"]
            # ---- the header line, G.cc:122-179, the same for every flavour ----------------------
            if not tokens:  # G.cc:127-131
                return stop("end of input", None)
            event_id, vertex_id = None, 0
            vtx = [-999.0, -999.0, -999.0, -999.0]  # G.cc:113-116: -999 in internal units (mm, ns)
            n = len(tokens)
            if n == 1:  # G.cc:135-137: "n" ("pythia" style)
                lines = as_integer(tokens[0], line_no)
            elif n == 2:  # G.cc:142-145: "event n" (the TextFileGen header); event ID NOT applied
                as_integer(tokens[0], line_no)
                lines = as_integer(tokens[1], line_no)
            elif n == 3:  # G.cc:149-154: "event vertex n"; evt->SetEventID(event)
                event_id = as_integer(tokens[0], line_no)
                vertex_id = as_integer(tokens[1], line_no)
                lines = as_integer(tokens[2], line_no)
            elif n == 5:  # G.cc:156-162: "n x y z t", cm and ns
                vtx = [as_real(tokens[1], line_no) * cm, as_real(tokens[2], line_no) * cm,
                       as_real(tokens[3], line_no) * cm, as_real(tokens[4], line_no) * ns]
                lines = as_integer(tokens[0], line_no)
            elif n == 7:  # G.cc:166-175: "event vertex n x y z t", cm and ns; SetEventID(event)
                event_id = as_integer(tokens[0], line_no)
                vertex_id = as_integer(tokens[1], line_no)
                lines = as_integer(tokens[2], line_no)
                vtx = [as_real(tokens[3], line_no) * cm, as_real(tokens[4], line_no) * cm,
                       as_real(tokens[5], line_no) * cm, as_real(tokens[6], line_no) * ns]
            else:  # G.cc:176-178 (4, 6, 8 or more tokens, e.g. a particle line without header)
                return stop("aborted", f"Syntax error at {path}:{line_no}")

            # ---- the particle lines, G.cc:203-318 ------------------------------------------------
            hplist = []  # G4HEPEvtParticle list: [particle dict, ISTHEP, JDAHEP1, JDAHEP2]
            for _ in range(lines):  # a count <= 0 reads nothing (an empty vertex)
                tokens = get_tokens()
                line_no = state["line"]
                if not tokens:  # G.cc:207-211
                    return stop("aborted", f"Input truncated in {path} after {line_no} lines")
                # G.cc:212-229: the token count is checked BEFORE the status, so every line counts
                want = {"pythia": 8, "pbomb": 11, "marley": 15}[flavor]
                if len(tokens) != want:
                    return stop("aborted", f"Invalid input at {path}:{line_no} -- Wrong number of entries on line")
                status = as_integer(tokens[0], line_no)
                if status != 1:  # G.cc:230-231: only status 1 is kept; nothing else on the line is read
                    continue
                pid = as_integer(tokens[1], line_no)  # G.cc:232
                if flavor == "pythia":
                    # G.cc:242-249: status pdg jda1 jda2 px py pz mass (GeV). The daughter columns are
                    # not read (G.cc:243-244 commented out) but daughter1/daughter2 (G.cc:234) are
                    # still passed on (G.cc:306) uninitialised: undefined behaviour; assumed 0 here.
                    d1 = d2 = 0
                    px, py, pz = (as_real(t, line_no) * GeV for t in tokens[4:7])
                    mass = as_real(tokens[7], line_no) * GeV
                elif flavor == "pbomb":
                    # G.cc:252-262: status pdg m1 m2 d1 d2 px py pz E mass (GeV); mothers and E not
                    # read at all (any token passes); the vertex comes from the header only.
                    d1, d2 = as_integer(tokens[4], line_no), as_integer(tokens[5], line_no)
                    px, py, pz = (as_real(t, line_no) * GeV for t in tokens[6:9])
                    mass = as_real(tokens[10], line_no) * GeV
                else:
                    # G.cc:263-292, "marley" = LArSoft TextFileGen: status pdg m1 m2 d1 d2 px py pz E
                    # mass x y z t (GeV, cm, ns). Mothers and E are not read. The position and time
                    # of EVERY kept particle overwrite the one vertex's (G.cc:280-281): the vertex ends
                    # at the LAST status-1 line's x y z t; the header's x y z t (7 tokens) is lost.
                    d1, d2 = as_integer(tokens[4], line_no), as_integer(tokens[5], line_no)
                    px, py, pz = (as_real(t, line_no) * GeV for t in tokens[6:9])
                    mass = as_real(tokens[10], line_no) * GeV
                    vtx = [as_real(tokens[11], line_no) * cm, as_real(tokens[12], line_no) * cm,
                           as_real(tokens[13], line_no) * cm, as_real(tokens[14], line_no) * ns]
                # G.cc:298-307: G4PrimaryParticle(pid, px, py, pz) + SetMass(mass): the energy follows
                # from p and the mass column. (Geant4 later drops a primary whose PDG code it does not
                # know, keeping its pre-assigned daughters: G4PrimaryTransformer::GenerateSingleTrack.)
                part = {"pdg": pid, "px_mev": px, "py_mev": py, "pz_mev": pz, "mass_mev": mass,
                        "status": 1, "daughters": []}
                hplist.append([part, status, d1, d2])

            # G.cc:320-338: daughter links. The 1-based indices count the KEPT (status-1) particles,
            # not the file's lines, since the others were never stored. A claimed daughter is moved
            # under its mother (Done(): ISTHEP -> -ISTHEP) and is no longer a vertex primary.
            for i in range(len(hplist)):
                if hplist[i][2] > 0:
                    for j in range(hplist[i][2] - 1, hplist[i][3]):  # jda1-1 .. jda2-1 inclusive
                        if j >= len(hplist) or j < 0:
                            raise RuntimeError(f"{path}: daughter index {j + 1} past the {len(hplist)} kept "
                                               "particles (out-of-range HPlist access in edep-sim, G.cc:330)")
                        if j == i:
                            raise RuntimeError(f"{path}: particle {i + 1} is its own daughter (a cycle in Geant4)")
                        if hplist[j][1] > 0:
                            hplist[i][0]["daughters"].append(hplist[j][0])
                            hplist[j][1] = -hplist[j][1]
            primaries = [h[0] for h in hplist if h[1] > 0]  # G.cc:340-348

            # PG.cc:58-87: the position/time generators may overwrite what the reader set.
            x, y, z, t = vtx
            if force_position_mm is not None:
                x, y, z = (float(v) for v in force_position_mm)
            if force_time_ns is not None:
                t = float(force_time_ns)
            current.append({"event_id": event_id, "vertex_id": vertex_id, "x_mm": x, "y_mm": y, "z_mm": z,
                            "t_ns": t, "primaries": primaries})
            if len(current) == vertices_per_event:  # PG.cc:35-95 (the HEPEVT reader always returns kSuccess)
                events.append(list(current))
                current.clear()
