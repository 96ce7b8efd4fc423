"""Footprint readers at scale: a 10⁶-vertex 界址点 TXT (inspect and check) and a DXF with 10⁶ entities
(inspect), timed in this tree and, with ``--baseline GIT_REV`` (repeatable), in an export of that revision,
all in the same run, with the peak RSS of each measurement.

    python benchmarks/footprint_scale.py                      # this tree only
    python benchmarks/footprint_scale.py --baseline c046d81   # before/after ratios

The files are generated on first use into ``benchmarks/data/footprint_scale/`` (git-ignored): the TXT is
one parcel whose ring is a 10⁶-vertex circle (r = 2 km) in CGCS2000 3° zone 35; the DXF is a 勘测定界图-like
drawing of 999,000 LINE/TEXT entities (topography, labels) and 1,000 closed LWPOLYLINE parcels on 红线.
Each measurement runs in a fresh interpreter: ``time.perf_counter`` around load + report / run_check
(``txt_inspect``, ``txt_check``, ``dxf_inspect``), or around the whole command with its imports
(``cli_*``: ``ningxia-gis footprint inspect`` / ``ningxia-gis check --json``); peak = the process's max RSS.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "benchmarks" / "data" / "footprint_scale"
N0, E0 = 4_141_000.0, 35_615_000.0  # zone-prefixed GK 3° zone 35, ≈106.30°E 37.39°N, inside Ningxia


def make_txt(path: Path, n: int = 1_000_000) -> None:
    import numpy as np
    t = np.linspace(0, 2 * math.pi, n, endpoint=False)
    x = N0 + 2000 * np.sin(t)
    y = E0 + 2000 * np.cos(t)
    head = ("[属性描述]\r\n格式版本号=1.01\r\n坐标系=2000国家大地坐标系\r\n几度分带=3\r\n投影类型=高斯克吕格\r\n"
            "计量单位=米\r\n带号=35\r\n精度=0.001\r\n[地块坐标]\r\n"
            f"{n + 1},{math.pi * 2000 ** 2 / 1e4:.4f},DK01,大圆地块,面,,,,@\r\n")
    idx = np.arange(1, n + 1)
    lines = [f"J{i},1,{a:.3f},{b:.3f}" for i, a, b in zip(idx, x, y)]
    lines.append(lines[0])
    path.write_bytes((head + "\r\n".join(lines) + "\r\n").encode("gbk"))


def make_dxf(path: Path, n_entities: int = 1_000_000, n_parcels: int = 1_000) -> None:
    out = ["0", "SECTION", "2", "HEADER", "9", "$ACADVER", "1", "AC1015", "9", "$DWGCODEPAGE", "3", "ANSI_936",
           "0", "ENDSEC", "0", "SECTION", "2", "ENTITIES"]
    handle = 0x100
    side = int(math.ceil(math.sqrt(n_parcels)))
    for k in range(n_parcels):  # 8-vertex parcels, 30 m apart, zone-prefixed eastings
        x0, y0 = E0 + 40 * (k % side), N0 + 40 * (k // side)
        pts = [(0, 0), (10, 0), (20, 0), (20, 10), (20, 20), (10, 20), (0, 20), (0, 10)]
        out += ["0", "LWPOLYLINE", "5", f"{handle:X}", "100", "AcDbEntity", "8", "红线", "100", "AcDbPolyline",
                "90", "8", "70", "1"]
        for px, py in pts:
            out += ["10", f"{x0 + px:.3f}", "20", f"{y0 + py:.3f}"]
        handle += 1
    for k in range(n_entities - n_parcels):
        x, y = E0 - 1000 + (k % 1000) * 3.0, N0 - 1000 + (k // 1000) * 3.0
        if k % 3 == 2:
            out += ["0", "TEXT", "5", f"{handle:X}", "100", "AcDbEntity", "8", "注记", "100", "AcDbText",
                    "10", f"{x:.3f}", "20", f"{y:.3f}", "30", "0.0", "40", "2.5", "1", f"{k}"]
        else:
            out += ["0", "LINE", "5", f"{handle:X}", "100", "AcDbEntity", "8", "地形", "100", "AcDbLine",
                    "10", f"{x:.3f}", "20", f"{y:.3f}", "30", "0.0", "11", f"{x + 2:.3f}", "21", f"{y + 1:.3f}",
                    "31", "0.0"]
        handle += 1
    out += ["0", "ENDSEC", "0", "EOF"]
    path.write_bytes(("\r\n".join(out) + "\r\n").encode("gbk"))


JOBS = {
    "txt_inspect": ("big.txt", "fp = load_footprint(P); report_of(fp).to_text()"),
    "txt_check": ("big.txt", "fp = load_footprint(P); run_check(fp, None)"),
    "dxf_inspect": ("big.dxf", "fp = load_footprint(P); report_of(fp).to_text()"),
}
#: the commands as a user runs them (``ningxia-gis …``, in process, output discarded; DXF inspect also
#: restores our writers' attributes, the check writes the result JSON)
CLI_JOBS = {
    "cli_txt_inspect": ("big.txt", ["footprint", "inspect", "{P}"]),
    "cli_txt_check": ("big.txt", ["check", "{P}", "--json", "{P}.result.json"]),
    "cli_dxf_inspect": ("big.dxf", ["footprint", "inspect", "{P}"]),
}

RUNNER = """
import sys, time, json
from pathlib import Path
try:
    from ningxia_gis.footprint_io import load_footprint
