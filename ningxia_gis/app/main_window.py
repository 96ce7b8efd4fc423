"""The main window: map, docks (layers, footprint and check, results, identify, trainer), menus and
toolbar built from the one action table (actions.py), and the controllers that do the work:
`LayersController`, `FootprintController`, `CheckController`, `ExportController`, `CaseController` (the
review case file, unsaved-changes prompt, undo, officer verdicts, audit log). The state of the review
is a Qt-free `ReviewSession` (state.py) the panels follow.

``run()`` is the ``ningxia-gis-app`` entry point (``python main.py`` too). With no configuration the
window opens with the sample layers. Everything slow runs in a `Task` thread; errors are shown in a dialog
in plain words (errors.py) and logged.

Options (mostly for demos and the screenshot script)::

    ningxia-gis-app [FOOTPRINT | CASE.gpkg] [--layers CATALOG_OR_DIR] [--activity ID] [--scenario ID]
                    [--lang zh|en] [--trainer] [--screenshot DIR] [--size 1400x900]
"""

from __future__ import annotations

import argparse
import logging
import sys
import traceback
from pathlib import Path

from PySide6.QtCore import QByteArray, QLibraryInfo, QRect, QSettings, Qt, QTimer, QTranslator, Signal
from PySide6.QtGui import QFont, QGuiApplication, QIcon
from PySide6.QtWidgets import (QApplication, QDialog, QDockWidget, QLabel, QMainWindow, QMessageBox, QProgressBar,
                               QPushButton, QTextBrowser, QToolBar, QVBoxLayout, QWidget)

from .. import __version__
from ..logs import log_path, settings_path, setup_logging
from ..paths import ICONS_DIR, RESOURCES, SAMPLE_CATALOG
from . import i18n
from .actions import MENUS, build_actions, fill_menu, fill_toolbar, update_enabled
from .attribute_table import IdentifyPanel
from .check_controller import CheckController
from .check_panel import CheckPanel
from .case_controller import CaseController
from .check_worker import Task
from .errors import user_message
from .export_controller import ExportController, a4_printer
from .footprint_controller import FootprintController
from .i18n import tr
from .layer_panel import LayerPanel
from .layers import RASTER_SUFFIXES, VectorLayer
from .layers_controller import LayersController
from .map_tools_controller import MapToolsController
from .map_canvas import MapCanvas
from .results_panel import ResultsPanel
from .state import ReviewSession
from .avoidance_panel import AvoidancePanel
from .trainer import TrainerPanel

log = logging.getLogger("ningxia_gis.app")

MAX_RECENT = 8
DEFAULT_SIZE = (1400, 900)  # at least this where the screen allows, up to MAX_SIZE on large screens
MAX_SIZE = (1680, 1050)
_TRANSLATORS: list[QTranslator] = []


def settings() -> QSettings:
    """Settings in an INI file in the platform's config folder (or ``NINGXIA_GIS_HOME``, so tests and users
    stay apart)."""
    return QSettings(str(settings_path()), QSettings.Format.IniFormat)


def setup_fonts(app: QApplication | None = None) -> str | None:
    """The shipped CJK font for Qt widgets and matplotlib (no system CJK font is assumed)."""
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


def install_qt_translations(lang: str) -> bool:
    """Qt's own texts (file and print dialogs, OK/Cancel) in Chinese: qtbase_zh_CN.qm shipped with
    PySide6, and resources/translations/*.qm when present. Returns True when Chinese was installed."""
    app = QApplication.instance()
    if app is None:
        return False
    for t in _TRANSLATORS:
        app.removeTranslator(t)
    _TRANSLATORS.clear()
    if lang != "zh":
        return False
    qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    ok = False
    # installed last = asked first: our few additions (strings Qt's file leaves English) win
    for name, folder in (("qtbase_zh_CN", qt_dir), ("ningxia_qt_zh_CN", str(RESOURCES / "translations"))):
        t = QTranslator(app)
        if t.load(name, folder):
            app.installTranslator(t)
            _TRANSLATORS.append(t)
            ok = ok or name == "qtbase_zh_CN"
        else:
            log.warning("Qt translation %s not found in %s", name, folder)
    return ok


