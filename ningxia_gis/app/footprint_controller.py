"""The project footprint: open (in a worker), draw, clear, save; shown in the check panel. Opening and
clearing ask first when the review has unsaved changes (case_controller.confirm_discard)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import geopandas as gpd
import shapely
from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFileDialog, QMessageBox

from ..paths import SAMPLE_FOOTPRINTS
from .errors import guarded
from .i18n import tr

FOOTPRINT_FILTER = "*.txt *.shp *.gpkg *.geojson *.json *.kml *.kmz *.dxf *.csv *.xlsx *.xlsm *.fgb"
SAVE_FILTER = "GeoPackage (*.gpkg);;GeoJSON (*.geojson);;TXT (*.txt);;DXF (*.dxf);;Shapefile (*.shp);;Excel (*.xlsx)"


class LegacyDatum:
    """The file is in Xi'an 80 / Beijing 54: the GUI asks instead of failing."""

    def __init__(self, message: str):
        self.message = message


def read_footprint(path: str, crs=None, allow_legacy_datum: bool = False):
    from ..footprint_io import load_footprint
    from ..domain.errors import FootprintError

    try:
        return load_footprint(path, crs=crs, **({"allow_legacy_datum": True} if allow_legacy_datum else {}))
    except FootprintError as exc:
        if not allow_legacy_datum and "allow-legacy-datum" in str(exc):
            return LegacyDatum(str(exc))
        raise