except ImportError:  # revisions before a096b8b: load_footprint lived in core.footprint
    from ningxia_gis.core.footprint import load_footprint
from ningxia_gis.footprint_io.validate import report_of
from ningxia_gis.core.check import run_check
P = Path(sys.argv[1])
t0 = time.perf_counter()
{code}
import resource
print(json.dumps({{"seconds": time.perf_counter() - t0,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""


CLI_RUNNER = """
import contextlib, io, json, resource, sys, time
t0 = time.perf_counter()
from ningxia_gis.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    rc = main({argv!r})
if rc != 0:
    sys.exit(f"exit status {{rc}}")
print(json.dumps({{"seconds": time.perf_counter() - t0,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""


def timed(src: Path, job: str, timeout: float) -> dict | None:
    """{"seconds", "peak_mb"} of one job in a fresh interpreter on the tree ``src``; None on timeout,
    NaN seconds on failure."""
    if job in CLI_JOBS:
        name, argv = CLI_JOBS[job]
        code = CLI_RUNNER.format(argv=[a.format(P=DATA / name) for a in argv])
        return _run(src, job, code, name, timeout)
    name, code = JOBS[job]
    return _run(src, job, RUNNER.format(code=code), name, timeout)


def _run(src: Path, job: str, code: str, name: str, timeout: float) -> dict | None:
    env = {**os.environ, "PYTHONPATH": str(src)}
    env.pop("PROJ_DATA", None)
    try:
        r = subprocess.run([sys.executable, "-c", code, str(DATA / name)], env=env,
                           capture_output=True, text=True, timeout=timeout, cwd=str(src))
    except subprocess.TimeoutExpired:
        return None
    if r.returncode != 0:
        print(f"  {job} in {src}: failed: {r.stderr.strip().splitlines()[-1] if r.stderr.strip() else r.returncode}",
              file=sys.stderr)
        return {"seconds": float("nan"), "peak_mb": float("nan")}
    return json.loads(r.stdout.strip().splitlines()[-1])


def export(rev: str) -> Path:
    d = Path(tempfile.mkdtemp(prefix="ningxia_base_"))
    with tempfile.TemporaryFile() as fh:
        subprocess.run(["git", "archive", rev], cwd=ROOT, stdout=fh, check=True)
        fh.seek(0)
        with tarfile.open(fileobj=fh) as tar:
            tar.extractall(d, filter="data")
    return d


def _fmt(m: dict | None) -> str:
    if m is None:
        return "timeout"
    s, mb = m["seconds"], m["peak_mb"]
    return "failed" if s != s else f"{s:.2f} s {mb / 1024:.2f} GB"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--baseline", metavar="GIT_REV", action="append", default=[],
                    help="also time this revision (git archive export); may be given more than once")
    ap.add_argument("--jobs", nargs="*", default=[*JOBS, *CLI_JOBS], choices=[*JOBS, *CLI_JOBS])
    ap.add_argument("--timeout", type=float, default=900, help="seconds per measurement (default 900)")
    args = ap.parse_args()
    DATA.mkdir(parents=True, exist_ok=True)
    if not (DATA / "big.txt").exists():
        t = time.perf_counter()
        make_txt(DATA / "big.txt")
        print(f"made big.txt ({(DATA / 'big.txt').stat().st_size >> 20} MB) in {time.perf_counter() - t:.1f} s")
    if not (DATA / "big.dxf").exists():
        t = time.perf_counter()
        make_dxf(DATA / "big.dxf")
        print(f"made big.dxf ({(DATA / 'big.dxf').stat().st_size >> 20} MB) in {time.perf_counter() - t:.1f} s")
    bases = {rev: export(rev) for rev in args.baseline}
    cols = [f"{rev} (time, peak RSS)" for rev in bases] + ["this tree"] + [f"ratio vs {rev}" for rev in bases]
    print(f"{'job':<12} " + " ".join(f"{c:>22}" for c in cols))
    results = {}
    for job in args.jobs:
        ours = timed(ROOT, job, args.timeout)
        before = {rev: timed(d, job, args.timeout) for rev, d in bases.items()}
        ratios = {}
        for rev, m in before.items():
            ok = m and ours and m["seconds"] == m["seconds"] and ours["seconds"] == ours["seconds"]
            ratios[rev] = m["seconds"] / ours["seconds"] if ok else None
        results[job] = {"this_tree": ours, "baselines": before, "ratio": ratios}
        cells = [_fmt(m) for m in before.values()] + [_fmt(ours)] + \
            [f"{r:.1f}×" if r else "—" for r in ratios.values()]
        print(f"{job:<12} " + " ".join(f"{c:>22}" for c in cells), flush=True)
    (DATA / "results.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