class MainWindow(QMainWindow):
    checkFinished = Signal(object)  # CheckResult
    layersLoaded = Signal()
    exportFinished = Signal(str)  # path
    footprintChanged = Signal(object)  # Footprint or None

    def __init__(self, *, catalog=None, load_sample: bool = True, restore: bool = True):
        super().__init__()
        setup_logging()
        self.settings = settings()
        i18n.set_language(str(self.settings.value("language", i18n.language())))
        install_qt_translations(i18n.language())
        self.session = ReviewSession()
        self.last_error: str | None = None
        self.closing = False
        self._tasks: list[Task] = []
        self._lonlat = None
        self.setAcceptDrops(True)

        self.canvas = MapCanvas()
        self.setCentralWidget(self.canvas)
        self.layer_panel = LayerPanel()
        self.check_panel = CheckPanel()
        self.results = ResultsPanel()
        self.identify = IdentifyPanel()
        self.trainer = TrainerPanel()
        self.avoidance = AvoidancePanel()
        self.dock_layers = self._dock("layers", self.layer_panel, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.dock_check = self._dock("check", self.check_panel, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.dock_results = self._dock("results", self.results, Qt.DockWidgetArea.RightDockWidgetArea)
        self.dock_identify = self._dock("identify", self.identify, Qt.DockWidgetArea.RightDockWidgetArea)
        self.dock_trainer = self._dock("trainer", self.trainer, Qt.DockWidgetArea.RightDockWidgetArea)
        self.dock_avoidance = self._dock("avoidance", self.avoidance, Qt.DockWidgetArea.RightDockWidgetArea)
        self.tabifyDockWidget(self.dock_results, self.dock_avoidance)
        self.tabifyDockWidget(self.dock_avoidance, self.dock_identify)
        self.tabifyDockWidget(self.dock_identify, self.dock_trainer)
        self.dock_results.raise_()

        self.layers = LayersController(self)
        self.footprints = FootprintController(self)
        self.checker = CheckController(self)
        self.exporter = ExportController(self)
        self.cases = CaseController(self)
        self.maptools = MapToolsController(self)
        self._actions = build_actions(self)
        self.act_pan.setChecked(True)
        self.menu_recent = None
        self.toolbar = QToolBar()
        self.toolbar.setObjectName("main_toolbar")
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.addToolBar(self.toolbar)
        self._make_statusbar()
        self._connect()
        self.retranslate()
        self.fit_to_screen(restore)
        self.dock_trainer.setVisible(self.act_trainer.isChecked())

        if catalog is not None or load_sample:
            self.open_catalog(catalog or self.layers.default_catalog(), quiet=catalog is None)

    # ------------------------------------------------------------------ session shortcuts
    footprint = property(lambda self: self.session.footprint)
    footprint_block = property(lambda self: self.session.footprint_block)
    footprint_geom = property(lambda self: self.session.footprint_geom)
    result = property(lambda self: self.session.result)
    catalog = property(lambda self: self.session.base_catalog)

    @property
    def epsg(self) -> int:
        return self.session.epsg

    @property
    def check_task(self):
        return self.checker.task

    # ------------------------------------------------------------------ construction
    def _dock(self, name: str, widget: QWidget, area) -> QDockWidget:
        d = QDockWidget(self)
        d.setObjectName(f"dock_{name}")
        d.setWidget(widget)
        d.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable | QDockWidget.DockWidgetFeature.DockWidgetFloatable
                      | QDockWidget.DockWidgetFeature.DockWidgetClosable)
        self.addDockWidget(area, d)
        return d

    def docks(self) -> list[QDockWidget]:
        return [self.dock_layers, self.dock_check, self.dock_results, self.dock_avoidance, self.dock_identify]

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
        c.polygonDrawn.connect(self.footprints.set_drawn_footprint)
        c.drawingChanged.connect(self._drawing_changed)
        c.highlightChanged.connect(lambda _on: self.update_enabled())
        lp = self.layer_panel
        lp.layersChanged.connect(self.layers.layers_changed)
        lp.checkChanged.connect(self.layers.check_changed)
        lp.addRequested.connect(self.ask_add_layers)
        lp.filesDropped.connect(self.add_layer_files)
        lp.zoomRequested.connect(self.canvas.zoom_layer)
        lp.tableRequested.connect(self.open_attribute_table)
        lp.roleChanged.connect(lambda _l: self.layers.load_layers())
        lp.styleRequested.connect(self.maptools.ask_layer_style)
        cp = self.check_panel
        cp.btn_open.clicked.connect(self.ask_open_footprint)
        cp.btn_draw.toggled.connect(lambda on: self.set_tool("draw" if on else "pan"))
        cp.btn_save.clicked.connect(self.ask_save_footprint)
        cp.btn_clear.clicked.connect(self.clear_footprint)
        cp.btn_run.clicked.connect(lambda: self.run_check())
        cp.btn_cancel.clicked.connect(self.cancel_check)
        self.results.piecesSelected.connect(self._pieces_selected)
        self.results.tree.itemSelectionChanged.connect(self.update_enabled)
        self.trainer.scenarios.runRequested.connect(self.run_scenario)
        self.trainer.quiz.taskStarted.connect(self.track)
        self.trainer.quiz.caseShown.connect(self._show_quiz_case)
        self.avoidance.taskStarted.connect(self.track)
        self.avoidance.remainderShown.connect(self._show_remainder)
        s = self.session
        s.subscribe("result", self._result_changed)
        s.subscribe("footprint", lambda _fp: (self._update_footprint_info(), self.update_enabled()))

    def _result_changed(self, result) -> None:
        self.results.set_result(result)
        self.avoidance.set_context(result, self.session.request if result is not None else None)
        if result is None:
            self.canvas.set_pieces(None)
            self.canvas.set_overlay("remainder", None)
        self.update_enabled()

    def _to_display(self, geom, epsg: int):
        """A geometry of the analysis CRS ``epsg`` in the map's display CRS."""
        if geom is None or epsg == self.epsg:
            return geom
        import geopandas as gpd

        return gpd.GeoSeries([geom], crs=epsg).to_crs(self.epsg).iloc[0]

    def _show_remainder(self, geom, epsg: int) -> None:
        self.canvas.set_overlay("remainder", self._to_display(geom, epsg))

    def _show_quiz_case(self, _case, result) -> None:
        """Draw a quiz case's footprint as an overlay of its own (the session's footprint and result stay as
        they are; the case's verdicts stay hidden until the trainee answers)."""
        geom = None if result is None else self._to_display(result.footprint_geom, result.epsg)
        self.canvas.set_overlay("quiz", geom)
        if geom is not None and not geom.is_empty:
            self.canvas.zoom_to(geom.bounds, pad=0.35, min_size=2000.0)

    # ------------------------------------------------------------------ screen size
    def available_geometry(self) -> QRect:
        """The screen area the window may use (without task bars)."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        return screen.availableGeometry() if screen is not None else QRect(0, 0, *DEFAULT_SIZE)

    def fit_to_screen(self, restore: bool = True) -> None:
        """Restore the saved geometry when it fits the screen; else open inside it (90 % of a large screen,
        at most 1680×1050; the whole available area of a small one)."""
        avail = self.available_geometry()
        if restore:
            self._restore_state()
        g = self.frameGeometry()
        if not restore or not avail.contains(g):
            w = min(max(DEFAULT_SIZE[0], int(avail.width() * 0.9)), MAX_SIZE[0], avail.width() - 16)
            h = min(max(DEFAULT_SIZE[1], int(avail.height() * 0.9)), MAX_SIZE[1], avail.height() - 40)  # title bar
            self.resize(max(w, 640), max(h, 480))
            self.move(avail.x() + max(0, (avail.width() - self.frameGeometry().width()) // 2),
                      avail.y() + max(0, (avail.height() - self.frameGeometry().height()) // 2))
        left = min(340, self.width() // 4)
        right = min(500, self.width() // 3)
        self.resizeDocks([self.dock_layers, self.dock_results], [left, right], Qt.Orientation.Horizontal)
        self.resizeDocks([self.dock_layers, self.dock_check], [self.height() * 2 // 5, self.height() * 3 // 5],
                         Qt.Orientation.Vertical)

    # ------------------------------------------------------------------ language
    def retranslate(self) -> None:
        self.cases.update_title()
        for key, a in self._actions.items():
            a.setText(tr(key))
            tip = tr(key + ".tip") if i18n.has(key + ".tip") else tr(key)
            if not a.shortcut().isEmpty():
                tip += f" ({a.shortcut().toString()})"
            a.setToolTip(tip)
            a.setStatusTip(tip)
        self.menuBar().clear()
        for title, items in MENUS:
            fill_menu(self.menuBar().addMenu(tr(title)), items, self, self._actions, tr)
        fill_toolbar(self.toolbar, self._actions)
        self.cases.update_undo_texts()
        for d, key in ((self.dock_layers, "dock.layers"), (self.dock_check, "dock.check"),
                       (self.dock_results, "dock.results"), (self.dock_identify, "dock.identify"),
                       (self.dock_trainer, "dock.trainer"), (self.dock_avoidance, "dock.avoidance")):
            d.setWindowTitle(tr(key))
        self.btn_cancel_sb.setText(tr("cp.cancel"))
        self.act_lang_zh.setChecked(i18n.language() == "zh")
        self.act_lang_en.setChecked(i18n.language() == "en")
        self.layer_panel.retranslate()
        self.check_panel.retranslate()
        self.results.retranslate()
        self.identify.retranslate()
        self.trainer.retranslate()
        self.avoidance.retranslate()
        self._update_footprint_info()
        self.update_enabled()
        self.lbl_scale.setText(f"{tr('sb.scale')} 1:{self.canvas.scale_denominator():,.0f}")

    def set_language(self, lang: str) -> None:
        i18n.set_language(lang)
        self.settings.setValue("language", lang)
        install_qt_translations(i18n.language())
        self.retranslate()

    # ------------------------------------------------------------------ messages and tasks
    def error(self, message: str, details: str = "") -> None:
        """A plain-words error dialog (non-blocking) and a log entry; never raises."""
        self.last_error = message
        log.warning("shown to the user: %s", message)
        if self.closing:
            return
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle(tr("msg.error.title"))
        box.setText(message)
        if details:
            box.setInformativeText(tr("msg.error.details", path=log_path().name))
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

    def track(self, t: Task) -> Task:
        """Keep a running task known to the window (closing waits for it)."""
        self._tasks.append(t)
        t.finished.connect(lambda: self._tasks.remove(t) if t in self._tasks else None)
        t.finished.connect(self._task_finished)
        return t

    def run_task(self, fn, *args, done=None, failed_key: str = "", name: str = "", **kw) -> Task:
        """``fn`` in a worker thread; ``done(result)`` in the GUI thread unless the window is closing."""
        t = Task(fn, *args, name=name, **kw)
        if done is not None:
            t.done.connect(lambda r: None if self.closing else done(r))
        prefix = tr(failed_key) if failed_key else ""
        t.failed.connect(lambda msg, det: self.error(f"{prefix}{msg}", det))
        self.track(t)
        t.start()
        return t

    def busy(self) -> bool:
        return any(t.is_running for t in self._tasks)

    def check_running(self) -> bool:
        return self.checker.running()

    def show_progress(self, f: float, text: str) -> None:
        v = int(round(100 * max(0.0, min(1.0, f))))
        for bar in (self.progress, self.check_panel.progress):
            bar.setValue(v)
            bar.setFormat(f"%p% {text}")

    def update_enabled(self) -> None:
        update_enabled(self, self._actions)
        running = self.check_running()
        self.check_panel.btn_run.setEnabled(not running)
        self.check_panel.btn_cancel.setEnabled(running)
        self.act_cancel.setEnabled(running or self.exporter.busy() or self.canvas.has_highlight()
                                   or self.canvas.tool == "draw" or self.canvas.handler() is not None)
        self.check_panel.btn_save.setEnabled(self.footprint is not None)

    # ------------------------------------------------------------------ the controllers' entry points
    def open_catalog(self, path, quiet: bool = False) -> None:
        self.layers.open_catalog(path, quiet=quiet)

    def open_sample_layers(self) -> None:
        self.layers.open_catalog(SAMPLE_CATALOG)

    def ask_open_catalog(self) -> None:
        self.layers.ask_open_catalog()

    def ask_open_folder(self) -> None:
        self.layers.ask_open_folder()

    def ask_add_layers(self) -> None:
        self.layers.ask_add_layers()

    def add_layer_files(self, paths, ask: bool = True, roles: dict | None = None) -> list:
        return self.layers.add_layer_files(paths, ask=ask, roles=roles)

    def all_layers(self) -> list:
        return self.layers.all_layers()

    def vector_layers(self) -> list[VectorLayer]:
        return self.layers.vector_layers()

    def layers_loaded(self) -> bool:
        return self.layers.layers_loaded()

    def load_layers(self) -> None:
        self.layers.load_layers()

    def zoom_current_layer(self) -> None:
        self.layers.zoom_current_layer()

    def open_attribute_table(self, layer):
        return self.layers.open_attribute_table(layer)

    def identify_at(self, x: float, y: float, tol: float) -> list:
        return self.layers.identify_at(x, y, tol) or []

    def ask_open_footprint(self) -> None:
        self.footprints.ask_open_footprint()

    def open_footprint(self, path, crs=None, then=None) -> Task:
        return self.footprints.open_footprint(path, crs=crs, then=then)

    def set_footprint(self, fp) -> None:
        self.footprints.set_footprint(fp)

    def clear_footprint(self) -> None:
        self.footprints.clear_footprint()

    def ask_save_footprint(self) -> None:
        self.footprints.ask_save_footprint()

    def save_footprint(self, path) -> None:
        self.footprints.save_footprint(path)

    def run_check(self, *_args, activity: str | None = "__panel__", facts: dict | None = None):
        return self.checker.run_check(activity=activity, facts=facts)

    def cancel_check(self) -> None:
        if not self.checker.cancel() and self.canvas.tool == "draw":
            self.canvas.cancel_drawing()

    def run_scenario(self, scenario) -> None:
        self.checker.run_scenario(scenario)

    def export(self, kind: str, path, meta: dict | None = None):
        return self.exporter.export(kind, path, meta=meta)

    def export_map(self, path, dpi: int = 200) -> bool:
        return bool(self.exporter.export_map(path, dpi=dpi))

    def prepare_print(self, meta: dict | None = None, done=None):
        return self.exporter.prepare_print(meta, done=done)

    def print_report(self, printer, model) -> int:
        return self.exporter.print_report(printer, model) or 0

    def print_map(self, printer) -> None:
        self.exporter.print_map(printer)

    a4_printer = staticmethod(a4_printer)

    # ------------------------------------------------------------------ selection, Esc
    def clear_selection(self) -> None:
        """清除选择: the highlight from the attribute table / identify and the selected result pieces."""
        self.canvas.set_highlight(None)
        self.canvas.set_selected_pieces(None)
        self.results.tree.clearSelection()
        self.update_enabled()

    def escape(self) -> None:
        """Esc: cancel the check or export, else stop drawing, else clear the selection."""
        if self.checker.cancel():
            return
        if self.exporter.busy():
            self.exporter.cancel()
        elif self.canvas.tool == "draw":
            self.canvas.cancel_drawing()
        elif not self.maptools.escape():
            self.clear_selection()

    def _pieces_selected(self, geoms) -> None:
        import shapely

        geoms = [g for g in geoms if g is not None and not g.is_empty]
        self.canvas.set_selected_pieces(geoms or None)
        if geoms:
            self.canvas.zoom_to(shapely.bounds(shapely.union_all(geoms)), pad=0.3)
        self.update_enabled()

    # ------------------------------------------------------------------ map tools
    def set_tool(self, tool: str) -> None:
        self.canvas.set_tool(tool)
        acts = {"pan": "act_pan", "zoom": "act_zoom_box", "identify": "act_identify", "draw": "act_draw",
                **self.maptools.tools()}
        getattr(self, acts[tool]).setChecked(True)
        self.check_panel.btn_draw.blockSignals(True)
        self.check_panel.btn_draw.setChecked(tool == "draw")
        self.check_panel.btn_draw.blockSignals(False)
        if tool == "draw":
            self.statusBar().showMessage(tr("sb.draw_hint"))
        elif tool == "identify":
            self.statusBar().showMessage(tr("id.hint"), 5000)
        self.update_enabled()

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

    def _update_footprint_info(self) -> None:
        self.check_panel.fp_info.setText(self.footprints.info_html())

    # ------------------------------------------------------------------ trainer
    def set_trainer_mode(self, on: bool) -> None:
        self.act_trainer.setChecked(bool(on))
        self.settings.setValue("trainer", bool(on))
        self.dock_trainer.setVisible(bool(on))
        if on:
            self.dock_trainer.raise_()

    # ------------------------------------------------------------------ recent files, settings, drops
    def add_recent(self, key: str, path: str) -> None:
        items = [x for x in self._recent(key) if x != path]
        items.insert(0, path)
        self.settings.setValue(key, items[:MAX_RECENT])
        self.fill_recent()

    def _recent(self, key: str) -> list[str]:
        v = self.settings.value(key, [])
        if isinstance(v, str):
            v = [v] if v else []
        return [str(x) for x in (v or [])]

    def fill_recent(self) -> None:
        m = self.menu_recent
        if m is None:
            return
        m.clear()
        fps = self._recent("recent/footprints")
        lys = self._recent("recent/layers")
        for p in fps:
            m.addAction(f"{Path(p).name} — {Path(p).parent.name}", lambda p=p: self.open_footprint(p)).setToolTip(p)
        if fps and lys:
            m.addSeparator()
        for p in lys:
            kind = tr("menu.recent.catalog") if p.lower().endswith(".toml") else tr("menu.recent.layer")
            slot = (lambda p=p: self.open_catalog(p)) if p.lower().endswith(".toml") else \
                (lambda p=p: self.add_layer_files([p]))
            m.addAction(f"{kind}: {Path(p).name}", slot).setToolTip(p)
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

    def _task_finished(self) -> None:
        if self.closing and not self.busy():
            QTimer.singleShot(0, self.close)

    def closeEvent(self, e):  # noqa: N802 - Qt override
        """Closing asks about unsaved changes, cancels running work and closes once every worker thread has
        ended (a thread is never destroyed while it runs)."""
        if not self.closing and not self.cases.confirm_discard():
            e.ignore()
            return
        if not self.closing:
            self.settings.setValue("window/geometry", self.saveGeometry())
            self.settings.setValue("window/state", self.saveState())
            self.settings.sync()
        self.closing = True
        if self.busy():
            for t in list(self._tasks):
                t.cancel()
            self.statusBar().showMessage(tr("sb.closing"))
            e.ignore()
            return
        self.layers.close_tables()
        super().closeEvent(e)

    def dragEnterEvent(self, e):  # noqa: N802 - Qt override
        if e.mimeData().hasUrls():
            e.acceptProposedAction()

    def dropEvent(self, e):  # noqa: N802 - Qt override
        paths = [u.toLocalFile() for u in e.mimeData().urls() if u.isLocalFile()]
        e.acceptProposedAction()
        self.handle_dropped(paths)

    def handle_dropped(self, paths) -> None:
        """Dropped on the map: a review case → opened; a raster → layer; otherwise the first file is the
        footprint and the rest layers (drop on the layer list to add layers only)."""
        from ..review.case import is_case_file

        case = next((p for p in paths if Path(p).suffix.lower() == ".gpkg" and is_case_file(p)), None)
        if case is not None:
            self.cases.open_case(case)
            return
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
        if fp and not self.cases.confirm_discard():
            return  # the officer keeps the review: nothing of the drop is taken
        catalogs = [p for p in layers if p.lower().endswith(".toml")]
        for c in catalogs:
            self.open_catalog(c)
        others = [p for p in layers if p not in catalogs]
        if others:
            self.add_layer_files(others)
        if fp:
            self.footprints.open_footprint(fp, confirm=False)

    # ------------------------------------------------------------------ help
    def show_about(self) -> None:
        self.info(tr("about.text", version=__version__, log=log_path().name))

    def show_log_location(self) -> None:
        self.info(tr("msg.log", path=str(log_path())))

    def show_help(self) -> QDialog:
        """F1: the user guide (resources/help/help_<lang>.html) in a window of its own."""
        dlg = QDialog(self)
        dlg.setWindowTitle(tr("help.title"))
        view = QTextBrowser(dlg)
        view.setOpenExternalLinks(False)
        f = RESOURCES / "help" / f"help_{i18n.language()}.html"
        view.setHtml(f.read_text(encoding="utf-8") if f.is_file() else tr("help.missing"))
        lay = QVBoxLayout(dlg)
        lay.addWidget(view)
        avail = self.available_geometry()
        dlg.resize(min(760, avail.width() - 40), min(640, avail.height() - 60))
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.show()
        self.help_dialog = dlg
        return dlg


# ---------------------------------------------------------------------------- entry point


def install_excepthook(window_getter) -> None:
    """Unexpected exceptions in Qt slots: logged, shown in words (never a class name), never a crash."""
    previous = sys.excepthook

    def hook(exc_type, exc, tb):
        if issubclass(exc_type, KeyboardInterrupt):
            return previous(exc_type, exc, tb)
        details = "".join(traceback.format_exception(exc_type, exc, tb))
        logging.getLogger("ningxia_gis.app").error("unexpected error:\n%s", details)
        win = window_getter()
        if win is not None:
            try:
                win.error(user_message(exc), details)
            except Exception:  # noqa: BLE001
                pass

    sys.excepthook = hook


def parse_args(argv):
    p = argparse.ArgumentParser(prog="ningxia-gis-app", description="宁夏国土空间管控审查工具 (desktop)")
    p.add_argument("footprint", nargs="?", help="footprint file or review case (.gpkg) to open")
    p.add_argument("--layers", help="layer catalog (.toml) or folder (default: the sample layers)")
    p.add_argument("--activity", help="activity id to select")
    p.add_argument("--scenario", help="training scenario to load and check")
    p.add_argument("--lang", choices=("zh", "en"))
    p.add_argument("--trainer", action="store_true", help="open in trainer mode")
    p.add_argument("--screenshot", metavar="DIR", help="after the scenario's check: save window PNGs and quit")
    p.add_argument("--size", default=None, help="window size, e.g. 1400x900")
    p.add_argument("--no-restore", action="store_true", help="ignore the saved window layout")
    return p.parse_args(argv)



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
    if args.screenshot:
        win.cases.unsaved_policy = "discard"  # nobody at the screen to answer
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
        from ..review.case import is_case_file

        if is_case_file(args.footprint):
            win.cases.open_case(args.footprint)
        else:
            win.open_footprint(args.footprint)
    if args.screenshot:
        from .screenshots import install

        install(win, app, args.screenshot, wait_for_check=bool(args.scenario))
    return app.exec()


if __name__ == "__main__":
    sys.exit(run())
