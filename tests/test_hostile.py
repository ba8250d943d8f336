"""The hostile corpus (tests/fixtures/hostile/, made by make_corpus.py): every broken or
malicious submission gets a clear error or renders correctly, within bounded time and
memory, and never costs the other departments their place in the report."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import docx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.check.validate import check_config, check_cycle, check_submission
from pipeline.model.assemble import build_report
from pipeline.read.source import read_cycle
from pipeline.read.yaml_file import SourceFile, load_yaml
from pipeline.render.docx import render_docx
from pipeline.render.html import render_html
from pipeline.render.pdf import render_pdf
from tests.builders import submission, write_cycle
from tests.checkers import libreoffice_to_pdf, pdftotext_pages
from tests.paths import PROJECT

HOSTILE = PROJECT / "tests" / "fixtures" / "hostile"
SECONDS_PER_FILE = 5.0
BYTES_PER_FILE = 256 * 1024**2

# Each case's problems as "line:column severity: field: message"; [] means it renders.
EXPECTED = {
    "alias--billion-laughs": ["1:20 error: e.0.2…: too deeply nested or too many repeated (aliased) values"],
    "alias--merge-key": [
        "2:1 error: : merge keys (<<) are not allowed",
        "1:1 error: base: unknown key",
        '1:1 error: commitments: section "Departmental digital strategy commitments (December 2012)" is missing',
    ],
    "alias--self-reference": ["1:14 error: commitments.0: too deeply nested or too many repeated (aliased) values"],
    "alias--text-reused": [],
    "binary--latin-1": ["3:24 error: : byte 0xe9 is not valid UTF-8"],
    "binary--nul-in-text": ["3:10 error: commitments: a NUL character (U+0000): an invisible control character"],
    "binary--png-header": ["1:1 error: : byte 0x89 is not valid UTF-8"],
    "binary--random-bytes": ["2:118 error: : byte 0x80 is not valid UTF-8"],
    "binary--utf-16": ["1:1 error: : file is saved as UTF-16, not UTF-8"],
    "duplicate--top-level-key": ["9:1 error: commitments: key appears twice (first on line 2)"],
    "duplicate--year-in-quotes": ['8:3 error: plans.2014: the year "2014" is in quotes'],
    "duplicate--year": ["8:3 error: plans.2014: key appears twice (first on line 7)"],
    # Escapes in a quoted string are judged on the characters they decode to, each said at its escape.
    "escaped--backslash-only": [],
    "escaped--c1-control": [
        "2:19 error: commitments: a next-line character (U+0085), written as the escape \\N: an invisible control character",
        "2:30 error: commitments: a control character (U+009B), written as the escape \\x9b: an invisible control character",
    ],
    "escaped--escape-character": [
        "2:22 error: commitments: an escape character (U+001B), written as the escape \\x1b: an invisible control character",
        "2:33 error: commitments: an escape character (U+001B), written as the escape \\e: an invisible control character",
    ],
    "escaped--isolate": [
        "2:19 error: commitments: a right-to-left isolate (U+2067), written as the escape \\u2067, which makes text display in a different order from how it reads",
        "2:30 error: commitments: a pop directional isolate (U+2069), written as the escape \\u2069, which makes text display in a different order from how it reads",
    ],
    "escaped--line-separator": [
        "2:18 error: commitments: a line separator (U+2028), written as the escape \\L, which some programs show as a new line and others do not show at all",
        "2:29 error: commitments: a paragraph separator (U+2029), written as the escape \\u2029, which some programs show as a new line and others do not show at all",
    ],
    "escaped--nul": [
        "2:22 error: commitments: a NUL character (U+0000), written as the escape \\0: an invisible control character"
    ],
    "escaped--right-to-left-override": [
        "2:28 error: commitments: a right-to-left override (U+202E), written as the escape \\u202E, which makes text display in a different order from how it reads",
        "2:41 error: commitments: a pop directional formatting (U+202C), written as the escape \\u202C, which makes text display in a different order from how it reads",
    ],
    "injection--css": [],
    "injection--data-link": ['3:1 error: commitments: link to "data:text/html;base64,PHNjcmlwdD4=" is not allowed'],
    "injection--entities": [],
    "injection--file-link": ['3:1 error: commitments: link to "file:///etc/passwd" is not allowed'],
    "injection--image": ["3:1 error: commitments: images are not allowed"],
    "injection--javascript-link": ['3:1 error: commitments: link to "javascript:alert(1)" is not allowed'],
    "injection--raw-html-link": [],
    "injection--script": [],
    "injection--template": [],
    "injection--xml": [],
    "long--line": ["2:14 warning: commitments: section is 6000 words, much longer than the others (typically 4)"],
    "long--section-over-the-limit": [
        "2:14 error: commitments: is 63,999 characters long; the limit is 50,000",
        "2:14 warning: commitments: section is 8000 words, much longer than the others (typically 4)",
    ],
    "long--url": [],
    "long--word": [],
    # libyaml stops at its own limit of 1,000 levels (PyYAML 6.0.4 on), before the loader's of 60.
    "nesting--deep-flow-lists": ["1:1013 error: commitments: too deeply nested or too many repeated (aliased) values"],
    "nesting--deep-mappings": ["52:103 error: k0.k1.k2…: too deeply nested or too many repeated (aliased) values"],
    "shape--department-is-a-list": ["1:13 error: department: must be text, not a list"],
    "shape--key-is-a-list": ["1:3 error: : a key must be a plain word or year"],
    "shape--list-at-top": ["1:1 error: : the file must be a mapping of keys, not a list"],
    "shape--progress-is-a-list": [
        '4:3 error: progress: must hold its years, each on a line of its own below it such as "2014: |", not a list'
    ],
    "shape--section-is-a-mapping": ["3:3 error: commitments.text: unknown key"],
    "shape--section-is-a-number": ["2:14 error: commitments: YAML reads 42 as a number, not as text"],
    "shape--section-is-null": ["2:13 error: commitments: is empty"],
    "shape--text-at-top": ["1:1 error: : the file must be a mapping of keys, not text"],
    "size--over-the-limit": ["1:1 error: : file is 1,103,474 bytes; the limit is 1,048,576"],
    "tag--binary": ["2:14 error: commitments: the tag !!binary is not allowed"],
    "tag--local": ["2:14 error: commitments: the tag !include is not allowed"],
    "tag--python-name": ["2:14 error: commitments: the tag !!python/name:os.system is not allowed"],
    "tag--python-object-apply": ["1:13 error: department: the tag !!python/object/apply:os.system is not allowed"],
    "tag--set": ["2:14 error: commitments: the tag !!set is not allowed"],
    "unicode--bidi-override": [
        "3:7 error: commitments: a right-to-left override (U+202E), which makes text display in a different order from how it reads",
        "3:17 error: commitments: a pop directional formatting (U+202C), which makes text display in a different order from how it reads",
    ],
    "unicode--combining-marks": [],
    "unicode--emoji": [],
    "unicode--line-separator": [
        "3:6 error: commitments: a line separator (U+2028), which some programs show as a new line and others do not show at all"
    ],
    "unicode--no-break-and-soft-hyphen": [],
    "unicode--noncharacter": ["3:20 error: commitments: a noncharacter (U+FFFE), which is not a character of any text"],
    "unicode--private-use": [],
    "unicode--right-to-left-text": [],
    "unicode--zero-width": [],
    "yaml--bad-indentation": ["5:2 error: : YAML syntax error: did not find expected key"],
    "yaml--empty-file": ["1:1 error: : the file is empty"],
    "yaml--only-comments": ["1:1 error: : the file is empty"],
    "yaml--tab-indentation": ["5:1 error: progress.2014: a tab is used for indentation"],
    "yaml--two-documents": ["9:1 error: : the file holds more than one YAML document (a second ---)"],
    "yaml--unclosed-bracket": ["3:9 error: : YAML syntax error: did not find expected ',' or ']'"],
    # Said at the quote, not where the parser gave up (the end of the file).
    "yaml--unterminated-quote": ['2:14 error: commitments: the double quote (") that opens this text is never closed'],
}

# What a renderable case must show, as written, in every format.
SHOWN = {
    "alias--text-reused": "We will do things.",
    "escaped--backslash-only": "A backslash and u202E: \\u202E, as text.",
    "injection--css": "url(file:///etc/passwd) @import 'https://evil.test/x.css';",
    "injection--entities": "&lt;b&gt; &amp; &#60;script&#62; &copy;",
    "injection--raw-html-link": '<a href="javascript:alert(1)">click</a>',
    "injection--script": "<script>alert('x')</script><img src=x onerror=alert(1)>",
    "injection--template": "{{ 7*7 }} {% for x in y %}{%p if 1 %}{{r item }}{# c #}",
    "injection--xml": "</w:t></w:r><w:r><w:t>]]> & <![CDATA[x]]> ' \"",
    "long--line": "digital digital digital",
    "long--url": "the plan",
    "long--word": "x" * 200,
    "unicode--combining-marks": "Ze\u0301\u0308\u0327\u0300\u0301\u0302\u0303\u0304\u0305\u0306 combining.",
    "unicode--emoji": "Digital by default \U0001f1ec\U0001f1e7 \U0001f469\u200d\U0001f4bb.",
    "unicode--no-break-and-soft-hyphen": "Non\u00a0breaking and soft\u00adhyphen and thin\u2009space.",
    "unicode--private-use": "Private \ue000 use.",
    "unicode--right-to-left-text": "Hebrew \u05e9\u05dc\u05d5\u05dd.",
    "unicode--zero-width": "zero\u200bwidth\u200cjoin\u200dword\u2060joiner\ufeffmark.",
}


@pytest.fixture(scope="module")
def outcomes() -> dict[str, dict[str, object]]:
    """Every file checked in a child process with a memory cap and a time limit."""
    result = subprocess.run(
        [sys.executable, str(PROJECT / "tests" / "hostile_probe.py"), str(HOSTILE)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=PROJECT,
        check=True,
    )
    return json.loads(result.stdout)


def test_the_corpus_is_whole() -> None:
    cases = sorted(path.stem for path in HOSTILE.glob("*--*.yaml"))
    assert cases == sorted(EXPECTED) and len(cases) >= 40
    assert {case for case, problems in EXPECTED.items() if not any(" error: " in p for p in problems)} == set(SHOWN)


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_outcome(case: str, outcomes: dict[str, dict[str, object]]) -> None:
    outcome = outcomes[case]
    assert outcome["problems"] == EXPECTED[case]
    assert outcome["seconds"] < SECONDS_PER_FILE
    assert outcome["peak_bytes"] < BYTES_PER_FILE


@pytest.mark.parametrize("case", sorted(SHOWN))
def test_renders_as_written_in_every_format(case: str, tmp_path: Path) -> None:
    folder = write_cycle(tmp_path, {"home.yaml": submission("Home Office", commitments="Home Office text.")})
    (folder / "health.yaml").write_bytes((HOSTILE / f"{case}.yaml").read_bytes())
    checked, _ = check_cycle(read_cycle(folder.parent, folder.name))
    report = build_report(checked)
    expected = SHOWN[case]
    html = render_html(report)
    assert _escaped(expected) in html and "Home Office text." in html
    document = docx.Document(io.BytesIO(render_docx(report)))
    docx_text = "\n".join(paragraph.text for paragraph in document.paragraphs)
    assert expected in docx_text and "Home Office text." in docx_text
    pdf_text = "".join("".join(pdftotext_pages(render_pdf(report))).split())
    assert "HomeOfficetext." in pdf_text
    if not case.startswith(("unicode--", "long--")):  # shaping and line breaks change these in the PDF's text
        assert "".join(expected.split()) in pdf_text


def _escaped(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&#34;").replace("'", "&#39;")
    )


def test_libreoffice_opens_the_document_with_xml_in_its_text(tmp_path: Path) -> None:
    folder = write_cycle(tmp_path, {"home.yaml": submission("Home Office")})
    (folder / "health.yaml").write_bytes((HOSTILE / "injection--xml.yaml").read_bytes())
    checked, _ = check_cycle(read_cycle(folder.parent, folder.name))
    (tmp_path / "report.docx").write_bytes(render_docx(build_report(checked)))
    text = "".join(pdftotext_pages(libreoffice_to_pdf(tmp_path / "report.docx").read_bytes()))
    assert "]]> & <![CDATA[x]]>" in text


def test_every_broken_file_at_once_leaves_the_others_in_the_report(tmp_path: Path) -> None:
    broken = sorted(case for case in EXPECTED if case not in SHOWN)
    folder = write_cycle(tmp_path, {"home.yaml": submission("Home Office", commitments="Home Office text.")})
    for case in broken:
        (folder / f"{case}.yaml").write_bytes((HOSTILE / f"{case}.yaml").read_bytes())
    checked, problems = check_cycle(read_cycle(folder.parent, folder.name))
    report = build_report(checked)
    health, home = report.departments
    assert health.notice is not None and health.notice.text == "No response received."
    assert "Home Office text." in render_html(report)
    assert {problem.file.stem for problem in problems} >= set(broken)


# Whatever bytes arrive, the loader and the checks answer with problems, promptly.
@settings(max_examples=200, deadline=2000, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=2000) | st.text(max_size=500).map(str.encode))
def test_any_bytes_get_an_answer_not_a_traceback(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "fuzz.yaml"
    path.write_bytes(data)
    source = load_yaml(path)
    assert isinstance(source, SourceFile)
    config, _ = check_config(load_yaml(HOSTILE / "report.yaml"))
    _, problems = check_submission(source, config)
    assert all(problem.message for problem in problems)
