"""The main window: map, layers, footprint, check, results, export/print, trainer mode.

``run()`` is the ``ningxia-gis-app`` entry point (``python main.py`` too). With no configuration the
window opens with the sample layers. Everything slow (reading layers and footprints, the check, the
reports) runs in a `Task` thread; errors are shown in a dialog in plain words and logged.

Options (mostly for demos and the screenshot script)::

    ningxia-gis-app [FOOTPRINT] [--layers CATALOG_OR_DIR] [--activity ID] [--scenario ID]
                    [--lang zh|en] [--trainer] [--screenshot DIR] [--size 1400x900]
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import sys
import traceback
from pathlib import Path

import geopandas as gpd
import shapely
from PySide6.QtCore import QByteArray, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QFont, QIcon, QKeySequence
from PySide6.QtWidgets import (QApplication, QDialog, QDockWidget, QFileDialog, QLabel, QMainWindow,
                               QMessageBox, QProgressBar, QPushButton, QToolBar, QWidget)

from .. import __version__
from ..domain.errors import NingxiaGisError
from ..logs import log_path, settings_path, setup_logging
from ..paths import ICONS_DIR, SAMPLE_CATALOG, SAMPLE_FOOTPRINTS
from . import i18n
from .attribute_table import AttributeTable, IdentifyPanel
from .check_panel import META_FIELDS, CaseMetaDialog, CheckPanel
from .check_worker import CheckTask, Task
from .i18n import tr
from .layer_panel import LayerPanel, ask_role
from .layers import (RASTER_SUFFIXES, BaseLayer, RasterLayer, VectorLayer, catalog_for_check, file_layers,
                     layers_from_catalog)
from .map_canvas import MapCanvas
from .results_panel import ResultsPanel
from .trainer import TrainerPanel

log = logging.getLogger("ningxia_gis.app")

FOOTPRINT_FILTER = "*.txt *.shp *.gpkg *.geojson *.json *.kml *.kmz *.dxf *.csv *.xlsx *.xlsm *.fgb"
LAYER_FILTER = "*.shp *.gpkg *.geojson *.json *.kml *.kmz *.fgb *.tif *.tiff"
FOOTPRINT_ONLY = {".txt", ".dxf", ".csv", ".xlsx", ".xlsm", ".xls"}
MAX_RECENT = 8


def settings() -> QSettings:
    """Settings in an INI file in the platform's config folder (or ``NINGXIA_GIS_HOME``, so tests and users
    stay apart)."""
    return QSettings(str(settings_path()), QSettings.Format.IniFormat)


def setup_fonts(app: QApplication | None = None) -> str | None:
    """The shipped CJK font for Qt widgets and matplotlib (no system CJK font is assumed)."""
    family = None
    try:
        from ..fonts import setup_matplotlib_fonts
        from ..report.pdf import qt_font_family

        setup_matplotlib_fonts()
        family = qt_font_family()
    except Exception:  # noqa: BLE001 - without the font the app still works (tofu for Chinese)
        log.exception("the shipped Chinese font could not be loaded")
        return None
    app = app or QApplication.instance()
    if app is not None and family:
        f = QFont(family)
        f.setPointSizeF(max(app.font().pointSizeF(), 9.5))
        app.setFont(f)
    return family


class MainWindow(QMainWindow):
    checkFinished = Signal(object)  # CheckResult
    layersLoaded = Signal()
    exportFinished = Signal(str)  # path

    def __init__(self, *, catalog=None, load_sample: bool = True, restore: bool = True):
        super().__init__()
        setup_logging()
        self.settings = settings()
        i18n.set_language(str(self.settings.value("language", i18n.language())))
        self.epsg = 4544
        self.catalog = None
        self.footprint = None  # core Footprint
        self.footprint_geom = None  # union in self.epsg
        self.footprint_block = None
        self.result = None
        self.last_error: str | None = None
        self.check_task: Task | None = None
        self._load_task: Task | None = None
        self._reload_pending = False
        self._zoom_after_load = False
        self._tasks: list[Task] = []
        self._tables: list[AttributeTable] = []
        self._lonlat = None
        self.setAcceptDrops(True)
        self.resize(1400, 900)

        self.canvas = MapCanvas()
        self.setCentralWidget(self.canvas)
        self.layer_panel = LayerPanel()
        self.check_panel = CheckPanel()
        self.results = ResultsPanel()
        self.identify = IdentifyPanel()
        self.trainer = TrainerPanel()
        self.dock_layers = self._dock("layers", self.layer_panel, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.dock_check = self._dock("check", self.check_panel, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.dock_results = self._dock("results", self.results, Qt.DockWidgetArea.RightDockWidgetArea)
        self.dock_identify = self._dock("identify", self.identify, Qt.DockWidgetArea.RightDockWidgetArea)
        self.dock_trainer = self._dock("trainer", self.trainer, Qt.DockWidgetArea.RightDockWidgetArea)
        self.tabifyDockWidget(self.dock_results, self.dock_identify)
        self.tabifyDockWidget(self.dock_identify, self.dock_trainer)
        self.dock_results.raise_()
        self.resizeDocks([self.dock_layers, self.dock_results], [370, 500], Qt.Orientation.Horizontal)
        self.resizeDocks([self.dock_layers, self.dock_check], [300, 500], Qt.Orientation.Vertical)

        self._make_actions()
        self._make_menus()
        self._make_statusbar()
        self._connect()
        self.retranslate()
        if restore:
            self._restore_state()
        self.dock_trainer.setVisible(self.act_trainer.isChecked())

        if catalog is not None or load_sample:
            self.open_catalog(catalog or self._default_catalog(), quiet=catalog is None)

    # ------------------------------------------------------------------ construction
    def _dock(self, name: str, widget: QWidget, area) -> QDockWidget:
        d = QDockWidget(self)
        d.setObjectName(f"dock_{name}")
        d.setWidget(widget)
        d.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable | QDockWidget.DockWidgetFeature.DockWidgetFloatable
                      | QDockWidget.DockWidgetFeature.DockWidgetClosable)
        self.addDockWidget(area, d)
        return d

    def _action(self, key: str, slot=None, shortcut=None, checkable=False) -> QAction:
        a = QAction(self)
        a.setObjectName(key)
        if slot is not None:
            a.triggered.connect(slot)
        if shortcut:
            a.setShortcut(QKeySequence(shortcut))
        a.setCheckable(checkable)
        self._actions[key] = a
        return a

    def _make_actions(self) -> None:
        self._actions: dict[str, QAction] = {}
        A = self._action
        self.act_open_fp = A("act.open_footprint", self.ask_open_footprint, "Ctrl+O")
        self.act_add_layer = A("act.add_layer", self.ask_add_layers, "Ctrl+L")
        self.act_open_catalog = A("act.open_catalog", self.ask_open_catalog)
        self.act_sample = A("act.sample_layers", lambda: self.open_catalog(SAMPLE_CATALOG))
        self.act_save_fp = A("act.save_footprint", self.ask_save_footprint)
        self.act_export_pdf = A("act.export_pdf", lambda: self.ask_export("pdf"), "Ctrl+E")
        self.act_export_docx = A("act.export_docx", lambda: self.ask_export("docx"))
        self.act_export_xlsx = A("act.export_xlsx", lambda: self.ask_export("xlsx"))
        self.act_export_gpkg = A("act.export_gpkg", lambda: self.ask_export("gpkg"))
        self.act_export_json = A("act.export_json", lambda: self.ask_export("json"))
        self.act_export_png = A("act.export_png", lambda: self.ask_export_map("png"))
        self.act_export_svg = A("act.export_svg", lambda: self.ask_export_map("svg"))
        self.act_print = A("act.print", self.ask_print_report, "Ctrl+P")
        self.act_print_map = A("act.print_map", self.ask_print_map)
        self.act_quit = A("act.quit", self.close, "Ctrl+Q")
        self.act_pan = A("act.pan", lambda: self.set_tool("pan"), checkable=True)
        self.act_zoom = A("act.zoom_box", lambda: self.set_tool("zoom"), checkable=True)
        self.act_identify = A("act.identify", lambda: self.set_tool("identify"), checkable=True)
        self.act_draw = A("act.draw", lambda: self.set_tool("draw" if self.act_draw.isChecked() else "pan"),
                          checkable=True)
        grp = QActionGroup(self)
        for a in (self.act_pan, self.act_zoom, self.act_identify, self.act_draw):
            grp.addAction(a)
        self.act_pan.setChecked(True)
        self.act_full = A("act.zoom_full", self.canvas.zoom_full, "Ctrl+0")
        self.act_zoom_fp = A("act.zoom_footprint", self.canvas.zoom_footprint, "Ctrl+F")
        self.act_zoom_layer = A("act.zoom_layer", self.zoom_current_layer)
        self.act_zoom_in = A("act.zoom_in", lambda: self.canvas.zoom_by(1.5), "Ctrl++")
        self.act_zoom_out = A("act.zoom_out", lambda: self.canvas.zoom_by(1 / 1.5), "Ctrl+-")
        self.act_run = A("act.run", self.run_check, "F5")
        self.act_cancel = A("act.cancel", self.cancel_check, "Esc")
        self.act_cancel.setEnabled(False)
        self.act_trainer = A("act.trainer", self.set_trainer_mode, checkable=True)
        self.act_zh = A("act.lang_zh", lambda: self.set_language("zh"), checkable=True)
        self.act_en = A("act.lang_en", lambda: self.set_language("en"), checkable=True)
        lg = QActionGroup(self)
        lg.addAction(self.act_zh)
        lg.addAction(self.act_en)
        self.act_about = A("act.about", self.show_about)
        self.act_log = A("act.log", lambda: self.info(tr("msg.log", path=str(log_path()))))
        self._result_actions = [self.act_export_pdf, self.act_export_docx, self.act_export_xlsx,
                                self.act_export_gpkg, self.act_export_json, self.act_print]

    def _make_menus(self) -> None:
        mb = self.menuBar()
        self.menu_file = mb.addMenu("")
        self.menu_recent = None
        self.menu_view = mb.addMenu("")
        self.menu_check = mb.addMenu("")
        self.menu_lang = mb.addMenu("")
        self.menu_help = mb.addMenu("")
        self.toolbar = QToolBar()
        self.toolbar.setObjectName("main_toolbar")
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.addToolBar(self.toolbar)
        for a in (self.act_open_fp, self.act_add_layer, None, self.act_pan, self.act_zoom, self.act_identify,
                  self.act_draw, None, self.act_full, self.act_zoom_fp, self.act_zoom_layer, None, self.act_run,
                  None, self.act_export_pdf, self.act_print, None, self.act_trainer):
            if a is None:
                self.toolbar.addSeparator()
            else:
                self.toolbar.addAction(a)

    def _fill_menus(self) -> None:
        self.menu_file.clear()
        f = self.menu_file
        f.addAction(self.act_open_fp)
        self.menu_recent = f.addMenu(tr("menu.recent"))
        self._fill_recent()
        f.addAction(self.act_save_fp)
        f.addSeparator()
        f.addAction(self.act_add_layer)
        f.addAction(self.act_open_catalog)
        f.addAction(self.act_sample)
        f.addSeparator()
        exp = f.addMenu(tr("menu.export"))
        for a in (self.act_export_pdf, self.act_export_docx, self.act_export_xlsx, self.act_export_gpkg,
                  self.act_export_json, None, self.act_export_png, self.act_export_svg):
            exp.addSeparator() if a is None else exp.addAction(a)
        f.addAction(self.act_print)
        f.addAction(self.act_print_map)
        f.addSeparator()
        f.addAction(self.act_quit)
        v = self.menu_view
        v.clear()
        for a in (self.act_pan, self.act_zoom, self.act_identify, self.act_draw, None, self.act_zoom_in,
                  self.act_zoom_out, self.act_full, self.act_zoom_fp, self.act_zoom_layer, None):
            v.addSeparator() if a is None else v.addAction(a)
        for d in (self.dock_layers, self.dock_check, self.dock_results, self.dock_identify):
            v.addAction(d.toggleViewAction())
        v.addSeparator()
        v.addAction(self.act_trainer)
        c = self.menu_check
        c.clear()
        c.addAction(self.act_run)
        c.addAction(self.act_cancel)
        self.menu_lang.clear()
        self.menu_lang.addAction(self.act_zh)
        self.menu_lang.addAction(self.act_en)
        h = self.menu_help
        h.clear()
        h.addAction(self.act_log)
        h.addAction(self.act_about)

    def _make_statusbar(self) -> None:
        sb = self.statusBar()
        self.lbl_xy = QLabel()
        self.lbl_lonlat = QLabel()
        self.lbl_scale = QLabel()
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(220)
        self.progress.setRange(0, 100)
        self.progress.hide()
        self.btn_cancel_sb = QPushButton()
        self.btn_cancel_sb.clicked.connect(self.cancel_check)
        self.btn_cancel_sb.hide()
        for w in (self.progress, self.btn_cancel_sb, self.lbl_xy, self.lbl_lonlat, self.lbl_scale):
            sb.addPermanentWidget(w)

    def _connect(self) -> None:
        c = self.canvas
        c.coordinatesChanged.connect(self._show_coordinates)
        c.scaleChanged.connect(lambda s: self.lbl_scale.setText(f"{tr('sb.scale')} 1:{s:,.0f}"))
        c.featureClicked.connect(self.identify_at)
        c.polygonDrawn.connect(self.set_drawn_footprint)
        c.drawingChanged.connect(self._drawing_changed)
        lp = self.layer_panel
        lp.layersChanged.connect(self._layers_changed)
        lp.addRequested.connect(self.ask_add_layers)
        lp.filesDropped.connect(self.add_layer_files)
        lp.zoomRequested.connect(self.canvas.zoom_layer)
        lp.tableRequested.connect(self.open_attribute_table)
        lp.roleChanged.connect(lambda _l: (self._invalidate_result(), self.load_layers()))
        cp = self.check_panel
        cp.btn_open.clicked.connect(self.ask_open_footprint)
        cp.btn_draw.toggled.connect(lambda on: (self.act_draw.setChecked(on), self.set_tool("draw" if on else "pan")))
        cp.btn_save.clicked.connect(self.ask_save_footprint)
        cp.btn_clear.clicked.connect(self.clear_footprint)
        cp.btn_run.clicked.connect(self.run_check)
        cp.btn_cancel.clicked.connect(self.cancel_check)
        self.results.piecesSelected.connect(self._pieces_selected)
        self.trainer.scenarios.runRequested.connect(self.run_scenario)

    # ------------------------------------------------------------------ language
    def retranslate(self) -> None:
        self.setWindowTitle(f"{tr('app.title')} {__version__}")
        for key, a in self._actions.items():
            a.setText(tr(key))
            tip = i18n.STRINGS.get(key + ".tip")
            a.setToolTip(tr(key + ".tip") if tip else tr(key))
            a.setStatusTip(a.toolTip())
        self.menu_file.setTitle(tr("menu.file"))
        self.menu_view.setTitle(tr("menu.view"))
        self.menu_check.setTitle(tr("menu.check"))
        self.menu_lang.setTitle(tr("menu.language"))
        self.menu_help.setTitle(tr("menu.help"))
        self._fill_menus()
        for d, key in ((self.dock_layers, "dock.layers"), (self.dock_check, "dock.check"),
                       (self.dock_results, "dock.results"), (self.dock_identify, "dock.identify"),
                       (self.dock_trainer, "dock.trainer")):
            d.setWindowTitle(tr(key))
        self.btn_cancel_sb.setText(tr("cp.cancel"))
        self.act_zh.setChecked(i18n.language() == "zh")
        self.act_en.setChecked(i18n.language() == "en")
        self.layer_panel.retranslate()
        self.check_panel.retranslate()
        self.results.retranslate()
        self.identify.retranslate()
        self.trainer.retranslate()
        self._update_footprint_info()
        self._update_enabled()
        self.lbl_scale.setText(f"{tr('sb.scale')} 1:{self.canvas.scale_denominator():,.0f}")

    def set_language(self, lang: str) -> None:
        i18n.set_language(lang)
        self.settings.setValue("language", lang)
        self.retranslate()

    # ------------------------------------------------------------------ messages
    def error(self, message: str, details: str = "") -> None:
        """A plain-words error dialog (non-blocking) and a log entry; never raises."""
        self.last_error = message
        log.warning("shown to the user: %s", message)
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle(tr("msg.error.title"))
        box.setText(message)
        if details:
            box.setInformativeText(tr("msg.error.details", path=str(log_path())))
            box.setDetailedText(details)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        self.statusBar().showMessage(message, 10000)

    def info(self, message: str) -> None:
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Information)
        box.setWindowTitle(tr("app.title"))
        box.setText(message)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    def _task(self, fn, *args, done=None, failed_prefix: str = "", name: str = "", progress: bool = False, **kw) -> Task:
        t = Task(fn, *args, name=name, **kw)
        if done is not None:
            t.done.connect(done)
        t.failed.connect(lambda msg, det: self.error(f"{failed_prefix}{msg}", det))
        if progress:
            t.progress.connect(self._progress)
        t.finished.connect(lambda: self._tasks.remove(t) if t in self._tasks else None)
        self._tasks.append(t)
        t.start()
        return t

    def busy(self) -> bool:
        return any(t.is_running for t in self._tasks) or (self.check_task is not None and self.check_task.is_running)

    # ------------------------------------------------------------------ layers
    def _default_catalog(self):
        last = self.settings.value("catalog", "")
        if last and Path(str(last)).exists():
            return str(last)
        return SAMPLE_CATALOG

    def open_catalog(self, path, quiet: bool = False) -> None:
        """Replace the layers with those of a catalog (TOML) or a folder / data file of layers."""
        from ..core.catalog import load_catalog

        try:
            cat = load_catalog(path)
            rasters = cat.rasters
        except NingxiaGisError as exc:
            if quiet and Path(str(path)) != Path(SAMPLE_CATALOG):
                log.warning("last catalog not usable (%s); sample layers instead", exc)
                return self.open_catalog(SAMPLE_CATALOG, quiet=True)
            self.error(str(exc))
            return
        except Exception as exc:  # noqa: BLE001
            log.exception("catalog")
            self.error(f"{type(exc).__name__}: {exc}", traceback.format_exc())
            return
        self.catalog = cat
        layers: list[BaseLayer] = layers_from_catalog(cat)
        for r in rasters:
            layers.append(RasterLayer(r, visible=False))
        # panel order (top first) from the styles' zorder: boundaries above zones above parcels, the
        # admin boundary (an opaque backdrop) and the rasters at the bottom
        def rank(lyr):
            if isinstance(lyr, RasterLayer):
                return (1, 0)
            return (0, -float(getattr(lyr.style(), "zorder", 5)))

        layers.sort(key=rank)
        self.layer_panel.set_layers(layers)
        if Path(str(path)) != Path(SAMPLE_CATALOG):
            self.settings.setValue("catalog", str(path))
            self._add_recent("recent/layers", str(path))
        else:
            self.settings.remove("catalog")
        self._invalidate_result()
        self.canvas.center = None
        self._zoom_after_load = True  # to the new layers' extent once they are all loaded
        self._layers_changed()
        self.load_layers()

    def all_layers(self) -> list:
        return self.layer_panel.layers()

    def vector_layers(self) -> list[VectorLayer]:
        return [lyr for lyr in self.all_layers() if isinstance(lyr, VectorLayer)]

    def layers_loaded(self) -> bool:
        return all(lyr.is_loaded(self.epsg) or lyr.error for lyr in self.vector_layers())

    def load_layers(self) -> None:
        """Read (in a thread) every vector layer not yet loaded in the display CRS."""
        if self._load_task is not None and self._load_task.is_running:
            self._reload_pending = True
            return
        todo = [lyr for lyr in self.vector_layers() if not lyr.is_loaded(self.epsg) and not lyr.error]
        if not todo:
            self.layersLoaded.emit()
            return
        epsg = self.epsg

        def work(progress=None, cancelled=None):
            errors = []
            for i, lyr in enumerate(todo):
                if cancelled():
                    break
                progress(i / len(todo), lyr.name)
                try:
                    lyr.load(epsg)
                except NingxiaGisError as exc:
                    lyr.error = str(exc)
                    errors.append(f"{lyr.name}: {exc}")
                except Exception as exc:  # noqa: BLE001
                    log.exception("loading layer %s", lyr.name)
                    lyr.error = f"{type(exc).__name__}: {exc}"
                    errors.append(f"{lyr.name}: {lyr.error}")
            return errors

        self.statusBar().showMessage(tr("sb.loading_layers"))
        self._load_task = self._task(work, done=self._layers_loaded, name="load_layers")
        self._load_task.progress.connect(lambda f, t: self.statusBar().showMessage(f"{tr('sb.loading_layers')} {t}"))
        self._load_task.finished.connect(self._load_finished)

    def _load_finished(self) -> None:
        """The loading thread ended: load what was added (or reprojected) meanwhile."""
        if self._reload_pending or any(not lyr.is_loaded(self.epsg) and not lyr.error for lyr in self.vector_layers()):
            self._reload_pending = False
            QTimer.singleShot(0, self.load_layers)

    def _layers_loaded(self, errors) -> None:
        self.layer_panel.refresh()
        self._layers_changed()
        if errors:
            self.error(tr("msg.layer_errors") + "\n" + "\n".join(errors))
        self.statusBar().showMessage(tr("sb.layers_ready"), 4000)
        if self._reload_pending or any(not lyr.is_loaded(self.epsg) and not lyr.error for lyr in self.vector_layers()):
            return  # _load_finished starts the next round
        if self.canvas.center is None or self._zoom_after_load:
            self._zoom_after_load = False
            if self.footprint_geom is not None:
                self.canvas.zoom_footprint()
            else:
                self.canvas.zoom_full()
        self.layersLoaded.emit()

    def _layers_changed(self) -> None:
        self.canvas.set_epsg(self.epsg)
        self.canvas.set_layers(list(reversed(self.all_layers())))

    def ask_add_layers(self) -> None:
        start = str(self.settings.value("dir/layers", str(SAMPLE_CATALOG.parent)))
        paths, _ = QFileDialog.getOpenFileNames(self, tr("dlg.add_layer"), start,
                                                f"{tr('dlg.gis_files')} ({LAYER_FILTER});;{tr('dlg.all_files')} (*)")
        if paths:
            self.settings.setValue("dir/layers", str(Path(paths[0]).parent))
            self.add_layer_files(paths)

    def ask_open_catalog(self) -> None:
        start = str(self.settings.value("dir/layers", str(SAMPLE_CATALOG.parent)))
        path, _ = QFileDialog.getOpenFileName(self, tr("dlg.open_catalog"), start,
                                              f"{tr('dlg.catalog_files')} (*.toml *.gpkg *.gdb);;{tr('dlg.all_files')} (*)")
        if not path:
            path = QFileDialog.getExistingDirectory(self, tr("dlg.open_folder"), start)
        if path:
            self.open_catalog(path)

    def add_layer_files(self, paths, ask: bool = True, roles: dict | None = None) -> list:
        """Add the layers of vector files (every layer of a GeoPackage / FileGDB) and rasters.

        A layer whose role cannot be recognised is asked for (``ask``) or shown only. ``roles`` maps a
        file or layer name to a role id to skip the question (tests, scripting).
        """
        from ..core.raster import as_spec

        added = []
        for p in map(Path, paths):
            try:
                if p.is_dir() and p.suffix.lower() != ".gdb":
                    from ..core.layers import VECTOR_SUFFIXES
                    inner = sorted(f for f in p.iterdir() if f.suffix.lower() in (VECTOR_SUFFIXES | RASTER_SUFFIXES))
                    added += self.add_layer_files(inner, ask=ask, roles=roles)
                    continue
                if p.suffix.lower() in RASTER_SUFFIXES:
                    role = (roles or {}).get(p.name) or (roles or {}).get(p.stem)
                    if role is None:
                        role = "landcover" if any(k in p.stem.lower() for k in ("landcover", "lc", "覆盖", "地类")) else "dem"
                    added.append(RasterLayer(as_spec(str(p), role=role), visible=True))
                    continue
                for lyr_name, fields, role in file_layers(p):
                    given = (roles or {}).get(lyr_name) or (roles or {}).get(p.name) or (roles or {}).get(p.stem)
                    if given is not None:
                        role = None if given == "display" else given
                    elif role is None and ask:
                        r = ask_role(self, f"{p.name} / {lyr_name}" if lyr_name != p.stem else p.name)
                        if r is False:
                            continue
                        role = r
                    name = lyr_name if lyr_name and lyr_name != p.stem else p.stem
                    added.append(VectorLayer(name, p, lyr_name, role, fields=fields,
                                             colour_index=len(self.all_layers()) + len(added)))
                self._add_recent("recent/layers", str(p))
            except NingxiaGisError as exc:
                self.error(str(exc))
            except Exception as exc:  # noqa: BLE001
                log.exception("adding %s", p)
                self.error(tr("msg.cannot_add", name=p.name, error=f"{type(exc).__name__}: {exc}"),
                           traceback.format_exc())
        if added:
            self.layer_panel.add_layers(added, top=True)
            self._invalidate_result()
            self.load_layers()
        return added

    def zoom_current_layer(self) -> None:
        lyr = self.layer_panel.current_layer()
        if lyr is not None:
            self.canvas.zoom_layer(lyr)

    def open_attribute_table(self, layer) -> AttributeTable | None:
        if not isinstance(layer, VectorLayer):
            return None
        df = layer.attribute_frame(self.epsg)
        if df is None:
            self.error(tr("msg.not_loaded", name=layer.name))
            return None
        t = AttributeTable(layer, df, self)
        t.rowsSelected.connect(self._table_rows_selected)
        t.finished.connect(lambda *_: self._tables.remove(t) if t in self._tables else None)
        self._tables.append(t)
        t.show()
        return t

    def _table_rows_selected(self, layer, rows) -> None:
        d = layer.data(self.epsg)
        if d is None:
            return
        geoms = list(d.geoms[rows[:5000]])
        self.canvas.set_highlight(geoms)
        b = shapely.bounds(shapely.union_all(geoms[:2000]))
        self.canvas.zoom_to(b, pad=0.3)

    def identify_at(self, x: float, y: float, tol: float) -> list:
        found, geoms = [], []
        for lyr in self.all_layers():  # top first
            if not (isinstance(lyr, VectorLayer) and lyr.visible):
                continue
            d = lyr.data(self.epsg)
            if d is None:
                continue
            rows = d.query_point(x, y, tol)
            if len(rows):
                df = lyr.attribute_frame(self.epsg).iloc[rows[:50]]
                found.append((f"{lyr.name} ({lyr.role_label or tr('lp.display_only')})", df))
                geoms.extend(d.geoms[rows[:50]])
        self.identify.show_features(found)
        self.dock_identify.show()
        self.dock_identify.raise_()
        self.canvas.set_highlight(geoms or None)
        return found

    # ------------------------------------------------------------------ footprint
    def ask_open_footprint(self) -> None:
        start = str(self.settings.value("dir/footprint", str(SAMPLE_FOOTPRINTS)))
        path, _ = QFileDialog.getOpenFileName(self, tr("dlg.open_footprint"), start,
                                              f"{tr('dlg.footprint_files')} ({FOOTPRINT_FILTER});;{tr('dlg.all_files')} (*)")
        if path:
            self.settings.setValue("dir/footprint", str(Path(path).parent))
            self.open_footprint(path)

    def open_footprint(self, path, crs=None, then=None) -> Task:
        """Read a footprint file in a thread, then show it (and call ``then()``)."""
        from ..core.footprint import load_footprint

        p = Path(path)
        self.statusBar().showMessage(tr("sb.reading", name=p.name))

        def done(fp):
            self.set_footprint(fp)
            self._add_recent("recent/footprints", str(p))
            if then is not None:
                then()

        return self._task(load_footprint, str(p), crs=crs, done=done, name="footprint")

    def set_footprint(self, fp) -> None:
        from ..core.check import analysis_epsg, footprint_block

        try:
            epsg = analysis_epsg(fp)
            block, geom = footprint_block(fp, epsg)
        except NingxiaGisError as exc:
            self.error(str(exc))
            return
        self.footprint, self.footprint_block, self.footprint_geom = fp, block, geom
        self._invalidate_result()
        if epsg != self.epsg:
            self.epsg = epsg
            self._layers_changed()
            self.load_layers()
        self.canvas.set_footprint(geom)
        self.canvas.zoom_footprint()
        self._update_footprint_info()
        self._update_enabled()
        self.statusBar().showMessage(tr("sb.footprint_ready", name=fp.name), 5000)

    def set_drawn_footprint(self, poly) -> None:
        from ..core.footprint import Footprint, prepare_footprint

        self.act_pan.setChecked(True)
        self.set_tool("pan")
        n = int(self.settings.value("drawn_count", 0)) + 1
        self.settings.setValue("drawn_count", n)
        gdf = gpd.GeoDataFrame({"name": [tr("fp.drawn_name", n=n)]}, geometry=[poly], crs=self.epsg)
        fp = Footprint(gdf=gdf, source="", name=tr("fp.drawn_name", n=n),
                       sha256=hashlib.sha256(shapely.to_wkb(poly)).hexdigest())
        try:
            fp = prepare_footprint(fp)
        except NingxiaGisError as exc:
            self.error(str(exc))
            return
        fp.source = tr("fp.drawn_source")
        self.set_footprint(fp)

    def clear_footprint(self) -> None:
        self.footprint = self.footprint_geom = self.footprint_block = None
        self.canvas.set_footprint(None)
        self._invalidate_result()
        self._update_footprint_info()
        self._update_enabled()

    def ask_save_footprint(self) -> None:
        if self.footprint is None:
            self.error(tr("msg.no_footprint"))
            return
        start = str(self.settings.value("dir/export", str(Path.home())))
        path, _ = QFileDialog.getSaveFileName(self, tr("dlg.save_footprint"), str(Path(start) / f"{self.footprint.name}.gpkg"),
                                              "GeoPackage (*.gpkg);;GeoJSON (*.geojson);;TXT (*.txt);;DXF (*.dxf);;"
                                              "Shapefile (*.shp);;Excel (*.xlsx)")
        if path:
            self.save_footprint(path)

    def save_footprint(self, path) -> None:
        try:
            from ..footprint_io.convert import write_footprint

            write_footprint(self.footprint, path)
            self.statusBar().showMessage(tr("sb.saved", path=str(path)), 6000)
        except NingxiaGisError as exc:
            self.error(str(exc))
        except Exception as exc:  # noqa: BLE001
            log.exception("save footprint")
            self.error(f"{type(exc).__name__}: {exc}", traceback.format_exc())

    def _update_footprint_info(self) -> None:
        cp = self.check_panel
        if self.footprint is None:
            cp.fp_info.setText(tr("fp.none"))
            return
        a = self.footprint_block["area"]
        b = self.footprint_block
        lines = [f"<b>{self.footprint.name}</b>",
                 f"{tr('fp.area')}: <b>{a['ellipsoidal_mu']:,.2f}</b> {tr('unit.mu')} · "
                 f"<b>{a['ellipsoidal_ha']:,.4f}</b> {tr('unit.ha')} · <b>{a['ellipsoidal_m2']:,.2f}</b> m²",
                 f"{tr('fp.planar')}: {a['planar_m2']:,.2f} m² · EPSG:{self.epsg}",
                 tr("fp.counts", parcels=b["parcel_count"], rings=b["ring_count"], vertices=b["vertex_count"]),
                 f"{tr('fp.crs')}: {b['input_crs']}"]
        for w in self.footprint.warnings[:6]:
            lines.append(f"<span style='color:#a05000'>⚠ {w}</span>")
        cp.fp_info.setText("<br>".join(lines))

    # ------------------------------------------------------------------ map tools
    def set_tool(self, tool: str) -> None:
        self.canvas.set_tool(tool)
        {"pan": self.act_pan, "zoom": self.act_zoom, "identify": self.act_identify, "draw": self.act_draw}[tool].setChecked(True)
        self.check_panel.btn_draw.blockSignals(True)
        self.check_panel.btn_draw.setChecked(tool == "draw")
        self.check_panel.btn_draw.blockSignals(False)
        if tool == "draw":
            self.statusBar().showMessage(tr("sb.draw_hint"))
        elif tool == "identify":
            self.statusBar().showMessage(tr("id.hint"), 5000)

    def _drawing_changed(self, n: int) -> None:
        if self.canvas.tool == "draw":
            self.statusBar().showMessage(f"{tr('sb.draw_hint')} ({tr('sb.vertices', n=n)})")

    def _show_coordinates(self, x: float, y: float) -> None:
        from ..core.crs import transformer

        self.lbl_xy.setText(f"X {x:,.2f}  Y {y:,.2f}  (EPSG:{self.epsg})")
        try:
            if self._lonlat is None or self._lonlat[0] != self.epsg:
                self._lonlat = (self.epsg, transformer(self.epsg, 4490))
            lon, lat = self._lonlat[1].transform(x, y)
            self.lbl_lonlat.setText(f"{tr('sb.lon')} {lon:.6f}°  {tr('sb.lat')} {lat:.6f}°")
        except Exception:  # noqa: BLE001 - a readout must never fail loudly
            self.lbl_lonlat.setText("")

    # ------------------------------------------------------------------ check
    def _invalidate_result(self) -> None:
        if self.result is not None:
            self.result = None
            self.results.clear()
            self.canvas.set_pieces(None)
        self._update_enabled()

    def _update_enabled(self) -> None:
        has_result = self.result is not None
        for a in self._result_actions:
            a.setEnabled(has_result)
        running = self.check_task is not None and self.check_task.is_running
        self.act_run.setEnabled(not running)
        self.check_panel.btn_run.setEnabled(not running)
        self.check_panel.btn_cancel.setEnabled(running)
        self.act_cancel.setEnabled(running)
        self.act_save_fp.setEnabled(self.footprint is not None)
        self.check_panel.btn_save.setEnabled(self.footprint is not None)

    def run_check(self, *_args, activity: str | None = "__panel__", facts: dict | None = None) -> CheckTask | None:
        """Start the check of the footprint against the checked layers (in a thread)."""
        if self.check_task is not None and self.check_task.is_running:
            return None
        if self.footprint is None:
            self.error(tr("msg.no_footprint"))
            return None
        if activity == "__panel__":
            activity = self.check_panel.activity_id()
        if facts is None:
            facts = self.check_panel.facts()
        try:
            cat = catalog_for_check(self.catalog, self.all_layers())
        except NingxiaGisError as exc:
            self.error(str(exc))
            return None
        from ..review import ReviewRequest
        self._invalidate_result()
        t = CheckTask(ReviewRequest(self.footprint, cat, activity=activity, facts=facts))
        t.progress.connect(self._progress)
        t.done.connect(self._check_done)
        t.failed.connect(self._check_failed)
        t.cancelled.connect(self._check_cancelled)
        t.finished.connect(self._check_finished)
        self.check_task = t
        for w in (self.progress, self.btn_cancel_sb, self.check_panel.progress):
            w.show()
        self._progress(0.0, "")
        t.start()
        self._update_enabled()
        self.statusBar().showMessage(tr("sb.checking"))
        return t

    def _progress(self, f: float, text: str) -> None:
        v = int(round(100 * max(0.0, min(1.0, f))))
        for bar in (self.progress, self.check_panel.progress):
            bar.setValue(v)
            bar.setFormat(f"%p% {text}")

    def cancel_check(self) -> None:
        if self.check_task is not None and self.check_task.is_running:
            self.check_task.cancel()
            self.statusBar().showMessage(tr("sb.cancelling"))
        elif self.canvas.tool == "draw":
            self.canvas.cancel_drawing()

    def _check_done(self, result) -> None:
        self.result = result
        if result.epsg != self.epsg:  # the display follows the analysis CRS
            self.epsg = result.epsg
            self._layers_changed()
            self.load_layers()
        self.results.set_result(result)
        self.dock_results.show()
        self.dock_results.raise_()
        pieces = [shapely.from_wkt(p["geometry_wkt"]) for layer in result.data["layers"]
                  if layer["role"] != "admin_boundary" for p in layer["pieces"]]
        self.canvas.set_pieces(pieces or None)
        overall = ((result.data.get("verdicts") or {}).get("overall") or {}).get("verdict")
        self.statusBar().showMessage(tr("sb.check_done") + (f" — {i18n.verdict_text(overall)}" if overall else ""), 10000)
        log.info("check done: %s, %s", result.data["footprint"]["name"], overall)
        self.checkFinished.emit(result)

    def _check_failed(self, message: str, details: str) -> None:
        self.error(tr("msg.check_failed", error=message), details)

    def _check_cancelled(self) -> None:
        self.statusBar().showMessage(tr("sb.cancelled"), 6000)

    def _check_finished(self) -> None:
        for w in (self.progress, self.btn_cancel_sb, self.check_panel.progress):
            w.hide()
        self._update_enabled()

    def _pieces_selected(self, geoms) -> None:
        geoms = [g for g in geoms if g is not None and not g.is_empty]
        self.canvas.set_selected_pieces(geoms or None)
        if geoms:
            self.canvas.zoom_to(shapely.bounds(shapely.union_all(geoms)), pad=0.3)

    # ------------------------------------------------------------------ scenarios (trainer mode)
    def set_trainer_mode(self, on: bool) -> None:
        self.act_trainer.setChecked(bool(on))
        self.settings.setValue("trainer", bool(on))
        self.dock_trainer.setVisible(bool(on))
        if on:
            self.dock_trainer.raise_()

    def run_scenario(self, scenario) -> None:
        """Load the scenario's footprint, set its activity and answers, and run the check."""
        if isinstance(scenario, str):
            from ..core.scenarios import find_scenario

            try:
                scenario = find_scenario(scenario)
            except NingxiaGisError as exc:
                self.error(str(exc))
                return
        self.check_panel.set_activity(scenario.activity)
        self.check_panel.set_facts(scenario.facts)

        def go():
            self.check_panel.set_activity(scenario.activity)
            self.check_panel.set_facts(scenario.facts)
            self.run_check(activity=scenario.activity, facts=dict(scenario.facts))

        self.open_footprint(scenario.footprint, then=go)

    # ------------------------------------------------------------------ export and print
    def _case_meta(self) -> dict:
        return {k: str(self.settings.value(f"meta/{k}", "")) for k in META_FIELDS}

    def ask_case_meta(self) -> dict | None:
        dlg = CaseMetaDialog(self._case_meta(), self)
        if dlg.exec() != QDialog.DialogCode.Accepted:
            return None
        vals = dlg.values()
        for k, v in vals.items():
            self.settings.setValue(f"meta/{k}", v)
        return vals

    def ask_export(self, kind: str) -> None:
        if self.result is None:
            self.error(tr("msg.no_result"))
            return
        meta = {}
        if kind in ("pdf", "docx", "xlsx"):
            meta = self.ask_case_meta()
            if meta is None:
                return
        filters = {"pdf": "PDF (*.pdf)", "docx": "Word (*.docx)", "xlsx": "Excel (*.xlsx)",
                   "gpkg": "GeoPackage (*.gpkg)", "json": "JSON (*.json)"}
        start = Path(str(self.settings.value("dir/export", str(Path.home()))))
        name = f"{self.result.data['footprint']['name']}_{tr('export.suffix')}.{kind}"
        path, _ = QFileDialog.getSaveFileName(self, tr("dlg.export"), str(start / name), filters[kind])
        if path:
            if not path.lower().endswith("." + kind):
                path += "." + kind
            self.settings.setValue("dir/export", str(Path(path).parent))
            self.export(kind, path, meta=meta)

    def export(self, kind: str, path, meta: dict | None = None) -> Task | None:
        """Write the report (pdf/docx/xlsx), the pieces (gpkg) or the result (json).

        The slow part (report model, map figures, Word/Excel/GeoPackage writing) runs in a thread; a PDF
        is then painted in the GUI thread (Qt text layout belongs there) from the maps already rendered.
        """
        if self.result is None:
            self.error(tr("msg.no_result"))
            return None
        result = self.result
        data = result.data
        meta = {k: v for k, v in (meta or {}).items() if v}
        p = Path(path)

        def work(progress=None):
            from ..review.outputs import OutputContext, check_target, write_output
            progress(0.1, p.name)
            check_target(kind, p, result)
            ctx = OutputContext(case=meta)
            if kind == "pdf":
                from ..report.render import render_figures

                render_figures(ctx.report_model(result))  # cached on the model, reused by the PDF writer
                return ctx
            write_output(kind, result, p, ctx)
            return str(p)

        def done(out):
            if kind == "pdf":
                from ..review.outputs import write_output
                try:
                    write_output("pdf", result, p, out)  # painted in the GUI thread (Qt text layout)
                except NingxiaGisError as exc:
                    self.error(tr("msg.export_failed") + str(exc))
                    return
                except Exception as exc:  # noqa: BLE001
                    log.exception("pdf export")
                    self.error(tr("msg.export_failed") + f"{type(exc).__name__}: {exc}", traceback.format_exc())
                    return
                out = str(p)
            self.statusBar().showMessage(tr("sb.exported", path=out), 10000)
            log.info("exported %s", out)
            self.exportFinished.emit(out)

        self.statusBar().showMessage(tr("sb.exporting", name=p.name))
        return self._task(work, done=done, failed_prefix=tr("msg.export_failed"), name=f"export_{kind}")

    def ask_export_map(self, fmt: str) -> None:
        start = Path(str(self.settings.value("dir/export", str(Path.home()))))
        name = (self.footprint.name if self.footprint else "map") + f"_{tr('export.map')}.{fmt}"
        path, _ = QFileDialog.getSaveFileName(self, tr("dlg.export_map"), str(start / name),
                                              "PNG (*.png)" if fmt == "png" else "SVG (*.svg)")
        if path:
            if not path.lower().endswith("." + fmt):
                path += "." + fmt
            self.settings.setValue("dir/export", str(Path(path).parent))
            self.export_map(path)

    def export_map(self, path, dpi: int = 200) -> bool:
        try:
            self.canvas.save_image(path, dpi=dpi)
            self.statusBar().showMessage(tr("sb.exported", path=str(path)), 8000)
            return True
        except Exception as exc:  # noqa: BLE001
            log.exception("map export")
            self.error(tr("msg.export_failed") + f"{type(exc).__name__}: {exc}", traceback.format_exc())
            return False

    def prepare_print(self, meta: dict | None = None, done=None) -> Task | None:
        """Build the report model and render its maps in a thread; ``done`` carries the model."""
        if self.result is None:
            self.error(tr("msg.no_result"))
            return None
        data = self.result.data

        def work():
            from ..report import build_report_model
            from ..report.render import render_figures

            model = build_report_model(data, meta or {})
            render_figures(model)
            return model

        return self._task(work, done=done, failed_prefix=tr("msg.print_failed"), name="print")

    def ask_print_report(self) -> None:
        meta = self.ask_case_meta()
        if meta is None:
            return
        if self.prepare_print(meta, done=self._print_dialog) is not None:
            self.statusBar().showMessage(tr("sb.preparing_print"))

    @staticmethod
    def a4_printer(printer=None):
        from PySide6.QtCore import QMarginsF
        from PySide6.QtGui import QPageLayout, QPageSize
        from PySide6.QtPrintSupport import QPrinter

        printer = printer or QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
        printer.setPageMargins(QMarginsF(0, 0, 0, 0), QPageLayout.Unit.Millimeter)
        printer.setFullPage(True)
        return printer

    def _print_dialog(self, model) -> None:
        from PySide6.QtPrintSupport import QPrintDialog

        printer = self.a4_printer()
        dlg = QPrintDialog(printer, self)
        if dlg.exec() == QDialog.DialogCode.Accepted:
            self.print_report(printer, model)

    def print_report(self, printer, model) -> int:
        """Paint the report on a QPrinter (the report's own layout, header and page numbers)."""
        try:
            from ..report.pdf import paint_report

            n = paint_report(model, printer)
        except NingxiaGisError as exc:
            self.error(tr("msg.print_failed") + str(exc))
            return 0
        except Exception as exc:  # noqa: BLE001
            log.exception("print")
            self.error(tr("msg.print_failed") + f"{type(exc).__name__}: {exc}", traceback.format_exc())
            return 0
        self.statusBar().showMessage(tr("sb.printed"), 6000)
        return n

    def ask_print_map(self) -> None:
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dlg = QPrintDialog(printer, self)
        if dlg.exec() == QDialog.DialogCode.Accepted:
            self.print_map(printer)

    def print_map(self, printer) -> None:
        import tempfile

        from PySide6.QtGui import QImage, QPainter

        with tempfile.TemporaryDirectory() as tmp:
            png = Path(tmp) / "map.png"
            self.canvas.save_image(png, dpi=300)
            img = QImage(str(png))
            p = QPainter()
            if not p.begin(printer):
                self.error(tr("msg.print_failed"))
                return
            rect = p.viewport()
            size = img.size()
            size.scale(rect.size(), Qt.AspectRatioMode.KeepAspectRatio)
            p.setViewport(rect.x(), rect.y(), size.width(), size.height())
            p.setWindow(img.rect())
            p.drawImage(0, 0, img)
            p.end()

    # ------------------------------------------------------------------ recent files, settings, drops
    def _add_recent(self, key: str, path: str) -> None:
        items = [x for x in self._recent(key) if x != path]
        items.insert(0, path)
        self.settings.setValue(key, items[:MAX_RECENT])
        self._fill_recent()

    def _recent(self, key: str) -> list[str]:
        v = self.settings.value(key, [])
        if isinstance(v, str):
            v = [v] if v else []
        return [str(x) for x in (v or [])]

    def _fill_recent(self) -> None:
        m = self.menu_recent
        if m is None:
            return
        m.clear()
        fps = self._recent("recent/footprints")
        lys = self._recent("recent/layers")
        for p in fps:
            m.addAction(Path(p).name, lambda p=p: self.open_footprint(p)).setToolTip(p)
        if fps and lys:
            m.addSeparator()
        for p in lys:
            if p.lower().endswith(".toml"):
                m.addAction(f"{tr('menu.recent.catalog')}: {Path(p).name}", lambda p=p: self.open_catalog(p))
            else:
                m.addAction(f"{tr('menu.recent.layer')}: {Path(p).name}", lambda p=p: self.add_layer_files([p]))
        m.setEnabled(bool(fps or lys))

    def _restore_state(self) -> None:
        g = self.settings.value("window/geometry")
        s = self.settings.value("window/state")
        if isinstance(g, QByteArray):
            self.restoreGeometry(g)
        if isinstance(s, QByteArray):
            self.restoreState(s)
        trainer = self.settings.value("trainer", False)
        self.act_trainer.setChecked(str(trainer).lower() in ("true", "1"))

    def closeEvent(self, e):  # noqa: N802 - Qt override
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        self.settings.sync()
        for t in list(self._tasks) + ([self.check_task] if self.check_task else []):
            if t is not None and t.is_running:
                t.cancel()
                t.wait(5000)
        for t in list(self._tables):
            t.close()
        super().closeEvent(e)

    def dragEnterEvent(self, e):  # noqa: N802 - Qt override
        if e.mimeData().hasUrls():
            e.acceptProposedAction()

    def dropEvent(self, e):  # noqa: N802 - Qt override
        paths = [u.toLocalFile() for u in e.mimeData().urls() if u.isLocalFile()]
        e.acceptProposedAction()
        self.handle_dropped(paths)

    def handle_dropped(self, paths) -> None:
        """Dropped on the map: a raster → layer; otherwise the first file is the footprint and the rest
        layers (drop on the layer list to add layers only)."""
        fp = None
        layers = []
        for p in paths:
            suf = Path(p).suffix.lower()
            if suf in RASTER_SUFFIXES or suf == ".toml":
                layers.append(p)
            elif fp is None:
                fp = p
            else:
                layers.append(p)
        catalogs = [p for p in layers if p.lower().endswith(".toml")]
        for c in catalogs:
            self.open_catalog(c)
        others = [p for p in layers if p not in catalogs]
        if others:
            self.add_layer_files(others)
        if fp:
            self.open_footprint(fp)

    def show_about(self) -> None:
        self.info(tr("about.text", version=__version__, log=str(log_path())))


