"""The base of the map tools that live in modules of their own (measure, select, vertex editing): no-op
event handlers the canvas calls while the tool is the current one (see `MapCanvas.register_tool`)."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt


class MapTool(QObject):
    """A tool on ``canvas``; subclasses override what they need."""

    cursor = Qt.CursorShape.CrossCursor

    def __init__(self, canvas, parent=None):
        super().__init__(parent or canvas)
        self.canvas = canvas

    def activate(self) -> None:
        """The tool became the current one."""

    def deactivate(self) -> None:
        """Another tool was chosen: drop transient state."""

    def press(self, event) -> None:
        pass

    def motion(self, event) -> None:
        pass

    def release(self, event) -> None:
        pass

    def key(self, event) -> None:
        pass

    def artists(self) -> list:
        """Artists added to every render while the tool is current."""
        return []

    def after_render(self) -> None:
        """The map was rendered again: re-blit animated artists."""

    def escape(self) -> bool:
        """Esc while the tool is current; True when it did something."""
        return False

    def pixel_tolerance(self, pixels: float = 6.0) -> float:
        """``pixels`` logical pixels in map units."""
        return pixels * self.canvas.upp * self.canvas._dpr()
