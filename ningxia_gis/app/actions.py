"""The one action table: id (also the i18n text key), slot, shortcut, when it is enabled. Menus, the
toolbar and the shortcuts are built from it, and `update_enabled` applies every ``enabled`` rule, so an
action is never wired or switched on in two places."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from PySide6.QtGui import QAction, QActionGroup, QKeySequence


@dataclass(frozen=True)
class ActionSpec:
    id: str  # i18n key of the text; ``id + ".tip"`` is the tooltip when defined
    slot: Callable  # called with the window
    shortcut: str | None = None  # "A|B": several (the first is shown)
    enabled: str | None = None  # a key of ENABLED_WHEN; None = always
    checkable: bool = False
    group: str | None = None  # exclusive group (map tools, languages)


def _tool(name):
    return lambda w: w.set_tool(name)


ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("act.case_new", lambda w: w.cases.new_case(), "Ctrl+N", "idle"),
    ActionSpec("act.case_open", lambda w: w.cases.ask_open_case(), "Ctrl+Shift+O", "idle"),
    ActionSpec("act.case_save", lambda w: w.cases.save(), "Ctrl+S", "idle"),
    ActionSpec("act.case_save_as", lambda w: w.cases.save_as(), None, "idle"),
    ActionSpec("act.case_meta", lambda w: w.exporter.ask_case_meta()),
    ActionSpec("act.audit", lambda w: w.cases.show_audit(), None, "case"),
    ActionSpec("act.undo", lambda w: w.cases.undo_stack.undo(), "Ctrl+Z", "can_undo"),
    ActionSpec("act.redo", lambda w: w.cases.undo_stack.redo(), "Ctrl+Shift+Z|Ctrl+Y", "can_redo"),
    ActionSpec("act.override", lambda w: w.cases.ask_override(), None, "zone"),
    ActionSpec("act.open_footprint", lambda w: w.ask_open_footprint(), "Ctrl+O", "idle"),
    ActionSpec("act.add_layer", lambda w: w.ask_add_layers(), "Ctrl+L"),
    ActionSpec("act.open_catalog", lambda w: w.ask_open_catalog()),
    ActionSpec("act.open_folder", lambda w: w.ask_open_folder()),
    ActionSpec("act.sample_layers", lambda w: w.open_sample_layers()),
    ActionSpec("act.save_footprint", lambda w: w.ask_save_footprint(), "Ctrl+Shift+S", "footprint"),
    ActionSpec("act.export_pdf", lambda w: w.exporter.ask_export("pdf"), "Ctrl+E", "result"),
    ActionSpec("act.export_docx", lambda w: w.exporter.ask_export("docx"), None, "result"),
    ActionSpec("act.export_xlsx", lambda w: w.exporter.ask_export("xlsx"), None, "result"),
    ActionSpec("act.export_gpkg", lambda w: w.exporter.ask_export("gpkg"), None, "result"),
    ActionSpec("act.export_json", lambda w: w.exporter.ask_export("json"), None, "result"),
    ActionSpec("act.export_png", lambda w: w.exporter.ask_export_map("png")),
    ActionSpec("act.export_svg", lambda w: w.exporter.ask_export_map("svg")),
    ActionSpec("act.print_preview", lambda w: w.exporter.ask_print_preview(), "Ctrl+Shift+P", "result"),
    ActionSpec("act.print", lambda w: w.exporter.ask_print_report(), "Ctrl+P", "result"),
    ActionSpec("act.print_map", lambda w: w.exporter.ask_print_map()),
    ActionSpec("act.quit", lambda w: w.close(), "Ctrl+Q"),
    ActionSpec("act.pan", _tool("pan"), None, None, True, "tool"),
    ActionSpec("act.zoom_box", _tool("zoom"), None, None, True, "tool"),
    ActionSpec("act.identify", _tool("identify"), None, None, True, "tool"),
    ActionSpec("act.draw", lambda w: w.set_tool("draw" if w.act_draw.isChecked() else "pan"), None, None, True, "tool"),
    ActionSpec("act.clear_selection", lambda w: w.clear_selection(), None, "selection"),
    ActionSpec("act.measure", _tool("measure"), None, None, True, "tool"),
    ActionSpec("act.select", _tool("select"), None, None, True, "tool"),
    ActionSpec("act.vertex_edit", lambda w: w.maptools.start_vertex_edit(), None, "footprint", True, "tool"),
    ActionSpec("act.undo_edit", lambda w: w.maptools.undo(), "Ctrl+Alt+Z", "undo"),  # Ctrl+Z is the case undo
    ActionSpec("act.redo_edit", lambda w: w.maptools.redo(), "Ctrl+Alt+Y", "redo"),
    ActionSpec("act.layer_style", lambda w: w.maptools.ask_layer_style()),
    ActionSpec("act.add_basemap", lambda w: w.maptools.ask_add_basemap()),
    ActionSpec("act.zoom_full", lambda w: w.canvas.zoom_full(), "Ctrl+0"),
    ActionSpec("act.zoom_footprint", lambda w: w.canvas.zoom_footprint(), "Ctrl+F", "footprint"),
    ActionSpec("act.zoom_layer", lambda w: w.zoom_current_layer()),
    ActionSpec("act.zoom_in", lambda w: w.canvas.zoom_by(1.5), "Ctrl++"),
    ActionSpec("act.zoom_out", lambda w: w.canvas.zoom_by(1 / 1.5), "Ctrl+-"),
    ActionSpec("act.run", lambda w: w.run_check(), "F5", "idle"),
    ActionSpec("act.cancel", lambda w: w.escape(), "Esc"),
    ActionSpec("act.trainer", lambda w: w.set_trainer_mode(w.act_trainer.isChecked()), None, None, True),
    ActionSpec("act.lang_zh", lambda w: w.set_language("zh"), None, None, True, "lang"),
    ActionSpec("act.lang_en", lambda w: w.set_language("en"), None, None, True, "lang"),
    ActionSpec("act.help", lambda w: w.show_help(), "F1"),
    ActionSpec("act.log", lambda w: w.show_log_location()),
    ActionSpec("act.about", lambda w: w.show_about()),
)

#: when an action is enabled (the window answers)
ENABLED_WHEN: dict[str, Callable] = {
    "footprint": lambda w: w.footprint is not None,
    "result": lambda w: w.result is not None and not w.exporter.busy(),
    "idle": lambda w: not w.check_running(),
    "selection": lambda w: w.canvas.has_highlight(),
    "case": lambda w: w.cases.case is not None,
    "can_undo": lambda w: w.cases.undo_stack.canUndo() and not w.check_running(),
    "can_redo": lambda w: w.cases.undo_stack.canRedo() and not w.check_running(),
    "zone": lambda w: w.results.selected_zone() is not None and not w.check_running(),
    "undo": lambda w: w.maptools.can_undo(),
    "redo": lambda w: w.maptools.can_redo(),
}

#: menus (title key → action ids; None = separator; a (title, [...]) tuple = sub-menu; "recent" and
#: "recent_cases" and "docks" are filled by the window)
MENUS = (
    ("menu.file", ["act.case_new", "act.case_open", "recent_cases", "act.case_save", "act.case_save_as",
                   "act.case_meta", "act.audit", None,
                   "act.open_footprint", "recent", "act.save_footprint", None, "act.add_layer", "act.open_catalog",
                   "act.open_folder", "act.sample_layers", "act.add_basemap", None,
                   ("menu.export", ["act.export_pdf", "act.export_docx", "act.export_xlsx", "act.export_gpkg",
                                    "act.export_json", None, "act.export_png", "act.export_svg"]),
                   "act.print_preview", "act.print", "act.print_map", None, "act.quit"]),
    ("menu.edit", ["act.undo", "act.redo", None, "act.override"]),
    ("menu.view", ["act.pan", "act.zoom_box", "act.identify", "act.draw", "act.measure", "act.select",
                   "act.vertex_edit", "act.undo_edit", "act.redo_edit", "act.clear_selection", "act.layer_style",
                   None, "act.zoom_in",
                   "act.zoom_out", "act.zoom_full", "act.zoom_footprint", "act.zoom_layer", None, "docks", None,
                   "act.trainer"]),
    ("menu.check", ["act.run", "act.cancel"]),
    ("menu.language", ["act.lang_zh", "act.lang_en"]),
    ("menu.help", ["act.help", "act.log", "act.about"]),
)

TOOLBAR = ("act.open_footprint", "act.add_layer", None, "act.pan", "act.zoom_box", "act.identify", "act.draw",
           "act.measure", "act.select", "act.vertex_edit", "act.clear_selection", None, "act.zoom_full",
           "act.zoom_footprint", "act.zoom_layer", None, "act.run", None,
           "act.export_pdf", "act.print", None, "act.trainer")


def build_actions(window) -> dict[str, QAction]:
    """A QAction per table row, parented to the window; also set as ``window.act_<name>``."""
    actions: dict[str, QAction] = {}
    groups: dict[str, QActionGroup] = {}
    for spec in ACTIONS:
        a = QAction(window)
        a.setObjectName(spec.id)
        a.setCheckable(spec.checkable)
        if spec.shortcut:
            a.setShortcuts([QKeySequence(k) for k in spec.shortcut.split("|")])
        a.triggered.connect(lambda _checked=False, s=spec: s.slot(window))
        if spec.group:
            groups.setdefault(spec.group, QActionGroup(window)).addAction(a)
        actions[spec.id] = a
        setattr(window, "act_" + spec.id.split(".", 1)[1], a)
    return actions


def update_enabled(window, actions: dict[str, QAction]) -> None:
    for spec in ACTIONS:
        if spec.enabled:
            actions[spec.id].setEnabled(bool(ENABLED_WHEN[spec.enabled](window)))


def fill_menu(menu, items, window, actions, tr) -> None:
    for item in items:
        if item is None:
            menu.addSeparator()
        elif isinstance(item, tuple):
            fill_menu(menu.addMenu(tr(item[0])), item[1], window, actions, tr)
        elif item == "recent":
            window.menu_recent = menu.addMenu(tr("menu.recent"))
            window.fill_recent()
        elif item == "recent_cases":
            window.menu_recent_cases = menu.addMenu(tr("menu.recent_cases"))
            window.cases.fill_recent()
        elif item == "docks":
            for d in window.docks():
                menu.addAction(d.toggleViewAction())
        else:
            menu.addAction(actions[item])


def fill_toolbar(toolbar, actions) -> None:
    toolbar.clear()
    for item in TOOLBAR:
        toolbar.addSeparator() if item is None else toolbar.addAction(actions[item])
