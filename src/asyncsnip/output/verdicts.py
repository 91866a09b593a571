"""What `import` found in a cheat sheet, block by block: the verdicts, as text and JSON.

A verdict says what a plain run of the block shows: it does not compile; it was skipped
(a module it imports is missing); it failed or timed out; it ran and printed what the sheet
claims (`matches`), something else (`differs`), or the sheet claims nothing (`ran`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from asyncsnip.catalog.sheet import Block
from asyncsnip.engine.result import Result, Status
from asyncsnip.safe import one_line, visible


class Row(NamedTuple):
    block: Block
    result: Result | None  # None: it did not compile, or was not run

    @property
    def verdict(self) -> str:
        if not self.block.compiled:
            return "does not compile"
        if self.result is None:
            return "not run"
        status = self.result.status
        if status == Status.PASSED:
            return "matches" if self.block.output is not None else "ran"
        if status == Status.MISMATCH:
            return "differs"
        return str(status)

    @property
    def why(self) -> str:
        """The reason for the verdict, on one line."""
        if not self.block.compiled:
            return self.block.problem or ""
        result = self.result
        if result is None:
            return ""
        if result.status == Status.FAILED:
            last = [line for line in result.stderr.splitlines() if line.strip()][-1:]
            return "; ".join([result.reason or "", *last])
        if result.status == Status.MISMATCH:
            return "the output differs from the sheet's (diff below)"
        if result.status == Status.PASSED:
            return self.block.fragment or ""
        return result.reason or ""


class Report(NamedTuple):
    sheet: str
    rows: list[Row]
    duration_s: float

    def summary(self) -> dict[str, int]:
        rows = self.rows
        verdicts = [row.verdict for row in rows]
        counts = {
            "found": len(rows),
            "compiled": sum(row.block.compiled for row in rows),
            "ran": sum(v in ("matches", "differs", "ran") for v in verdicts),
            "claimed": sum(row.block.output is not None for row in rows),
            "matched": verdicts.count("matches"),
            "differ": verdicts.count("differs"),
            "failed": verdicts.count("failed"),
            "timeout": verdicts.count("timeout"),
            "skipped": verdicts.count("skipped"),
            "not_compiled": verdicts.count("does not compile"),
            "fragments": sum(bool(row.block.fragment) for row in rows),
        }
        return counts

    def holds(self) -> bool:
        """Every block compiled and ran, and printed what the sheet claims (skips aside)."""
        return all(row.verdict in ("matches", "ran", "skipped") for row in self.rows)


def report(sheet: str, blocks: Sequence[Block], results: Sequence[Result], took: float) -> Report:
    by_id = {result.id: result for result in results}
    return Report(sheet, [Row(block, by_id.get(block.id)) for block in blocks], took)


def headline(rep: Report) -> str:
    c = rep.summary()
    claims = f"{c['matched']} of {c['claimed']} claimed outputs hold" if c["claimed"] else ""
    parts = [f"{c['found']} blocks found", f"{c['compiled']} compiled", f"{c['ran']} ran"]
    parts += [claims] * bool(claims)
    extra = [f"{c[k]} {k.replace('_', ' ')}" for k in ("differ", "failed", "timeout") if c[k]]
    extra += [f"{c['skipped']} skipped"] * bool(c["skipped"])
    return f"{one_line(rep.sheet)}: " + ", ".join(parts + extra)


def table_rows(rep: Report) -> list[list[str]]:
    """line, id, verdict, why: one row per block."""
    return [[str(r.block.line), r.block.id, r.verdict, one_line(r.why)] for r in rep.rows]


def details(rep: Report) -> list[str]:
    """The evidence: each block that does not hold, with its diff or the end of its stderr;
    then the fragments."""
    lines: list[str] = []
    for row in rep.rows:
        result = row.result
        if row.verdict == "differs" and result is not None:
            lines += ["", f"--- {row.block.id} (line {row.block.line}): differs", _diff(result)]
        elif row.verdict in ("failed", "timeout") and result is not None:
            lines += ["", f"--- {row.block.id} (line {row.block.line}): {row.verdict}"]
            lines += [visible(line) for line in result.stderr.rstrip("\n").splitlines()[-8:]]
    fragments = [row for row in rep.rows if row.block.fragment]
    if fragments:
        lines += ["", "Not whole programs:"]
        lines += [f"  line {r.block.line}  {r.block.id}: {r.block.fragment}" for r in fragments]
    return lines


def _diff(result: Result) -> str:
    return visible((result.diff or "").rstrip("\n"))


def plain(rep: Report) -> str:
    rows = table_rows(rep)
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(HEADER[:3])]
    lines = ["  ".join(h.ljust(w) for h, w in zip(HEADER[:3], widths, strict=True)) + "  why"]
    for row in rows:
        cells = [row[0].rjust(widths[0]), row[1].ljust(widths[1]), row[2].ljust(widths[2])]
        lines.append(("  ".join(cells) + "  " + row[3]).rstrip())
    return "\n".join([*lines, *details(rep), "", headline(rep)]) + "\n"


HEADER = ("line", "block", "verdict", "why")


def to_json(rep: Report) -> dict[str, Any]:
    return {
        "sheet": rep.sheet,
        "blocks": [_row_json(row) for row in rep.rows],
        "summary": rep.summary(),
        "duration_s": rep.duration_s,
    }


def _row_json(row: Row) -> dict[str, Any]:
    block, result = row.block, row.result
    data: dict[str, Any] = {
        "id": block.id, "line": block.line, "title": block.title, "style": block.style,
        "verdict": row.verdict, "compiled": block.compiled, "problem": block.problem,
        "fragment": block.fragment, "expected": block.output, "expected_from": block.output_from,
        "code": block.code,
    }  # fmt: skip
    run = result.to_dict() if result is not None else {}
    for key in ("status", "exit_code", "stdout", "stderr", "duration_s", "python", "reason"):
        data[key] = run.get(key)
    data["diff"] = run.get("diff")
    return data
