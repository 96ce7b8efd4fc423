"""Test set-up: Qt offscreen and matplotlib Agg before anything imports them."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("NINGXIA_GIS_HOME", os.path.join(os.path.dirname(__file__), "..", "build", "test-home"))
# the app's windows close or replace a review without the unsaved-changes prompt (a modal dialog nobody
# answers); tests of the prompt set the controller's policy off and patch the prompt
os.environ.setdefault("NINGXIA_GIS_UNSAVED", "discard")
os.environ.pop("PROJ_DATA", None)
os.environ.pop("PROJ_LIB", None)

import pytest  # noqa: E402


@pytest.fixture
def needs_qapplication():
    """Widgets need a QApplication; an offscreen QGuiApplication made earlier in the process cannot be
    replaced, and creating a widget under it would abort the whole run."""
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QApplication

    inst = QCoreApplication.instance()
    if inst is not None and not isinstance(inst, QApplication):
        pytest.skip("a QGuiApplication exists already in this process; run the app tests first or alone")


@pytest.fixture
def app_home(tmp_path, monkeypatch):
    """Settings and log of each test in a folder of its own."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("NINGXIA_GIS_HOME", str(home))
    return home


@pytest.fixture
def make_window(qtbot, app_home):
    """A factory: ``make_window(size=(1400, 900), restore=False)`` gives the main window on the sample
    layers, shown and loaded (size None keeps the window's own choice); every window's running tasks are
    stopped at teardown."""
    from ningxia_gis.app import i18n
    from ningxia_gis.app.main_window import MainWindow, setup_fonts

    made = []

    def make(size=(1400, 900), restore=False):
        setup_fonts()
        i18n.set_language("zh")
        w = MainWindow(restore=restore)
        qtbot.addWidget(w)
        if size is not None:
            w.resize(*size)
        w.show()
        qtbot.waitUntil(w.layers_loaded, timeout=120000)
        made.append(w)
        return w

    yield make
    for w in made:
        w.cases.unsaved_policy = "discard"
        for t in list(w._tasks) + ([w.check_task] if w.check_task else []):
            if t is not None and t.is_running:
                t.cancel()
                t.wait(20000)


@pytest.fixture
def win(make_window):
    """The main window on the sample layers, loaded."""
    return make_window()
