"""Screenshots of asyncsnip in a real terminal (tmux), on a light and a dark background.

Usage: python bench/screenshot.py OUT_DIR [--width 60 --width 120] [-- ARGS...]

Runs `asyncsnip ARGS` (default: show gather-results) in tmux at each width, captures the
pane with its colours (`capture-pane -e`), paints it with the 16-colour palettes of GNOME's
Tango light and dark terminal themes, and has headless Chromium take a PNG of each. The
colours are the terminal's choice, as asyncsnip's default theme intends: the same capture
is shown under both palettes.
"""

from __future__ import annotations

import argparse
import html
import re
import shlex
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

BIN = Path(sys.executable).parent
TANGO = [
    "#2e3436", "#cc0000", "#4e9a06", "#c4a000", "#3465a4", "#75507b", "#06989a", "#d3d7cf",
    "#555753", "#ef2929", "#8ae234", "#fce94f", "#729fcf", "#ad7fa8", "#34e2e2", "#eeeeec",
]  # fmt: skip
BACKGROUNDS = {"light": ("#ffffff", "#2e3436"), "dark": ("#1e1e1e", "#d3d7cf")}
SGR = re.compile(r"\x1b\[([0-9;]*)m")


def capture(args: list[str], width: int) -> str:
    socket = f"shot-{uuid.uuid4().hex[:8]}"
    tmux = ["tmux", "-L", socket]
    env_line = f"PATH={BIN}:/usr/bin:/bin ASYNCSNIP_PAGER= TERM=xterm-256color"
    command = f"{env_line} asyncsnip {shlex.join(args)}; sleep 30"
    subprocess.run([*tmux, "new-session", "-d", "-x", str(width), "-y", "60", command], check=True)
    try:
        time.sleep(3)
        shown = subprocess.run([*tmux, "capture-pane", "-p", "-e"], capture_output=True, text=True)
        return shown.stdout
    finally:
        subprocess.run([*tmux, "kill-server"], capture_output=True)


def to_html(text: str, palette: str, width: int) -> str:
    background, foreground = BACKGROUNDS[palette]
    spans, state = [], {"fg": None, "bold": False, "dim": False, "italic": False}
    position = 0
    for match in SGR.finditer(text):
        spans.append(_span(text[position : match.start()], state, foreground))
        _apply(match[1], state)
        position = match.end()
    spans.append(_span(text[position:], state, foreground))
    body = "".join(spans).rstrip()
    return (
        f"<html><body style='margin:0;background:{background}'>"
        f'<pre style=\'margin:0;padding:8px;font:14px/1.25 "DejaVu Sans Mono",monospace;'
        f"color:{foreground};width:{width}ch'>{body}</pre></body></html>"
    )


def _apply(codes: str, state: dict[str, object]) -> None:
    for code in [int(c) for c in codes.split(";") if c.isdigit()] or [0]:
        if code == 0:
            state.update(fg=None, bold=False, dim=False, italic=False)
        elif code == 1:
            state["bold"] = True
        elif code == 2:
            state["dim"] = True
        elif code == 3:
            state["italic"] = True
        elif code in (22, 23):
            state.update(bold=False, dim=False) if code == 22 else state.update(italic=False)
        elif 30 <= code <= 37 or 90 <= code <= 97:
            state["fg"] = code - 30 if code < 90 else code - 90 + 8
        elif code == 39:
            state["fg"] = None


def _span(chunk: str, state: dict[str, object], foreground: str) -> str:
    if not chunk:
        return ""
    colour = TANGO[state["fg"]] if isinstance(state["fg"], int) else foreground  # type: ignore[index]
    style = f"color:{colour};"
    style += "font-weight:bold;" if state["bold"] else ""
    style += "opacity:.6;" if state["dim"] else ""
    style += "font-style:italic;" if state["italic"] else ""
    return f"<span style='{style}'>{html.escape(chunk)}</span>"


def shoot(page: str, png: Path, width: int) -> None:
    with tempfile.TemporaryDirectory() as profile:
        source = Path(profile) / "page.html"
        source.write_text(page, encoding="utf-8")
        subprocess.run(
            ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={profile}/profile", "--hide-scrollbars",
             f"--window-size={width * 9 + 40},1000", f"--screenshot={png}", source.as_uri()],
            capture_output=True, check=True, timeout=60,
        )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--width", type=int, action="append")
    parser.add_argument("args", nargs="*")
    options = parser.parse_args()
    options.out.mkdir(parents=True, exist_ok=True)
    args = options.args or ["show", "gather-results"]
    for width in options.width or [60, 120]:
        text = capture(args, width)
        for palette in BACKGROUNDS:
            png = options.out / f"{'-'.join(args)}-{width}-{palette}.png"
            shoot(to_html(text, palette, width), png, width)
            print(png)


if __name__ == "__main__":
    main()
