"""Maps and fonts: matplotlib draws Chinese with the shipped font (also with an empty font cache and
no system CJK font), styles per role, location and overlay maps from the layer files or the JSON only."""

import json
import os
import shutil
import subprocess
import sys
import warnings

import pytest

from ningxia_gis.review import review_file
from ningxia_gis.core.scenarios import find_scenario
from ningxia_gis.fonts import cjk_font_family, cjk_font_path, setup_matplotlib_fonts
from ningxia_gis.maps import location_map, map_context, overlay_map, save_map
from ningxia_gis.styles import load_styles


@pytest.fixture(scope="module")
def wind():
    return review_file(find_scenario("wind_farm_zone36").footprint).data


def test_font_file_and_family():
    p = cjk_font_path()
    assert p.suffix == ".ttf" and p.stat().st_size > 5_000_000
    assert (p.parent / "OFL.txt").exists()
    assert cjk_font_family() == "Noto Sans SC"


def test_matplotlib_resolves_shipped_font():
    from matplotlib import font_manager, rcParams

    setup_matplotlib_fonts()
    found = font_manager.findfont(font_manager.FontProperties(family=rcParams["font.sans-serif"]))
    assert os.path.samefile(found, cjk_font_path())
    assert rcParams["pdf.fonttype"] == 42
    before = list(rcParams["font.sans-serif"])
    setup_matplotlib_fonts()  # idempotent: a growing list would defeat matplotlib's findfont cache
    assert rcParams["font.sans-serif"] == before


SCRIPT = r"""
import warnings, matplotlib
matplotlib.use("Agg")
from ningxia_gis.fonts import setup_matplotlib_fonts
setup_matplotlib_fonts()
from matplotlib.figure import Figure
with warnings.catch_warnings(record=True) as w:
    warnings.simplefilter("always")
    fig = Figure(figsize=(3, 2))
    fig.text(0.1, 0.5, "永久基本农田 生态保护红线 压占面积 公顷 亩 ㎡")
    fig.savefig(OUT)
    bad = [str(x.message) for x in w if "missing from" in str(x.message) or "Glyph" in str(x.message)]
print("BAD" if bad else "OK", bad)
"""


@pytest.mark.skipif(not shutil.which("pdffonts"), reason="poppler-utils missing")
def test_chinese_without_system_font_or_cache(tmp_path):
    """A fresh matplotlib config dir (no font cache) and no CJK font in the system: the shipped font draws."""
    out = tmp_path / "t.pdf"
    env = {**os.environ, "MPLCONFIGDIR": str(tmp_path / "mpl"), "HOME": str(tmp_path)}
    r = subprocess.run([sys.executable, "-c", f"OUT = {str(out)!r}\n" + SCRIPT], env=env, capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("OK"), r.stdout
    fonts = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True).stdout
    assert "NotoSansSC" in fonts and "CID TrueType" in fonts
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True).stdout
    assert "永久基本农田" in text


def test_styles_cover_every_role():
    from ningxia_gis.domain.roles import ROLES

    st = load_styles()
    assert set(ROLES) <= set(st.roles)
    assert st.role("eco_redline").hatch and st.role("eco_redline").edge.lower().startswith("#d")
    assert st.role("grassland", "基本草原").face != st.role("grassland", "一般草原").face
    assert st.footprint.width >= 2 and st.piece.alpha < 1
    assert st.role("urban_boundary").linestyle == "--"


def _texts(fig):
    out = [t.get_text() for t in fig.texts]
    for ax in fig.axes:
        out += [t.get_text() for t in ax.texts] + [ax.get_xlabel(), ax.get_ylabel()]
    for leg in fig.legends:
        out += [t.get_text() for t in leg.get_texts()]
    return out


def test_overlay_map_from_layer_files(wind, tmp_path):
    fig = overlay_map(wind, "cy")
    texts = _texts(fig)
    assert "草原叠加分析图" in texts and "项目用地范围" in texts and "压占草原部分" in texts
    assert "北" in texts and any("含带号 36" in t for t in texts)
    ids = [p["feature_id"] for p in next(x for x in wind["layers"] if x["id"] == "cy")["pieces"] if not p["sliver"]]
    assert set(ids) <= set(texts)  # few pieces: labelled with their feature ids
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert labels and all(lab.startswith("36") and len(lab) == 8 for lab in labels)  # Y with the zone prefix
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # a missing glyph would warn
        save_map(fig, tmp_path / "m.png", dpi=60)


def test_location_map_and_json_only_fallback(wind, tmp_path):
    fig = location_map(wind)
    texts = _texts(fig)
    assert "红寺堡区" in texts and "项目位置" in texts
    ctx = map_context(json.loads(json.dumps(wind)), use_sources=False)
    fig = overlay_map(ctx, "cy", title=None)
    assert any("图层文件不可用" in t for t in _texts(fig))
    fig = location_map(ctx)
    assert any("未找到行政区图层" in t for t in _texts(fig))
    save_map(fig, tmp_path / "l.png", dpi=50)
