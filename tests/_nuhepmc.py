"""A NuHepMC 1.0 checker for HepMC3 ASCII files, written from the specification
(github.com/NuHepMC/Spec, README.md, version 1.0.0) and from what the reference reader
(github.com/NuHepMC/cpputils, src/NuHepMC/ReaderUtils.cxx, EventUtils.cxx, FATXUtils.cxx,
AttributeUtils.hxx) reads, as written there:

* ``CheckedAttributeValue<T>``: a required attribute missing -> MissingAttributeException; the
  ids of ``ReadIdDefinitions`` (ProcessIDs / ProcessInfo, VertexStatusIDs / VertexStatusInfo,
  ParticleStatusIDs / ParticleStatusInfo, AdditionalParticleNumbers / AdditionalParticleInfo)
  each need ``[<id>].Name`` and ``[<id>].Description`` (DescriptionRequired defaults to true);
* ``GR6::ReadCrossSectionUnits`` with the FATX accumulators refusing non-standard units
  (``NonStandardUnitsUsed``: scale pb, nb, cm2 or 1e-38 cm2; target PerAtom or PerNucleon);
* ``ER3::ReadProcessID`` reads the int ``signal_process_id``, ``ER5::ReadLabPosition`` the
  vector<double> ``lab_pos``; ``EC4::ReadFluxAveragedTotalCXSecCVBestEstimate`` reads
  ``cross_section()->xsecs()[weight_index("CV")]`` (a null cross section crashes it);
* ``Event::GetTargetPDG`` needs a status-20 particle; ``GC4::BuildEnergyDistributionTemplate``
  reads ``NuHepMC.Beam.EnergyUnit`` and ``NuHepMC.Beam.Type`` and the per-PDG
  ``Beam[<pdg>].MonoEnergetic.Energy``.

The file is parsed here as HepMC3's ``ReaderAscii`` reads the Asciiv3 format (``W``, ``T``,
``A`` run lines; per event ``E``, ``U``, ``W``, ``A``, ``P``, ``V`` lines), independently of
pyhepmc. :func:`check_file` returns the list of violations (empty: the file passes), each
naming the requirement.
"""

from __future__ import annotations

import re

STANDARD_SCALES = ("pb", "nb", "cm2", "1e-38 cm2", "1E-38 cm2")
STANDARD_TARGETS = ("PerAtom", "PerNucleon")
# P.R.1 / V.R.1: codes reserved by HepMC3 and NuHepMC (need no declaration; 0 is forbidden)
STANDARD_PARTICLE_STATUS = {1, 2, 3, 4, 20}
STANDARD_VERTEX_STATUS = {1, 2}


def _unescape(s: str) -> str:
    return s.replace("\\|", "\n")


def parse(path):
    """``(run, events)``: run = {"weights": [...], "tools": [...], "attrs": {name: str}};
    events = [{"number", "units", "weights", "attrs": {(id, name): str}, "particles": {id:
    dict}, "vertices": {id: dict}}]."""
    run = {"weights": None, "tools": [], "attrs": {}}
    events = []
    ev = None
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.rstrip("\n")
            if not line or line.startswith("HepMC::"):
                continue
            tag, _, rest = line.partition(" ")
            if ev is None and tag == "W":
                run["weights"] = rest.split("\\|")
            elif ev is None and tag == "T":
                run["tools"].append(rest.split("\\|"))
            elif ev is None and tag == "A":
                name, _, value = rest.partition(" ")
                run["attrs"][name] = _unescape(value)
            elif tag == "E":
                f = rest.split()
                ev = {"number": int(f[0]), "n_vertices": int(f[1]), "n_particles": int(f[2]), "units": None,
                      "weights": None, "attrs": {}, "particles": {}, "vertices": {}}
                events.append(ev)
            elif tag == "U":
                ev["units"] = rest.split()
            elif tag == "W":
                ev["weights"] = [float(x) for x in rest.split()]
            elif tag == "A":
                i, name, value = rest.split(" ", 2) if rest.count(" ") >= 2 else (*rest.split(" ", 1), "")
                ev["attrs"][(int(i), name)] = _unescape(value)
            elif tag == "P":
                f = rest.split()
                pid = int(f[0])
                ev["particles"][pid] = {"mother": int(f[1]), "pdg": int(f[2]), "p4": [float(x) for x in f[3:7]],
                                        "mass": float(f[7]), "status": int(f[8]), "end": None}
            elif tag == "V":
                m = re.match(r"(-?\d+) (-?\d+) \[([^\]]*)\](?: @ (.*))?", rest)
                vid, st = int(m.group(1)), int(m.group(2))
                ins = [int(x) for x in m.group(3).split(",") if x]
                pos = [float(x) for x in m.group(4).split()] if m.group(4) else [0.0] * 4
                ev["vertices"][vid] = {"status": st, "in": ins, "pos": pos}
    for ev in events:  # the graph: production and end vertices (an implicit vertex for a P line with a particle mother)
        parts, verts = ev["particles"], ev["vertices"]
        for vid, v in verts.items():
            v["out"] = []
            for i in v["in"]:
                parts[i]["end"] = vid
        for pid, p in parts.items():
            mo = p["mother"]
            if mo < 0:
                verts[mo]["out"].append(pid)
            elif mo > 0:  # produced in the (implicit) end vertex of particle mo
                key = ("implicit", mo)
                verts.setdefault(key, {"status": 0, "in": [mo], "pos": [0.0] * 4, "out": []})["out"].append(pid)
                parts[mo]["end"] = key
            p["production"] = mo if mo < 0 else (("implicit", mo) if mo > 0 else None)
    return run, events


