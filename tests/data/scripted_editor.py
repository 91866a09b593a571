"""A scripted editor for tests: each run does the next step of $EDITOR_STEPS to the file.

$EDITOR_STEPS is a JSON list; run N does step N (the last one again after that):
{"replace": [OLD, NEW]} edits the text, {"write": TEXT} replaces it, {"keep": true} saves it
unchanged, {"exit": CODE} exits with CODE without saving. Each run appends the text it was
given to $EDITOR_LOG (JSON lines), so a test can see what the editor was shown.
"""

import json
import os
import sys
from pathlib import Path

path = Path(sys.argv[-1])
steps = json.loads(os.environ["EDITOR_STEPS"])
log = Path(os.environ["EDITOR_LOG"])
runs = len(log.read_text(encoding="utf-8").splitlines()) if log.exists() else 0
text = path.read_text(encoding="utf-8")
with log.open("a", encoding="utf-8") as out:
    out.write(json.dumps({"file": str(path), "text": text}) + "\n")
step = steps[min(runs, len(steps) - 1)]
if "exit" in step:
    sys.exit(step["exit"])
if "replace" in step:
    old, new = step["replace"]
    assert old in text, f"{old!r} is not in the edited text"
    text = text.replace(old, new, 1)
if "write" in step:
    text = step["write"]
path.write_text(text, encoding="utf-8")
