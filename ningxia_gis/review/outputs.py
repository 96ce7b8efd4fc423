"""One registry of output writers keyed by format; every output is written atomically.

A writer gets the result and a temporary path next to the target; the target is replaced only when the
writer returned, so a failure (or a kill) leaves the previous file as it was. The report formats share
one report model per ``write_outputs`` call, so their maps are rendered once."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..core.check import CheckResult, validate_result
from ..core.files import atomic_output
from ..core.json_text import dumps_indented
from ..domain.errors import InputError


@dataclass
class OutputContext:
    """What the report writers share within one ``write_outputs`` call."""

    case: dict = field(default_factory=dict)
    use_sources: bool = True  # maps re-read the layer files around the footprint
    base_dir: str | None = None  # where relative layer paths of a saved result live
    map_dpi: int | None = None
    lang: str = "zh"  # the report's language (zh | en)
    edition: str = "full"  # 完整版 (full) | 摘要版 (summary)
    _model: object = None

    def report_model(self, result: CheckResult):
        if self._model is None:
            from ..report import build_report_model
            self._model = build_report_model(result.data, self.case, base_dir=self.base_dir, lang=self.lang,
                                             edition=self.edition)
        return self._model

    @property
    def render_kw(self) -> dict:
        return {"use_sources": self.use_sources, **({"map_dpi": self.map_dpi} if self.map_dpi else {})}


@dataclass(frozen=True)
class Output:
    format: str
    suffixes: tuple[str, ...]
    label: str
    write: Callable[[CheckResult, Path, OutputContext], None]
    opens_temp: bool = False  # the writer opens the temporary file it is given (see atomic_output(created=))


def _json(result: CheckResult, tmp: Path, ctx: OutputContext) -> None:
    validate_result(result.data)  # a result that breaks its own schema is never written
    tmp.write_text(result_json(result.data), encoding="utf-8")


def result_json(data: dict) -> str:
    """The result as the JSON text every front end writes (byte-identical for the same data)."""
    return dumps_indented(data)  # json.dumps(data, ensure_ascii=False, indent=1), faster


def _gpkg(result: CheckResult, tmp: Path, ctx: OutputContext) -> None:
    from ..exports import write_pieces_gpkg
    write_pieces_gpkg(result, tmp)


def _pdf(result: CheckResult, tmp: Path, ctx: OutputContext) -> None:
    from ..report.pdf import write_pdf
    write_pdf(ctx.report_model(result), tmp, **ctx.render_kw)


def _docx(result: CheckResult, tmp: Path, ctx: OutputContext) -> None:
    from ..report.docx import write_docx
    write_docx(ctx.report_model(result), tmp, **ctx.render_kw)


def _xlsx(result: CheckResult, tmp: Path, ctx: OutputContext) -> None:
    from ..report.xlsx import write_xlsx
    write_xlsx(ctx.report_model(result), tmp)


def _png(result: CheckResult, tmp: Path, ctx: OutputContext) -> None:
    from ..maps import location_map, map_context, save_map
    fig = location_map(map_context(result.data, base_dir=ctx.base_dir, use_sources=ctx.use_sources), title=None)
    save_map(fig, tmp, dpi=ctx.map_dpi or 200)


OUTPUTS: dict[str, Output] = {o.format: o for o in (
    Output("json", (".json",), "JSON", _json, opens_temp=True),
    Output("gpkg", (".gpkg",), "GeoPackage", _gpkg),
    Output("pdf", (".pdf",), "PDF", _pdf),
    Output("docx", (".docx",), "Word", _docx),
    Output("xlsx", (".xlsx",), "Excel", _xlsx),
    Output("png", (".png",), "PNG", _png),
)}


def _is_input(p: Path, result: CheckResult) -> bool:
    """Whether ``p`` is (resolves to the same path as) one of the result's input files."""
    real = p.resolve()
    for x in result.data.get("inputs", []):
        try:
            q = Path(x["path"])
            # only a path with the same last name, or one whose last part is a link (or ..), can resolve to
            # ``real``: the others are not resolved (a batch writes 10,000 files with a dozen inputs each)
            if (q.name == real.name or q.name in ("", ".", "..") or q.is_symlink()) and q.resolve() == real:
                return True
        except (KeyError, OSError, TypeError):
            continue
    return False


def check_target(fmt: str, path: str | Path, result: CheckResult | None = None) -> Path:
    """The output path if it suits the format and is not a folder or one of the inputs."""
    out = OUTPUTS.get(fmt)
    if out is None:
        raise InputError("output.unknown_format", format=fmt)
    p = Path(path)
    if p.suffix.lower() not in out.suffixes:
        raise InputError("output.wrong_suffix", path=p, suffix=" / ".join(out.suffixes), label=out.label)
    if p.is_dir():
        raise InputError("output.is_folder", path=p)
    if result is not None and _is_input(p, result):
        raise InputError("output.is_input", path=p)
    return p


def write_output(fmt: str, result: CheckResult, path: str | Path, ctx: OutputContext | None = None, *,
                 sweep: bool = True) -> Path:
    """Write one output atomically; returns its path (``sweep``: see ``core.files.atomic_output``)."""
    return _write_checked(fmt, result, check_target(fmt, path, result), ctx, sweep)


def _write_checked(fmt: str, result: CheckResult, p: Path, ctx: OutputContext | None, sweep: bool) -> Path:
    out = OUTPUTS[fmt]
    with atomic_output(p, sweep=sweep, created=out.opens_temp) as tmp:
        out.write(result, tmp, ctx or OutputContext())
    return p


def write_outputs(result: CheckResult, targets: dict[str, str | Path], *, case: dict | None = None,
                  use_sources: bool = True, base_dir: str | None = None, map_dpi: int | None = None,
                  feedback=None, lang: str = "zh", edition: str = "full",
                  sweep: bool = True) -> list[tuple[str, Path]]:
    """Write every ``{format: path}`` target (all targets are checked before the first is written;
    ``sweep=False``: the caller removes killed writers' temporary files, see ``core.files.atomic_output``)."""
    todo = [(fmt, check_target(fmt, path, result)) for fmt, path in targets.items() if path]
    ctx = OutputContext(case=dict(case or {}), use_sources=use_sources, base_dir=base_dir, map_dpi=map_dpi,
                        lang=lang, edition=edition)
    done = []
    for i, (fmt, p) in enumerate(todo):
        if feedback is not None:
            feedback.check_cancelled()
            feedback.set_progress(i / len(todo), OUTPUTS[fmt].label)
        done.append((fmt, _write_checked(fmt, result, p, ctx, sweep)))  # checked above, once
    if feedback is not None:
        feedback.set_progress(1.0, "done")
    return done