def _int(s):
    try:
        return int(s)
    except (TypeError, ValueError):
        return None


def _float(s):
    try:
        return float(s)
    except (TypeError, ValueError):
        return None


def _ints(s):
    try:
        return [int(x) for x in s.split()]
    except (AttributeError, ValueError):
        return None


def check_run(run) -> list[str]:
    """Violations of the G.R requirements and of the signalled G conventions."""
    a = run["attrs"]
    out = []

    def need(name, parse_as, req):
        if name not in a:
            out.append(f"{req}: missing {name}")
            return None
        v = parse_as(a[name])
        if v is None:
            out.append(f"{req}: {name} = {a[name]!r} does not parse")
        return v

    if run["weights"] is None and not a:
        out.append("G.R.1: no GenRunInfo")
    for part in ("Major", "Minor", "Patch"):
        need(f"NuHepMC.Version.{part}", _int, "G.R.2")
    if [_int(a.get(f"NuHepMC.Version.{p}")) for p in ("Major", "Minor", "Patch")] != [1, 0, 0]:
        out.append("G.R.2: version is not 1.0.0")
    if not run["tools"] or any(len(t) < 2 or not t[0] or not t[1] for t in run["tools"]):
        out.append("G.R.3: a tool without name or version")
    conv = set(a.get("NuHepMC.Conventions", "").split())
    if "NuHepMC.Conventions" not in a:
        out.append("G.R.4: missing NuHepMC.Conventions")
    if not ({"G.C.2", "E.C.4"} & conv):
        out.append("G.R.5: neither G.C.2 nor E.C.4 signalled")
    if "G.C.2" in conv:
        need("NuHepMC.FluxAveragedTotalCrossSection", _float, "G.C.2")
    unit = need("NuHepMC.Units.CrossSection.Unit", str, "G.R.6")
    scale = need("NuHepMC.Units.CrossSection.TargetScale", str, "G.R.6")
    if unit is not None and unit not in STANDARD_SCALES:
        out.append(f"G.R.6: cross-section unit {unit!r} is not one the reference reader's FATX accepts")
    if scale is not None and scale not in STANDARD_TARGETS:
        out.append(f"G.R.6: target scale {scale!r} is not PerAtom or PerNucleon")
    if not run["weights"] or "CV" not in run["weights"]:
        out.append("G.R.7: no weight named CV")
    for req, ids, info in (("G.R.8", "ProcessIDs", "ProcessInfo"), ("G.R.9", "VertexStatusIDs", "VertexStatusInfo"),
                           ("G.R.10", "ParticleStatusIDs", "ParticleStatusInfo"),
                           ("G.R.11", "AdditionalParticleNumbers", "AdditionalParticleInfo")):
        codes = need(f"NuHepMC.{ids}", _ints, req)
        for c in codes or []:
            for field in ("Name", "Description"):  # ReadIdDefinitions: both required
                if not a.get(f"NuHepMC.{info}[{c}].{field}"):
                    out.append(f"{req}: missing NuHepMC.{info}[{c}].{field}")
            if req == "G.R.11" and not a.get(f"NuHepMC.AdditionalParticleNumber[{c}].Name"):
                out.append(f"G.R.11: missing NuHepMC.AdditionalParticleNumber[{c}].Name (the spec's spelling)")
    if "G.C.1" in conv and not any(k in a for k in ("NuHepMC.Exposure.POT", "NuHepMC.Exposure.Livetime")):
        out.append("G.C.1: no exposure")
    if "NuHepMC.Exposure.POT" in a and _float(a["NuHepMC.Exposure.POT"]) is None:
        out.append("G.C.1: NuHepMC.Exposure.POT is not a double")
    if "G.C.4" in conv:
        need("NuHepMC.Beam.EnergyUnit", str, "G.C.4")
        kind = need("NuHepMC.Beam.Type", str, "G.C.4 (reference reader)")
        if kind not in ("MonoEnergetic", "Histogram"):
            out.append(f"G.C.4: NuHepMC.Beam.Type = {kind!r}")
        pdgs = [int(m.group(1)) for k in a for m in [re.fullmatch(r"NuHepMC\.Beam\[(\d+)\]\.MonoEnergetic\.Energy", k)] if m]
        if kind == "MonoEnergetic" and not pdgs:
            out.append("G.C.4: no NuHepMC.Beam[<pdg>].MonoEnergetic.Energy")
        for p in pdgs:
            if a.get(f"NuHepMC.Beam[{p}].Type") != kind:
                out.append(f"G.C.4: NuHepMC.Beam[{p}].Type (the spec's name) missing or different")
    return out


