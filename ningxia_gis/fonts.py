"""The shipped CJK font (resources/fonts/NotoSansSC-Regular.ttf) for matplotlib, Qt and reports.

Nothing here depends on a system CJK font: the font file is registered explicitly with matplotlib
(`setup_matplotlib_fonts`); Qt registers it in ``report.pdf.qt_font_family``.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from .domain.errors import NingxiaGisError
from .paths import FONTS_DIR

FONT_FILE = "NotoSansSC-Regular.ttf"
FALLBACK_FAMILY = "Noto Sans SC"
#: fonts a Chinese Windows / Office has, named in the Word export (Word only references fonts)
WORD_FONT_BODY = "宋体"
WORD_FONT_HEADING = "黑体"
WORD_FONT_LATIN = "Times New Roman"


def cjk_font_path() -> Path:
    """Path of the shipped TrueType CJK font (raises NingxiaGisError when the file is missing)."""
    p = FONTS_DIR / FONT_FILE
    if not p.is_file():
        raise NingxiaGisError("report.font_missing", path=p)
    return p


@lru_cache(maxsize=1)
def cjk_font_family() -> str:
    """Family name of the shipped font as font engines see it ("Noto Sans SC")."""
    try:
        from matplotlib.ft2font import FT2Font

        return FT2Font(str(cjk_font_path())).family_name or FALLBACK_FAMILY
    except NingxiaGisError:
        raise
    except Exception:  # noqa: BLE001 - a name is all we need
        return FALLBACK_FAMILY


_MPL_DONE = False


def setup_matplotlib_fonts() -> str:
    """Register the shipped font with matplotlib and make it the default sans-serif font.

    Sets ``pdf.fonttype``/``ps.fonttype`` 42 (embedded TrueType, searchable text) and
    ``axes.unicode_minus`` False (the font has no U+2212 in every weight). Idempotent; returns the
    family name.
    """
    global _MPL_DONE
    import matplotlib as mpl
    from matplotlib import font_manager

    family = cjk_font_family()
    if not _MPL_DONE:
        font_manager.fontManager.addfont(str(cjk_font_path()))
        _MPL_DONE = True
    # ours first, DejaVu Sans as the glyph fallback, then the rest; no duplicates (the list is part of
    # matplotlib's findfont cache key: a growing list would defeat the cache)
    sans = [family, "DejaVu Sans", *mpl.rcParams["font.sans-serif"]]
    mpl.rcParams["font.family"] = ["sans-serif"]
    mpl.rcParams["font.sans-serif"] = list(dict.fromkeys(sans))
    mpl.rcParams["pdf.fonttype"] = 42
    mpl.rcParams["ps.fonttype"] = 42
    mpl.rcParams["axes.unicode_minus"] = False
    return family


def font_properties(size: float | None = None):
    """A matplotlib FontProperties pointing at the shipped file itself (immune to name clashes)."""
    from matplotlib.font_manager import FontProperties

    return FontProperties(fname=str(cjk_font_path()), size=size)
