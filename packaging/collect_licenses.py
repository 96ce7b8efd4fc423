"""Copy the licence files of every Python distribution in this interpreter's environment into
OUT/<distribution>/ and write OUT/packages.txt (name, version, declared licence).

    build/frozen/venv/bin/python packaging/collect_licenses.py dist/ningxia_gis/licenses
Run with the lean build venv, whose packages are exactly the bundled ones (plus the build tools below).
"""

from __future__ import annotations

import shutil
import sys
from importlib import metadata
from pathlib import Path

BUILD_ONLY = {"pip", "setuptools", "wheel", "pyinstaller", "pyinstaller-hooks-contrib", "altgraph", "packaging"}


def licence_of(dist) -> str:
    meta = dist.metadata
    expr = meta.get("License-Expression")
    if expr:
        return expr
    text = (meta.get("License") or "").strip().splitlines()
    if text and len(text[0]) < 80:
        return text[0]
    classifiers = [c.split("::")[-1].strip() for c in meta.get_all("Classifier") or [] if c.startswith("License")]
    return "; ".join(classifiers) or "see the licence files"


def main(out: str) -> int:
    out_dir = Path(out)
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = []
    for dist in sorted(metadata.distributions(), key=lambda d: d.metadata["Name"].lower()):
        name = dist.metadata["Name"]
        if name.lower() in BUILD_ONLY:
            continue
        rows.append(f"{name}\t{dist.version}\t{licence_of(dist)}")
        for f in dist.files or []:
            parts = [p.lower() for p in f.parts]
            if any(p.endswith(".dist-info") for p in parts[:1]) and any(
                    k in parts[-1] for k in ("licen", "copying", "notice", "authors")):
                dest = out_dir / name / f.name
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(dist.locate_file(f), dest)
    (out_dir / "packages.txt").write_text("package\tversion\tlicence\n" + "\n".join(rows) + "\n", encoding="utf-8")
    print(f"{len(rows)} packages listed in {out_dir / 'packages.txt'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