def check_event(ev, run, last_number=None) -> list[str]:
    """Violations of E.R, V.R, P.R and the signalled E conventions in one event."""
    a = run["attrs"]
    conv = set(a.get("NuHepMC.Conventions", "").split())
    out = []
    attrs = {name: v for (i, name), v in ev["attrs"].items() if i == 0}
    if ev["number"] < 0:
        out.append("E.R.2: negative event number")
    pid = _int(attrs.get("signal_process_id"))
    if pid is None:
        out.append("E.R.3: no int signal_process_id")
    elif pid not in (_ints(a.get("NuHepMC.ProcessIDs", "")) or []):
        out.append(f"E.R.3: process {pid} not declared")
    if not ev["units"] or len(ev["units"]) != 2:
        out.append("E.R.4: units not set")
    lab = attrs.get("lab_pos")
    vals = [_float(x) for x in lab.split()] if lab is not None else None
    if vals is None or len(vals) not in (3, 4) or None in vals:
        out.append(f"E.R.5: lab_pos {lab!r} is not a vector of 3 or 4 doubles")
    elif len(vals) == 4 and "E.C.5" not in conv:
        out.append("E.C.5: lab_pos has a time but E.C.5 is not signalled")
    verts, parts = ev["vertices"], ev["particles"]
    vstat = [v["status"] for v in verts.values()]
    if not verts:
        out.append("E.R.6: no vertex")
    if vstat.count(1) != 1:
        out.append(f"E.R.6: {vstat.count(1)} primary vertices")
    if 0 in vstat:
        out.append("E.R.6: a vertex with status 0 (not defined, or an implicit vertex)")
    pstat = [p["status"] for p in parts.values()]
    if pstat.count(4) != 1 or pstat.count(20) != 1:
        out.append(f"E.R.7: {pstat.count(4)} beam and {pstat.count(20)} target particles")
    for k, p in parts.items():
        if p["production"] is None and p["status"] not in (4, 20):
            out.append(f"P.R.1: incoming particle {k} has status {p['status']}")
        if p["end"] is None and p["production"] is not None and p["status"] != 1:
            out.append(f"P.R.1: outgoing particle {k} has status {p['status']}")
        if p["status"] == 0:
            out.append(f"P.R.1: particle {k} has status 0")
    declared_p = set(_ints(a.get("NuHepMC.ParticleStatusIDs", "")) or [])
    declared_v = set(_ints(a.get("NuHepMC.VertexStatusIDs", "")) or [])
    for s in set(pstat) - STANDARD_PARTICLE_STATUS - declared_p:
        out.append(f"G.R.10: particle status {s} used, not declared")
    for s in set(vstat) - STANDARD_VERTEX_STATUS - declared_v:
        if s:
            out.append(f"G.R.9: vertex status {s} used, not declared")
    for s in set(vstat):
        if 3 <= s <= 20:
            out.append(f"V.R.1: vertex status {s} is reserved")
    for s in set(pstat):
        if 5 <= s <= 19:
            out.append(f"P.R.1: particle status {s} is reserved")
    if ev["weights"] is None or len(ev["weights"]) != len(run["weights"] or []):
        out.append("G.R.7: event weights do not match the declared names")
    if "E.C.4" in conv:
        cs = attrs.get("GenCrossSection")
        f = [_float(x) for x in cs.split()] if cs else []
        nw = len(run["weights"] or [])
        if len(f) != 4 + 2 * (nw - 1):
            out.append(f"E.C.4: GenCrossSection {cs!r} does not hold one value and error per weight")
        elif not (f[0] > 0 and f[1] >= 0 and f[2] >= 1 and f[3] >= f[2]):
            out.append(f"E.C.4: GenCrossSection {cs!r}: cross section, error, accepted <= attempted")
    return out


def check_file(path) -> list[str]:
    """Every violation in the file (run info, then each event), each prefixed by where."""
    run, events = parse(path)
    out = [f"run: {v}" for v in check_run(run)]
    seen = set()
    for ev in events:
        if ev["number"] in seen:
            out.append(f"event {ev['number']}: E.R.2: event number not unique")
        seen.add(ev["number"])
        out += [f"event {ev['number']}: {v}" for v in check_event(ev, run)]
    return out
