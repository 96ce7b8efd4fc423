"""Build resources/fonts/NotoSansSC-Regular.ttf: Noto Sans SC with TrueType (quadratic) outlines.

The upstream Noto Sans SC is an OpenType/CFF font. CFF fonts embed badly in matplotlib's
``pdf.fonttype = 42`` (poppler: "Mismatch between font type and embedded font file") and cannot be
used by reportlab, so the shipped copy is converted once, here, to ``glyf`` outlines with fontTools
(cu2qu: cubic → quadratic curves, max error 1 font unit of 1000). Everything else (cmap, metrics,
GSUB/GPOS, names) is kept.

Source: the OTF inside the PyPI wheel ``pylopdf-fonts-zh-cn==0.1.1`` (a copy of notofonts/noto-cjk
Noto Sans SC 2.004, SIL OFL 1.1). It is *not* a dependency of the project; fetch it by hand:

    pip download --no-deps -d /tmp/x pylopdf-fonts-zh-cn==0.1.1
    cd /tmp/x && unzip -o pylopdf_fonts_zh_cn-0.1.1-py3-none-any.whl
    python tools/build_cjk_font.py /tmp/x/pylopdf_fonts_zh_cn/NotoSansSC-Regular.otf

Takes ~30 s and ~400 MB of RAM; writes resources/fonts/NotoSansSC-Regular.ttf (≈10 MB).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont, newTable

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "resources" / "fonts" / "NotoSansSC-Regular.ttf"
MAX_ERR = 1.0  # font units (em = 1000)


def convert(src: Path, out: Path) -> None:
    font = TTFont(str(src))
    if "CFF " not in font:
        raise SystemExit(f"{src}: no CFF table (already TrueType?)")
    order = font.getGlyphOrder()
    gs = font.getGlyphSet()
    glyphs = {}
    for name in order:
        pen = TTGlyphPen(None)
        gs[name].draw(Cu2QuPen(pen, MAX_ERR, reverse_direction=True))
        glyphs[name] = pen.glyph()
    glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = glyphs
    font["glyf"] = glyf
    font["loca"] = newTable("loca")
    del font["CFF "]
    if "VORG" in font:  # CFF-only table
        del font["VORG"]
    if "DSIG" in font:  # the signature is void after any change
        del font["DSIG"]
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    for attr in ("maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
                 "maxStackElements", "maxSizeOfInstructions", "maxComponentElements"):
        setattr(maxp, attr, 0)
    maxp.maxZones = 1
    maxp.maxComponentDepth = 0
    font["head"].glyphDataFormat = 0
    font["head"].indexToLocFormat = 1
    post = font["post"]
    post.formatType = 2.0
    post.extraNames = []
    post.mapping = {}
    post.glyphOrder = order
    font.sfntVersion = "\x00\x01\x00\x00"
    font.recalcBBoxes = True
    out.parent.mkdir(parents=True, exist_ok=True)
    font.save(str(out))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("otf", type=Path, help="NotoSansSC-Regular.otf (CFF outlines)")
    ap.add_argument("-o", "--out", type=Path, default=DEFAULT_OUT)
    a = ap.parse_args(argv)
    t = time.time()
    convert(a.otf, a.out)
    check = TTFont(str(a.out))
    print(f"{a.out} written: {a.out.stat().st_size / 1e6:.1f} MB, {len(check.getGlyphOrder())} glyphs, "
          f"{'glyf' in check and 'CFF ' not in check and 'TrueType'} outlines, {time.time() - t:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