# ---------------------------------------------------------------------------- entry point


def install_excepthook(window_getter) -> None:
    """Unexpected exceptions in Qt slots: logged, shown in words, never a crash."""
    previous = sys.excepthook

    def hook(exc_type, exc, tb):
        if issubclass(exc_type, KeyboardInterrupt):
            return previous(exc_type, exc, tb)
        details = "".join(traceback.format_exception(exc_type, exc, tb))
        logging.getLogger("ningxia_gis.app").error("unexpected error:\n%s", details)
        win = window_getter()
        if win is not None:
            msg = str(exc) if isinstance(exc, NingxiaGisError) else tr("msg.internal", error=f"{exc_type.__name__}: {exc}")
            try:
                win.error(msg, details)
            except Exception:  # noqa: BLE001
                pass

    sys.excepthook = hook


def parse_args(argv):
    p = argparse.ArgumentParser(prog="ningxia-gis-app", description="宁夏国土空间管控审查工具 (desktop)")
    p.add_argument("footprint", nargs="?", help="footprint file to open")
    p.add_argument("--layers", help="layer catalog (.toml) or folder (default: the sample layers)")
    p.add_argument("--activity", help="activity id to select")
    p.add_argument("--scenario", help="training scenario to load and check")
    p.add_argument("--lang", choices=("zh", "en"))
    p.add_argument("--trainer", action="store_true", help="open in trainer mode")
    p.add_argument("--screenshot", metavar="DIR", help="after the scenario's check: save window PNGs and quit")
    p.add_argument("--size", default=None, help="window size, e.g. 1400x900")
    p.add_argument("--no-restore", action="store_true", help="ignore the saved window layout")
    return p.parse_args(argv)


