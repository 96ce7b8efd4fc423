"""The screenshot harness (``ningxia-gis-app --screenshot DIR``, tools/screenshot.sh): PNG grabs of the
window after a scenario's check, for the docs and for looking at the layout at a given screen size."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from ..domain.vocab import VERDICTS_STRICTEST_FIRST
from . import i18n


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
        order = list(VERDICTS_STRICTEST_FIRST[:4])
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


def install(win, app, out_dir, *, wait_for_check: bool) -> None:
    """Take the screenshots once the layers are drawn (and the check is done), then quit the app."""
    state = {"done": False}

    def finish(*_):
        if state["done"]:
            return
        if win.busy() or not win.layers_loaded():
            QTimer.singleShot(300, finish)
            return
        state["done"] = True
        watchdog.stop()
        for f in take_screenshots(win, out_dir):
            print(f)
        app.quit()

    if wait_for_check:
        win.checkFinished.connect(lambda _r: QTimer.singleShot(800, finish))
    else:
        win.layersLoaded.connect(lambda: QTimer.singleShot(800, finish))
    watchdog = QTimer(win, singleShot=True, interval=120000)  # stopped when done: no stray exit later
    watchdog.timeout.connect(lambda: (print("screenshot: timed out", file=sys.stderr), app.exit(3)))
    watchdog.start()
