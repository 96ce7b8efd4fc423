"""Render the synthetic sample layers for a visual check (matplotlib): build/sample_layers_*.png.

    python tools/render_sample_layers.py
"""
import glob
import sys
from pathlib import Path

import geopandas as gpd
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import font_manager as fm  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
D = ROOT / "ningxia_gis" / "sample_layers"
fm.fontManager.addfont(str(ROOT / "ningxia_gis/resources/fonts/NotoSansSC-Regular.ttf"))
plt.rcParams["font.family"] = "Noto Sans SC"
DL_COL = {"0101": "#7fc8f8", "0102": "#f3e08c", "0103": "#e8c170", "0301": "#3f8f4f", "0305": "#6fa86f",
          "0401": "#b5d98a", "0404": "#cfe3a8", "0601": "#b05050", "0701": "#d9534f", "0702": "#e89090",
          "1003": "#777777", "1006": "#aaaaaa", "1104": "#4f8fd9", "1107": "#2f6fb9", "1202": "#c080c0",
          "1205": "#eadcb8", "1206": "#d9cbb0"}


def draw(ax, window, labels=True, lw=0.15):
    c = gpd.read_file(D / "ningxia_counties.gpkg", layer="XZQ").to_crs(4544)
    g = {n: gpd.read_file(D / "ningxia_sample.gpkg", layer=n).to_crs(4544)
         for n in ["CY", "DLTB", "YJJBNT", "STBHHX", "ZRBHD", "CZKFBJ"]}
    cy = g["CY"]
    cy.plot(ax=ax, color=cy["SFJBCY"].map({"是": "#8fc06a", "否": "#d8ebb5"}), edgecolor="#6a8f4a", lw=lw)
    dl = g["DLTB"]
    dl.plot(ax=ax, color=dl["DLBM"].map(DL_COL).fillna("#ffffff"), edgecolor="#806040", lw=lw)
    g["YJJBNT"].plot(ax=ax, facecolor="none", edgecolor="#b8860b", hatch="////", lw=0.0)
    red = g["STBHHX"]
    red.plot(ax=ax, color="#2e8b57", alpha=0.45, edgecolor="#0b5d2e", lw=0.6)
    z = g["ZRBHD"]
    z.boundary.plot(ax=ax, color="#7b2d8e", lw=1.6)
    cz = g["CZKFBJ"]
    cz.plot(ax=ax, color=cz["GHFQMC"].map({"城镇集中建设区": "#ff6060", "城镇弹性发展区": "#ffb060",
                                            "特别用途区": "#60c0ff"}), alpha=0.55, edgecolor="#a00000", lw=0.8)
    c.boundary.plot(ax=ax, color="black", lw=1.4)
    x0, y0, x1, y1 = window
    for r in c.itertuples():
        p = r.geometry.representative_point()
        if x0 < p.x < x1 and y0 < p.y < y1:
            ax.text(p.x, p.y, r.XZQMC, fontsize=12, weight="bold")
    for f in sorted(glob.glob(str(D / "footprints/*"))):
        if f.endswith((".geojson", ".gpkg", ".shp")):
            fp = gpd.read_file(f).to_crs(4544)
            fp.boundary.plot(ax=ax, color="blue", lw=2)
            p = fp.geometry.iloc[0].centroid
            if labels and x0 < p.x < x1 and y0 < p.y < y1:
                ax.text(p.x, p.y, Path(f).stem, color="blue", fontsize=9)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal")


if __name__ == "__main__":
    out = ROOT / "build"
    out.mkdir(exist_ok=True)
    for name, win, size in [("overview", (560000, 4100000, 655000, 4172000), (18, 14)),
                            ("farm", (584000, 4135000, 600000, 4148000), (18, 14)),
                            ("luoshan", (598000, 4116000, 630000, 4145000), (16, 14)),
                            ("pv_on_farmland", (586500, 4139000, 590500, 4142000), (14, 10))]:
        fig, ax = plt.subplots(figsize=size)
        draw(ax, win, lw=0.3 if name != "overview" else 0.1)
        ax.set_title(f"合成示例图层 / synthetic sample layers — {name}")
        fig.savefig(out / f"sample_layers_{name}.png", dpi=80, bbox_inches="tight")
        plt.close(fig)
        print(out / f"sample_layers_{name}.png")
