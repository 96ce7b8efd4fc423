"""Build ningxia_gis/resources/fonts/NotoSansSC-Regular.ttf: Noto Sans SC with TrueType (quadratic) outlines.

The upstream Noto Sans SC is an OpenType/CFF font. CFF fonts embed badly in matplotlib's
``pdf.fonttype = 42`` (poppler: "Mismatch between font type and embedded font file") and cannot be
used by reportlab, so the shipped copy is converted once, here, to ``glyf`` outlines with fontTools
(cu2qu: cubic → quadratic curves, max error 1 font unit of 1000). Everything else (metrics, GSUB/GPOS,
names) is kept, except that the cmap loses the radical/compatibility aliases of unified ideographs
(`dedupe_cmap`) and the default GSUB features whose glyphs have no code point are emptied
(`strip_text_breaking_features`), so that text in Qt-made PDFs extracts and searches correctly.

Source: the OTF inside the PyPI wheel ``pylopdf-fonts-zh-cn==0.1.1`` (a copy of notofonts/noto-cjk
Noto Sans SC 2.004, SIL OFL 1.1). It is *not* a dependency of the project; fetch it by hand:

    pip download --no-deps -d /tmp/x pylopdf-fonts-zh-cn==0.1.1
    cd /tmp/x && unzip -o pylopdf_fonts_zh_cn-0.1.1-py3-none-any.whl
    python tools/build_cjk_font.py /tmp/x/pylopdf_fonts_zh_cn/NotoSansSC-Regular.otf

Takes ~30 s and ~400 MB of RAM; writes ningxia_gis/resources/fonts/NotoSansSC-Regular.ttf (≈10 MB).
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
DEFAULT_OUT = ROOT / "ningxia_gis" / "resources" / "fonts" / "NotoSansSC-Regular.ttf"
MAX_ERR = 1.0  # font units (em = 1000)
# Code points that share a glyph with a unified ideograph (⽂ U+2F42 = 文 U+6587 …). PDF writers (Qt)
# build the ToUnicode map from the cmap in reverse, and may pick these, so copied/searched text reads
# "⾯积" instead of "面积". They are dropped from the cmap when the glyph has another code point.
ALIAS_RANGES = ((0x2E80, 0x2EFF), (0x2F00, 0x2FDF), (0xF900, 0xFAFF), (0x2F800, 0x2FA1F))


# Default-on GSUB features whose outputs have no code point of their own (Latin-run digits of `locl`,
# f-ligatures of `liga`, dash ligatures of `ccmp`). Qt writes a PDF's ToUnicode map by reverse cmap
# lookup, so text shaped with them is drawn but cannot be extracted or searched ("NT00008" → "NT").
# Their lookups are emptied; the glyphs stay (the design differences are invisible at report sizes).
TEXT_BREAKING_FEATURES = ("ccmp", "liga", "locl", "calt", "clig", "rlig", "dlig")


def strip_text_breaking_features(font: TTFont) -> int:
    """Empty the lookups of TEXT_BREAKING_FEATURES in GSUB; returns the number of features emptied."""
    if "GSUB" not in font:
        return 0
    n = 0
    for rec in font["GSUB"].table.FeatureList.FeatureRecord:
        if rec.FeatureTag in TEXT_BREAKING_FEATURES and rec.Feature.LookupListIndex:
            rec.Feature.LookupListIndex = []
            rec.Feature.LookupCount = 0
            n += 1
    return n


def dedupe_cmap(font: TTFont) -> int:
    """Remove alias code points (ALIAS_RANGES) whose glyph is also mapped by another code point."""
    best = font.getBestCmap()
    by_glyph: dict[str, list[int]] = {}
    for cp, g in best.items():
        by_glyph.setdefault(g, []).append(cp)
    drop = set()
    for cps in by_glyph.values():
        alias = [c for c in cps if any(a <= c <= b for a, b in ALIAS_RANGES)]
        if alias and len(alias) < len(cps):
            drop.update(alias)
    for table in font["cmap"].tables:
        if table.isUnicode():
            for cp in drop:
                table.cmap.pop(cp, None)
    return len(drop)


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
    dropped = dedupe_cmap(font)
    emptied = strip_text_breaking_features(font)
    print(f"cmap: {dropped} alias code points dropped; GSUB: {emptied} default features emptied")
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
