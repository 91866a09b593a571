"""How runs are reported: `run`'s verdict on stderr, `check`'s report and progress.

Snippet output quoted in a report (a stderr tail, a diff) goes through `safe.visible`, so a
snippet cannot make asyncsnip's own lines say something else.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from asyncsnip.output import reset, untrusted
from asyncsnip.output.render import console, write
from asyncsnip.output.term import Style
from asyncsnip.safe import visible

if TYPE_CHECKING:
    from rich.console import RenderableType

    from asyncsnip.engine.result import Result


def _cells(values: list[str]) -> list[RenderableType]:
    from rich.text import Text

    return [Text(visible(value)) for value in values]


MARKS = {"passed": "✓", "failed": "✗", "mismatch": "≠", "timeout": "⏱", "skipped": "-"}


def verdict(style: Style, result: Result, hint: str | None = None) -> None:
    """The outcome of `run`, on stderr, so stdout holds exactly the snippet's output."""
    result = untrusted.result(result)
    line = f"{MARKS[result.status]} {result.status}: {result.id} in {result.duration_s:.2f}s"
    line += f" on Python {result.python}"
    reason = [f"  {result.reason}"] if result.reason else []
    diff = result.diff.rstrip("\n") if result.diff else None
    after = [f"  hint: {hint}"] if hint else []
    if not style.decorated:
        sys.stderr.write("\n".join([line, *reason, *([diff] if diff else []), *after]) + "\n")
        return
    from rich.text import Text

    out = console(style, stderr=True)
    out.print(Text(line, style=f"bold {result.status}"))
    for text in reason:
        out.print(Text(text))
    if diff:
        out.print(_diff_text(diff))
    for text in after:
        out.print(Text(text))


def _diff_text(diff: str) -> RenderableType:
    from rich.text import Text

    text = Text()
    for line in diff.splitlines():
        role = {"+": "added", "-": "removed", "@": "hunk"}.get(line[:1], "")
        text.append(visible(line) + "\n", style=role)
    return text


PROBLEMS = ("failed", "mismatch", "timeout")


def check_report(
    style: Style, results: Sequence[Result], counts: dict[str, int], took: float
) -> None:
    """One line per snippet and Python, problems first; the details of every problem; then
    the totals. With several Pythons, each is named by its version."""
    results = [untrusted.result(r) for r in results]
    names = _short_names(results)
    multi = len(names) > 1
    order = sorted(results, key=lambda r: (r.status not in PROBLEMS, r.status == "passed"))
    problems = [r for r in order if r.status in PROBLEMS]
    summary = ", ".join(f"{counts[k]} {k}" for k in counts if k != "total" and counts[k])
    totals = f"{counts['total']} checked in {took:.2f}s: {summary or 'nothing to check'}"
    if not style.decorated:
        lines = [_result_line(r, names[r.python] if multi else None) for r in order]
        for r in problems:
            lines += ["", f"--- {r.id} ({r.python}): {visible(r.reason or '')}", *_evidence(r)]
        write("\n".join([*lines, "", totals]) + "\n")
        return
    from rich.table import Table
    from rich.text import Text

    table = Table(box=None, header_style="heading", pad_edge=False)
    for column in ("status", "id", "time", "python" if multi else "", "reason"):
        if column:
            table.add_column(column, justify="right" if column == "time" else "left")
    for r in order:
        row = [Text(r.status, style=r.status), *_cells([r.id])]
        row.append(Text(f"{r.duration_s:.2f}s"))
        row += _cells(([names[r.python]] if multi else []) + [r.reason or ""])
        table.add_row(*row)
    out = console(style)
    out.print(table)
    for r in problems:
        out.print(Text(visible(f"\n{r.id} ({r.python}): {r.reason}"), style="heading"))
        out.print(_diff_text(r.diff) if r.diff else Text(visible("\n".join(_evidence(r)))))
    out.print(Text(totals, style="heading"))


def _short_names(results: Sequence[Result]) -> dict[str, str]:
    """Each target's label ("3.12.1 (/usr/bin/python3.12)") -> its version alone, unless
    two targets share a version (then the whole label)."""
    labels = list(dict.fromkeys(r.python for r in results))
    versions = [label.split(" ", 1)[0] for label in labels]
    if len(set(versions)) < len(versions):
        return {label: label for label in labels}
    return dict(zip(labels, versions, strict=True))


def _result_line(r: Result, python: str | None) -> str:
    where = f"  [{python}]" if python else ""
    reason = f"  ({visible(r.reason)})" if r.reason and r.status == "skipped" else ""
    return f"{r.status:<8}  {r.id}  {r.duration_s:.2f}s{where}{reason}"


def _evidence(r: Result) -> list[str]:
    """What helps to see why: the diff, or the end of stderr."""
    if r.diff:
        return [visible(r.diff)]
    return [visible(line) for line in r.stderr.rstrip("\n").splitlines()[-15:]]


class Progress:
    """A progress bar on stderr while `check` runs; nothing when stderr is not a terminal."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.bar: Any = None
        if enabled:
            from rich.progress import Progress as Bar

            guarded = reset.Prefixed(sys.stderr)  # snippets may write to the terminal too
            self.bar = Bar(console=console(Style(True, True), True, guarded), transient=True)
            self.task = self.bar.add_task("checking", total=total)
            self.bar.start()

    def advance(self, result: Result) -> None:
        if self.bar is not None:
            self.bar.update(self.task, advance=1, description=f"checking ({result.id})")

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


def import_report(style: Style, report: Any) -> None:
    """`import`'s verdicts: one row per block, the evidence, then the totals."""
    from asyncsnip.output import verdicts

    if not style.decorated:
        write(verdicts.plain(report))
        return
    from rich.table import Table
    from rich.text import Text

    table = Table(box=None, header_style="heading", pad_edge=False)
    for column in verdicts.HEADER:
        table.add_column(column, justify="right" if column == "line" else "left")
    for line, ident, verdict, why in verdicts.table_rows(report):
        role = VERDICT_ROLES.get(verdict, "skipped")
        table.add_row(*_cells([line]), Text(visible(ident), style="id"), Text(verdict, style=role),
                      *_cells([why]))  # fmt: skip
    out = console(style)
    out.print(table)
    for line in verdicts.details(report):
        out.print(_diff_text(line) if line.startswith(("-", "+", "@")) else Text(visible(line)))
    out.print(Text(verdicts.headline(report), style="heading"))


VERDICT_ROLES = {"matches": "passed", "ran": "passed", "differs": "mismatch", "failed": "failed"}
VERDICT_ROLES |= {"timeout": "timeout", "does not compile": "failed"}