class FootprintController(QObject):
    def __init__(self, window):
        super().__init__(window)
        self.w = window

    def ask_open_footprint(self) -> None:
        if not self.w.cases.confirm_discard():
            return
        start = str(self.w.settings.value("dir/footprint", str(SAMPLE_FOOTPRINTS)))
        path, _ = QFileDialog.getOpenFileName(self.w, tr("dlg.open_footprint"), start,
                                              f"{tr('dlg.footprint_files')} ({FOOTPRINT_FILTER});;{tr('dlg.all_files')} (*)")
        if path:
            self.w.settings.setValue("dir/footprint", str(Path(path).parent))
            self.open_footprint(path, confirm=False)

    def open_footprint(self, path, crs=None, then=None, allow_legacy_datum: bool = False, confirm: bool = True):
        """Read a footprint file in a thread, then show it (and call ``then()``); None when the officer
        keeps the unsaved review (取消).

        A file in Xi'an 80 / Beijing 54 is not refused with the CLI's ``--allow-legacy-datum`` hint: the
        officer is asked whether to read it as it is (positions then tens of metres off, said loudly)."""
        if confirm and not self.w.cases.confirm_discard():
            return None
        p = Path(path)
        self.w.statusBar().showMessage(tr("sb.reading", name=p.name))

        def done(fp):
            if isinstance(fp, LegacyDatum):
                if self.ask_legacy_datum(p, fp.message):
                    self.open_footprint(p, crs=crs, then=then, allow_legacy_datum=True, confirm=False)
                return
            if self.set_footprint(fp):
                self.w.add_recent("recent/footprints", str(p))
                if then is not None:
                    then()

        return self.w.run_task(read_footprint, str(p), crs=crs, allow_legacy_datum=allow_legacy_datum, done=done,
                               name="footprint", failed_key="msg.open_failed")

    def ask_legacy_datum(self, path: Path, message: str) -> bool:
        box = QMessageBox(QMessageBox.Icon.Warning, tr("fp.legacy.title"), tr("fp.legacy.text", name=path.name),
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, self.w)
        box.setDefaultButton(QMessageBox.StandardButton.No)
        box.button(QMessageBox.StandardButton.Yes).setText(tr("fp.legacy.read"))
        box.button(QMessageBox.StandardButton.No).setText(tr("fp.legacy.cancel"))
        box.setDetailedText(message.replace("--allow-legacy-datum", tr("fp.legacy.read")))
        return box.exec() == QMessageBox.StandardButton.Yes

    @guarded("what.open")
    def set_footprint(self, fp) -> bool:
        from ..core.check import analysis_epsg, footprint_block

        epsg = analysis_epsg(fp)
        block, geom = footprint_block(fp, epsg)
        self.apply_footprint(fp, block, geom, epsg)
        self.w.statusBar().showMessage(tr("sb.footprint_ready", name=fp.name), 5000)
        return True

    def apply_footprint(self, fp, block, geom, epsg: int | None, zoom: bool = True, **more) -> None:
        """Put a footprint (or None) with its summary into the session and on the map (``more``: other
        session fields set in the same step)."""
        w = self.w
        w.clear_selection()
        reproject = epsg is not None and epsg != w.epsg
        w.session.set_footprint(fp, block, geom, epsg if fp is not None else None, **more)
        if reproject:
            w.layers.refresh_canvas()
            w.layers.load_layers()
        w.canvas.set_footprint(geom)
        if zoom and geom is not None:
            w.canvas.zoom_footprint()
        w.footprintChanged.emit(fp)

    @guarded("what.open")
    def set_drawn_footprint(self, poly) -> None:
        from ..core.footprint import Footprint
        from ..footprint_io import prepare_footprint

        w = self.w
        w.set_tool("pan")
        n = int(w.settings.value("drawn_count", 0)) + 1
        w.settings.setValue("drawn_count", n)
        gdf = gpd.GeoDataFrame({"name": [tr("fp.drawn_name", n=n)]}, geometry=[poly], crs=w.epsg)
        fp = Footprint(gdf=gdf, source="", name=tr("fp.drawn_name", n=n),
                       sha256=hashlib.sha256(shapely.to_wkb(poly)).hexdigest())
        fp = prepare_footprint(fp)
        fp.source = tr("fp.drawn_source")
        self.set_footprint(fp)

    def clear_footprint(self, confirm: bool = True) -> bool:
        """清除 (undoable); asks first when the review has unsaved changes."""
        if confirm and not self.w.cases.confirm_discard():
            return False
        self.apply_footprint(None, None, None, None)
        return True

    def ask_save_footprint(self) -> None:
        fp = self.w.session.footprint
        if fp is None:
            self.w.error(tr("msg.no_footprint"))
            return
        start = str(self.w.settings.value("dir/export", str(Path.home())))
        path, _ = QFileDialog.getSaveFileName(self.w, tr("dlg.save_footprint"), str(Path(start) / f"{fp.name}.gpkg"),
                                              SAVE_FILTER)
        if path:
            self.save_footprint(path)

    @guarded("what.save")
    def save_footprint(self, path) -> None:
        from ..footprint_io.convert import write_footprint

        write_footprint(self.w.session.footprint, path)
        self.w.statusBar().showMessage(tr("sb.saved", path=str(path)), 6000)

    def info_html(self) -> str:
        s = self.w.session
        if s.footprint is None:
            return tr("fp.none")
        b = s.footprint_block
        a = b["area"]
        lines = [f"<b>{s.footprint.name}</b>",
                 f"{tr('fp.area')}: <b>{a['ellipsoidal_mu']:,.2f}</b> {tr('unit.mu')} · "
                 f"<b>{a['ellipsoidal_ha']:,.4f}</b> {tr('unit.ha')} · <b>{a['ellipsoidal_m2']:,.2f}</b> m²",
                 f"{tr('fp.planar')}: {a['planar_m2']:,.2f} m² · EPSG:{s.epsg}",
                 tr("fp.counts", parcels=b["parcel_count"], rings=b["ring_count"], vertices=b["vertex_count"]),
                 f"{tr('fp.crs')}: {b['input_crs']}"]
        for warning in s.footprint.warnings[:6]:
            lines.append(f"<span style='color:#a05000'>⚠ {warning}</span>")
        return "<br>".join(lines)
