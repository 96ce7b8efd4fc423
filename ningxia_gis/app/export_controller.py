"""Export and print: every file goes through `review.outputs` (atomic) in a worker thread, with a
progress dialog and cancel; printing and its preview paint the report model prepared in a worker."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QDialog, QFileDialog, QProgressDialog

from ..domain.errors import Cancelled
from .check_panel import META_FIELDS, CaseMetaDialog
from .check_worker import Task
from .errors import guarded
from .i18n import language, tr

log = logging.getLogger("ningxia_gis.app")

FILTERS = {"pdf": "PDF (*.pdf)", "docx": "Word (*.docx)", "xlsx": "Excel (*.xlsx)", "gpkg": "GeoPackage (*.gpkg)",
           "json": "JSON (*.json)"}
REPORTS = ("pdf", "docx", "xlsx")


def a4_printer(printer=None):
    """A QPrinter set to A4 with zero margins (the report draws its own margins, header and footer)."""
    from PySide6.QtCore import QMarginsF
    from PySide6.QtGui import QPageLayout, QPageSize
    from PySide6.QtPrintSupport import QPrinter

    printer = printer or QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    printer.setPageMargins(QMarginsF(0, 0, 0, 0), QPageLayout.Unit.Millimeter)
    printer.setFullPage(True)
    return printer


class ExportController(QObject):
    """Export/print for one window (``w``: error(), statusBar(), settings, session, canvas, run_task())."""

    def __init__(self, window):
        super().__init__(window)
        self.w = window
        self.task: Task | None = None
        self.progress_dialog: QProgressDialog | None = None
        self.preview_dialog = None
        self.edition = "full"  # 完整版 / 摘要版 of the next PDF or print

    def busy(self) -> bool:
        return self.task is not None and self.task.is_running

    # ------------------------------------------------------------------ case details
    def case_meta(self) -> dict:
        saved = {k: str(self.w.settings.value(f"meta/{k}", "")) for k in META_FIELDS}
        return {**saved, **{k: v for k, v in self.w.session.case.items() if v}}

    def ask_case_meta(self, edition: bool = False) -> dict | None:
        """The case details (and, for PDF and print, the edition: ``self.edition``)."""
        fp = self.w.session.footprint
        dlg = CaseMetaDialog(self.case_meta(), self.w, default_name=fp.name if fp is not None else "",
                             edition=str(self.w.settings.value("report/edition", "full")) if edition else None)
        if dlg.exec() != QDialog.DialogCode.Accepted:
            return None
        self.edition = dlg.edition()
        if edition:
            self.w.settings.setValue("report/edition", self.edition)
        vals = dlg.values()
        for k, v in vals.items():
            self.w.settings.setValue(f"meta/{k}", v)
        self.w.session.set(case=vals)
        return vals

    def _start_dir(self) -> Path:
        """The last export folder, else the footprint's folder, else home."""
        last = self.w.settings.value("dir/export", "")
        if last and Path(str(last)).is_dir():
            return Path(str(last))
        fp = self.w.session.footprint
        src = Path(str(getattr(fp, "source", "") or ""))
        return src.parent if src.name and src.parent.is_dir() else Path.home()

    # ------------------------------------------------------------------ files
    def ask_export(self, kind: str) -> None:
        if self.w.result is None:
            self.w.error(tr("msg.no_result"))
            return
        meta = {}
        if kind in REPORTS:
            meta = self.ask_case_meta(edition=kind == "pdf")
            if meta is None:
                return
        name = f"{self.w.result.data['footprint']['name']}_{tr('export.suffix')}.{kind}"
        path, _ = QFileDialog.getSaveFileName(self.w, tr("dlg.export"), str(self._start_dir() / name), FILTERS[kind])
        if path:
            if not path.lower().endswith("." + kind):
                path += "." + kind
            self.w.settings.setValue("dir/export", str(Path(path).parent))
            self.export(kind, path, meta=meta)

    def export(self, kind: str, path, meta: dict | None = None, edition: str | None = None) -> Task | None:
        """Write one output (pdf/docx/xlsx report, gpkg pieces, json result) in a worker, atomically.

        The maps are rendered first, one by one (progress; cancel between maps); the file then replaces
        the target only when complete."""
        if self.w.result is None:
            self.w.error(tr("msg.no_result"))
            return None
        if self.busy():
            return None
        result = self.w.result
        meta = {k: v for k, v in (meta or {}).items() if v}
        p = Path(path)
        summary = kind == "pdf" and (edition or self.edition) == "summary"

        def work(progress=None, cancelled=None):
            from ..review.outputs import OutputContext, check_target, write_output

            def step(i, n):
                if cancelled():
                    raise Cancelled("error.cancelled")
                progress(0.05 + 0.8 * i / max(n, 1), tr("exp.maps", i=i + 1, n=n))

            check_target(kind, p, result)
            ctx = OutputContext(case=meta, lang=language())  # the report in the UI's language
            if summary:
                from ..report.html import summary_edition
                ctx._model = summary_edition(ctx.report_model(result))  # the 摘要版 of the same model
            if kind in ("pdf", "docx"):
                from ..report.render import render_figures
                progress(0.02, tr("exp.model"))
                # the PDF paints its maps as vectors (SVG), Word places pictures (PNG)
                render_figures(ctx.report_model(result), progress=step, fmt="svg" if kind == "pdf" else "png",
                               **ctx.render_kw)
            if cancelled():
                raise Cancelled("error.cancelled")
            progress(0.9, tr("exp.writing", name=p.name))
            write_output(kind, result, p, ctx)
            return str(p)

        def done(out):
            self.w.statusBar().showMessage(tr("sb.exported", path=out), 10000)
            log.info("exported %s", out)
            self.w.exportFinished.emit(out)

        self.w.statusBar().showMessage(tr("sb.exporting", name=p.name))
        return self._run(work, done, tr("exp.title", name=p.name), failed_key="msg.export_failed", name=f"export_{kind}")

    def _run(self, work, done, title: str, *, failed_key: str, name: str) -> Task:
        """``work`` in a worker with a progress dialog; ``done(result)`` once its thread has ended (so the
        next export can start from ``done``)."""
        got = []
        t = self.w.run_task(work, done=got.append, failed_key=failed_key, name=name)
        t.finished.connect(lambda: done(got[0]) if got and done is not None and not self.w.closing else None)
        self.task = t
        dlg = QProgressDialog(title, tr("cp.cancel"), 0, 100, self.w)
        dlg.setWindowTitle(title)
        dlg.setWindowModality(Qt.WindowModality.WindowModal)
        dlg.setMinimumDuration(300)
        dlg.setMinimumWidth(420)
        dlg.setAutoClose(False)
        dlg.setAutoReset(False)
        dlg.canceled.connect(t.cancel)
        t.progress.connect(lambda f, text: (dlg.setValue(int(100 * f)), dlg.setLabelText(text)))
        t.cancelled.connect(lambda: self.w.statusBar().showMessage(tr("sb.export_cancelled"), 6000))
        t.finished.connect(dlg.close)
        t.finished.connect(lambda: self.w.update_enabled())
        self.progress_dialog = dlg
        self.w.update_enabled()
        return t

    def cancel(self) -> None:
        if self.busy():
            self.task.cancel()

    # ------------------------------------------------------------------ the map as shown
    def ask_export_map(self, fmt: str) -> None:
        fp = self.w.session.footprint
        name = (fp.name if fp else "map") + f"_{tr('export.map')}.{fmt}"
        path, _ = QFileDialog.getSaveFileName(self.w, tr("dlg.export_map"), str(self._start_dir() / name),
                                              "PNG (*.png)" if fmt == "png" else "SVG (*.svg)")
        if path:
            if not path.lower().endswith("." + fmt):
                path += "." + fmt
            self.w.settings.setValue("dir/export", str(Path(path).parent))
            self.export_map(path)

    @guarded("what.export")
    def export_map(self, path, dpi: int = 200) -> bool:
        """The map as shown, without the selection highlight, written atomically."""
        from ..core.files import atomic_output

        p = Path(path)
        with atomic_output(p) as tmp:  # the temporary file keeps the suffix: it picks the format
            self.w.canvas.save_image(tmp, dpi=dpi)
        self.w.statusBar().showMessage(tr("sb.exported", path=str(p)), 8000)
        return True

    # ------------------------------------------------------------------ printing
    def prepare_print(self, meta: dict | None = None, done=None, edition: str | None = None) -> Task | None:
        """Build the report model and render its maps in a worker (progress, cancel); ``done(model)``."""
        if self.w.result is None:
            self.w.error(tr("msg.no_result"))
            return None
        if self.busy():
            return None
        data = self.w.result.data

        def work(progress=None, cancelled=None):
            from ..report import build_report_model
            from ..report.render import render_figures

            def step(i, n):
                if cancelled():
                    raise Cancelled("error.cancelled")
                progress(0.05 + 0.9 * i / max(n, 1), tr("exp.maps", i=i + 1, n=n))

            progress(0.02, tr("exp.model"))
            model = build_report_model(data, meta or {}, lang=language())
            if (edition or self.edition) == "summary":
                from ..report.html import summary_edition
                model = summary_edition(model)
            render_figures(model, progress=step, fmt="svg")  # the report painter's vector maps
            return model

        self.w.statusBar().showMessage(tr("sb.preparing_print"))
        return self._run(work, done, tr("sb.preparing_print"), failed_key="msg.print_failed", name="print")

    def ask_print_report(self) -> None:
        meta = self.ask_case_meta(edition=True)
        if meta is not None:
            self.prepare_print(meta, done=self._print_dialog)

    def ask_print_preview(self) -> None:
        meta = self.ask_case_meta(edition=True)
        if meta is not None:
            self.prepare_print(meta, done=self.show_preview)

    def _print_dialog(self, model) -> None:
        from PySide6.QtPrintSupport import QPrintDialog

        printer = a4_printer()
        dlg = QPrintDialog(printer, self.w)
        if dlg.exec() == QDialog.DialogCode.Accepted:
            self.print_report(printer, model)

    def show_preview(self, model):
        """A print preview of the report (QPrintPreviewDialog: pages, zoom, print from there)."""
        from PySide6.QtPrintSupport import QPrintPreviewDialog

        self._preview_printer = a4_printer()  # the dialog does not own its printer: keep it alive
        dlg = QPrintPreviewDialog(self._preview_printer, self.w)
        dlg.setWindowTitle(tr("dlg.print_preview"))
        dlg.paintRequested.connect(lambda printer: self.print_report(printer, model))
        avail = self.w.available_geometry()
        dlg.resize(min(1000, int(avail.width() * 0.9)), int(avail.height() * 0.9))
        self.preview_dialog = dlg
        dlg.open()
        return dlg

    @guarded("what.print")
    def print_report(self, printer, model) -> int:
        """Paint the report on a QPrinter (the report's own layout, header and page numbers)."""
        from ..report.pdf import paint_report

        n = paint_report(model, printer)
        self.w.statusBar().showMessage(tr("sb.printed"), 6000)
        return n

    def ask_print_map(self) -> None:
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        if QPrintDialog(printer, self.w).exec() == QDialog.DialogCode.Accepted:
            self.print_map(printer)

    @guarded("what.print")
    def print_map(self, printer) -> None:
        from PySide6.QtGui import QImage, QPainter

        with tempfile.TemporaryDirectory() as tmp:
            png = Path(tmp) / "map.png"
            self.w.canvas.save_image(png, dpi=300)
            img = QImage(str(png))
            p = QPainter()
            if not p.begin(printer):
                self.w.error(tr("msg.print_failed"))
                return
            rect = p.viewport()
            size = img.size()
            size.scale(rect.size(), Qt.AspectRatioMode.KeepAspectRatio)
            p.setViewport(rect.x(), rect.y(), size.width(), size.height())
            p.setWindow(img.rect())
            p.drawImage(0, 0, img)
            p.end()