def take_screenshots(win: MainWindow, out_dir) -> list[Path]:
    """PNG grabs of the window (Qt's own rendering: a missing font shows as tofu, not hidden).

    ``main_window_<lang>.png`` (map at the footprint), ``map_<lang>.png``, ``results_<lang>.png`` and,
    with a result, ``detail_<lang>.png`` (a zone row selected: its quote and procedure shown, the map
    zoomed to its overlap pieces); under a real display also ``screen_<lang>.png`` (the X screen).
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    lang = i18n.language()

    def settle():
        for _ in range(5):
            QApplication.processEvents()
        win.canvas.render_now()
        QApplication.processEvents()

    settle()
    files = []

    def save(widget, name):
        p = out / f"{name}_{lang}.png"
        widget.grab().save(str(p))
        files.append(p)

    save(win, "main_window")
    save(win.canvas, "map")
    save(win.dock_results, "results")
    if win.result is not None:
        rows = win.results.rows()
        order = ["禁止", "需人工判定", "有条件允许", "允许"]
        zone_rows = [r for r in rows if r["kind"] == "zone" and r["verdict"] in order]
        if zone_rows:
            best = min(zone_rows, key=lambda r: order.index(r["verdict"]))
            item = win.results.item_for(best["layer_id"], best["zone"])
            if item is not None:
                win.results.tree.setCurrentItem(item)
                settle()
                save(win, "detail")
    if win.dock_trainer.isVisible():
        win.dock_trainer.raise_()
        rb = win.trainer.rules
        win.trainer.setCurrentWidget(rb)
        top = rb.tree.topLevelItem(0)
        if top is not None and top.childCount() and top.child(0).childCount():
            top.setExpanded(True)
            top.child(0).setExpanded(True)
            rb.tree.setCurrentItem(top.child(0).child(0))
        settle()
        save(win, "trainer")
        win.trainer.setCurrentWidget(win.trainer.scenarios)
        win.dock_results.raise_()
    if QApplication.platformName() == "xcb":
        screen = QApplication.primaryScreen()
        p = out / f"screen_{lang}.png"
        screen.grabWindow(0).save(str(p))
        files.append(p)
    return files


def run(argv=None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    setup_logging()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("ningxia_gis")
    app.setOrganizationName("ningxia_gis")
    app.setWindowIcon(QIcon(str(ICONS_DIR / "ningxia_gis.png")))
    setup_fonts(app)
    win_ref: list[MainWindow] = []
    install_excepthook(lambda: win_ref[0] if win_ref else None)
    if args.lang:
        i18n.set_language(args.lang)
        settings().setValue("language", args.lang)
    win = MainWindow(catalog=args.layers, restore=not args.no_restore and not args.screenshot)
    win_ref.append(win)
    if args.size:
        w, _, h = args.size.partition("x")
        win.resize(int(w), int(h))
    if args.trainer:
        win.set_trainer_mode(True)
    if args.activity:
        win.check_panel.set_activity(args.activity)
    win.show()
    if args.scenario:
        win.run_scenario(args.scenario)
    elif args.footprint:
        win.open_footprint(args.footprint)
    if args.screenshot:
        state = {"done": False}

        def finish(*_):
            if state["done"]:
                return
            if win.busy() or not win.layers_loaded():
                QTimer.singleShot(300, finish)
                return
            state["done"] = True
            for f in take_screenshots(win, args.screenshot):
                print(f)
            app.quit()

        if args.scenario or args.footprint:
            win.checkFinished.connect(lambda _r: QTimer.singleShot(800, finish))
            if not args.scenario:
                win.layersLoaded.connect(lambda: QTimer.singleShot(800, finish))
        else:
            win.layersLoaded.connect(lambda: QTimer.singleShot(800, finish))
        QTimer.singleShot(120000, lambda: (print("screenshot: timed out", file=sys.stderr), app.exit(3)))
    return app.exec()


if __name__ == "__main__":
    sys.exit(run())
