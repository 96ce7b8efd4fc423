"""A corpus of hostile and broken footprint inputs (issue 17), generated on demand.

    python tests/fault_corpus.py OUT_DIR [--large]     # writes the files and OUT_DIR/expect.json

Each case is a file and what must happen: ``ok`` (with the expected ellipsoidal-free planar area in m²,
computed here from the coordinates written, and warnings that must appear) or ``error`` (exit 2 with one
Chinese/English line containing a given text). ``--large`` adds the 10⁶-vertex TXT and the DXF with 10⁶
entities (benchmarks/footprint_scale.py makes the same files). Used by tests/test_faults.py.
"""

from __future__ import annotations

import json
import math
import os
import sys
import zipfile
from pathlib import Path

N0, E0 = 4_141_000.0, 35_615_000.0  # zone-prefixed CGCS2000 3° zone 35, ≈106.30°E 37.39°N, inside Ningxia
HEAD = ("[属性描述]\n坐标系=2000国家大地坐标系\n几度分带=3\n投影类型=高斯克吕格\n计量单位=米\n带号=35\n"
        "[地块坐标]\n")


def _txt(header: str, rings: list[list[tuple[float, float]]]) -> str:
    lines, k = [header], 0
    for r, ring in enumerate(rings, start=1):
        first = k + 1
        for n, e in ring:
            k += 1
            lines.append(f"J{k},{r},{n:.3f},{e:.3f}")
        lines.append(f"J{first},{r},{ring[0][0]:.3f},{ring[0][1]:.3f}")
    return HEAD + "\n".join(lines) + "\n"


def _rect(n0, e0, dn, de):
    return [(n0, e0), (n0, e0 + de), (n0 - dn, e0 + de), (n0 - dn, e0)]


def _shoelace(ring_ne) -> float:
    """Planar area of a ring given as (north, east) pairs, as written (mm), by the shoelace formula about
    its first point (independent of shapely)."""
    pts = [(round(n, 3) - round(ring_ne[0][0], 3), round(e, 3) - round(ring_ne[0][1], 3)) for n, e in ring_ne]
    s = 0.0
    for (n1, e1), (n2, e2) in zip(pts, pts[1:] + pts[:1]):
        s += e1 * n2 - e2 * n1
    return abs(s) / 2


def cases(out: Path) -> dict:
    """Write the corpus into ``out``; {file name: expectation}."""
    out.mkdir(parents=True, exist_ok=True)
    exp: dict = {}

    def put(name, data, **expect):
        p = out / name
        p.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
        exp[name] = expect

    good = _rect(N0, E0, 100, 200)
    put("good.txt", _txt("5,2.0000,DK01,好地块,面,,,,@", [good]), result="ok", planar_m2=_shoelace(good))
    # misreads
    put("no_count_whole_area.txt", _txt("2,DK02,无点数地块,面,,,,@", [good]), result="ok",
        planar_m2=_shoelace(good), attrs={"地块编号": "DK02", "地块名称": "无点数地块"})
    thin = _rect(N0, E0, 0.001, 100)
    put("degenerate.txt", _txt("5,0.00001,DK03,细条,面,,,,@", [thin]), result="ok",
        planar_m2=_shoelace(thin), warning="degenerate shape")
    far = _rect(N0 + 500, E0 + 500, 20, 20)
    put("ring2_outside.txt", _txt("10,2.0400,DK04,外环,面,,,,@", [good, far]), result="ok",
        planar_m2=_shoelace(good) + _shoelace(far), warning="ring 2 lies outside ring 1")
    bow = [(N0, E0), (N0 - 100, E0 + 100), (N0, E0 + 100), (N0 - 100, E0)]
    put("bowtie.txt", _txt("5,1.0000,DK05,蝴蝶,面,,,,@", [bow]), result="ok", planar_m2=2 * 0.5 * 100 * 50,
        warning="make_valid")
    # malformed text
    put("huge_coordinate.txt", _txt("5,1,DK06,大,面,,,,@", [[(1e300, E0), (N0, E0 + 10), (N0 - 10, E0)]]),
        result="error", text="neither Gauss-Krüger")
    put("unpack.txt", HEAD + "5,1,DK07,x,面,,,,@\nJ1,1\nJ2,1,4141000,35615000\n", result="error",
        text="line 9")
    put("binary.txt", bytes(range(256)) * 64, result="error", text="binary.txt")
    put("empty.txt", b"", result="error", text="empty.txt")
    put("nan.txt", _txt("5,1,DK08,x,面,,,,@", [[(float("nan"), E0), (N0, E0 + 10), (N0 - 10, E0)]]),
        result="error", text="not a number")
    put("bad.csv", "X,Y\n4141000,35615000\nabc,35615100\n4140900,35615100\n", result="error", text="'abc' is not a number")
    put("bad.kml", "<kml><Placemark><Polygon><outerBoundaryIs><LinearRing><coordinates>106,37 107",
        result="error", text="not well-formed")
    put("entity.kml", '<?xml version="1.0"?><!DOCTYPE kml [<!ENTITY a "aaaa">]><kml>&a;</kml>', result="error",
        text="DOCTYPE")
    put("bad.dxf", "0\nSECTION\n2\nENTITIES\n0\nLWPOLYLINE\n10\nabc\n", result="error", text="bad.dxf")
    put("bad.xlsx", b"PK\x03\x04 not really a zip", result="error", text="bad.xlsx")
    # bounded reads
    bomb = out / "bomb.kmz"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("doc.kml", b"<kml>" + b" " * (300 << 20) + b"</kml>")
    exp["bomb.kmz"] = {"result": "error", "text": "zip bomb"}
    fifo = out / "fifo.txt"
    if hasattr(os, "mkfifo"):
        if not fifo.exists():
            os.mkfifo(fifo)
        exp["fifo.txt"] = {"result": "error", "text": "not a regular file"}
    zero = out / "zero.txt"
    if Path("/dev/zero").exists() and not zero.is_symlink():
        zero.symlink_to("/dev/zero")
        exp["zero.txt"] = {"result": "error", "text": "not a regular file"}
    loop = out / "loop.txt"
    if not loop.is_symlink():
        loop.symlink_to(loop.name)
    exp["loop.txt"] = {"result": "error", "text": "loop.txt"}
    (out / "expect.json").write_text(json.dumps(exp, ensure_ascii=False, indent=1), encoding="utf-8")
    return exp


def large(out: Path) -> None:
    """The 10⁶-vertex TXT and the 10⁶-entity DXF (as benchmarks/footprint_scale.py)."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    import footprint_scale
    footprint_scale.make_txt(out / "big.txt")
    footprint_scale.make_dxf(out / "big.dxf")


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "fault_corpus")
    cases(target)
    if "--large" in sys.argv:
        large(target)
    print(f"corpus → {target}")
