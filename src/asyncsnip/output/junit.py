"""`check --junit-xml`: the results as the JUnit XML that CI systems read.

The shape is the one pytest writes and GitHub, GitLab and Jenkins read (Jenkins' JUnit
schema): `<testsuites>` holding one `<testsuite>` per Python, one `<testcase>` per snippet,
whose `classname` names the Python; a `<failure>` (with the diff, or the end of stderr) for
failed, mismatch and timeout, `<skipped>` for skipped; the snippet's stdout and stderr in
`<system-out>` and `<system-err>`. Characters XML cannot hold are shown as escapes.
"""

from __future__ import annotations

import re
import socket
import time
from collections.abc import Sequence
from xml.etree import ElementTree as ET

from asyncsnip.engine.result import Result, Status

# XML 1.0 allows tab, newline, carriage return and everything from U+0020 except these.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_FAILURES = (Status.FAILED, Status.MISMATCH, Status.TIMEOUT)


def xml_text(text: str) -> str:
    return _NOT_XML.sub(lambda m: f"\\x{ord(m[0]):02x}", text)


def document(results: Sequence[Result], took: float, sources: dict[str, str]) -> bytes:
    """The XML file; `sources` maps snippet ids to the catalog file each came from."""
    root = ET.Element("testsuites", name="asyncsnip check")
    pythons = list(dict.fromkeys(result.python for result in results))
    for python in pythons:
        chosen = [r for r in results if r.python == python]
        root.append(_suite(python, chosen, sources))
    _counts(root, results)
    root.set("time", _seconds(took))
    ET.indent(root)
    data: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return data + b"\n"


def _suite(python: str, results: list[Result], sources: dict[str, str]) -> ET.Element:
    suite = ET.Element("testsuite", name=f"asyncsnip check (Python {xml_text(python)})")
    _counts(suite, results)
    suite.set("skipped", str(sum(r.status == Status.SKIPPED for r in results)))
    suite.set("time", _seconds(sum(r.duration_s for r in results)))
    suite.set("timestamp", time.strftime("%Y-%m-%dT%H:%M:%S"))
    suite.set("hostname", xml_text(socket.gethostname()))
    properties = ET.SubElement(suite, "properties")
    ET.SubElement(properties, "property", name="python", value=xml_text(python))
    classname = "asyncsnip.python" + python.split(" ", 1)[0].replace(".", "_")
    for result in results:
        suite.append(_case(result, classname, sources.get(result.id, "")))
    return suite


def _case(result: Result, classname: str, source: str) -> ET.Element:
    case = ET.Element("testcase", classname=classname, name=xml_text(result.id))
    case.set("time", _seconds(result.duration_s))
    if result.status in _FAILURES:
        message = result.reason or str(result.status)
        failure = ET.SubElement(case, "failure", type=str(result.status), message=xml_text(message))
        failure.text = xml_text(_evidence(result, source))
    elif result.status == Status.SKIPPED:
        ET.SubElement(case, "skipped", type="skipped", message=xml_text(result.reason or ""))
    if result.stdout:
        ET.SubElement(case, "system-out").text = xml_text(result.stdout)
    if result.stderr:
        ET.SubElement(case, "system-err").text = xml_text(result.stderr)
    return case


def _evidence(result: Result, source: str) -> str:
    """What a reader of the CI page needs: where the snippet is, then the diff or stderr."""
    where = f"snippet '{result.id}' from {source}\n" if source else ""
    if result.diff:
        return where + result.diff
    return where + "\n".join(result.stderr.rstrip("\n").splitlines()[-30:])


def _counts(element: ET.Element, results: Sequence[Result]) -> None:
    element.set("tests", str(len(results)))
    element.set("failures", str(sum(r.status in _FAILURES for r in results)))
    element.set("errors", "0")


def _seconds(value: float) -> str:
    return f"{value:.3f}"
