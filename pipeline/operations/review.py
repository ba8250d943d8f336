"""Review before publication: what the reviewer is shown, and what they decide.

A build with review renders and checks everything, stages the files, and waits for a
second person (GOV.UK's publisher works the same way: draft, review, publish). Plain
values here; `flows.py` asks the question with Prefect's pause and typed run input.
"""

from __future__ import annotations

import datetime
import getpass
import hashlib
import io
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from pipeline.model.document import Department, Report
from pipeline.operations.status import counted_errors
from pipeline.records import CycleStatus, Decision, TextFingerprint, WithoutReview
from pipeline.submission.text import Block, BulletList, Notice, Paragraph, plain_text

# A problem list longer than this is summarised; status.md has them all.
PROBLEMS_SHOWN = 20


@dataclass(frozen=True)
class TextChange:
    """A department whose text differs from the last published build."""

    department: str
    words_before: int | None  # None: not in the last published build
    words_now: int


@dataclass(frozen=True)
class Draft:
    """What the reviewer looks at: the staged files and what they say about the build."""

    cycle: str
    title: str
    folder: Path
    publication: Path  # what an approval replaces
    files: dict[str, int]  # name → bytes
    status: CycleStatus
    pages: int | None
    previously_published: bool  # False: this cycle's first build
    changes: tuple[TextChange, ...]
    # Every file the approved publication's, byte for byte: nothing staged, and no reviewer asked.
    unchanged: bool = False


def decided(approved: bool, reviewer: str, comment: str) -> Decision:
    """A reviewer's answer, given now."""
    return Decision(approved, reviewer.strip(), comment.strip(), _now())


def without_review(reason: str) -> WithoutReview:
    """A coordinator's word, given now by this process's user, that a build is published without a reviewer."""
    return WithoutReview(getpass.getuser(), _now(), reason.strip())


def unanswered(timeout_seconds: int) -> Decision:
    """No answer within `timeout_seconds`."""
    waited = datetime.timedelta(seconds=timeout_seconds)
    return Decision(False, "", f"no reviewer answered within {_duration(waited)}", _now())


def text_fingerprints(report: Report) -> dict[str, TextFingerprint]:
    """Each department's words, counted and hashed, so a later build can tell whose text changed."""
    fingerprints = {}
    for department in report.departments:
        text = _department_text(department)
        fingerprints[department.name] = TextFingerprint(len(text.split()), hashlib.sha256(text.encode()).hexdigest())
    return fingerprints


def text_changes(
    previous: Mapping[str, TextFingerprint] | None, current: Mapping[str, TextFingerprint]
) -> list[TextChange]:
    """Departments whose text is new or differs from the previous build's, in report order."""
    previous = previous or {}
    changes = []
    for name, now in current.items():
        before = previous.get(name)
        if before is None or before.sha256 != now.sha256:
            changes.append(TextChange(name, before.words if before else None, now.words))
    return changes


def page_count(pdf: bytes) -> int:
    import pypdf

    return len(pypdf.PdfReader(io.BytesIO(pdf)).pages)


def _problem_lines(status: CycleStatus) -> list[str]:
    problems = status.problems
    if not problems:
        return ["None."]
    lines = [f"{counted_errors(status.errors, status.warnings)}.", ""]
    for problem in problems[:PROBLEMS_SHOWN]:
        where = f"{problem.file} line {problem.line}"
        lines.append(f"- **{problem.severity.value}** {_text(where)}: {_text(problem.message)}")
    if len(problems) > PROBLEMS_SHOWN:
        lines.append(f"- … and {len(problems) - PROBLEMS_SHOWN} more: see status.md")
    return lines


def _change_lines(draft: Draft) -> list[str]:
    if not draft.previously_published:
        return ["Nothing of this cycle has been published yet: every department's text is new."]
    if not draft.changes:
        return ["No department's text changed."]
    lines = ["| Department | Words before | Words now |", "| --- | ---: | ---: |"]
    for change in draft.changes:
        before = "new" if change.words_before is None else f"{change.words_before:,}"
        lines.append(f"| {_text(change.department)} | {before} | {change.words_now:,} |")
    return lines


def markdown(draft: Draft, *, form: bool = False, outcome: str | None = None) -> str:
    """The review artifact: enough to decide without opening anything, and where the files are;
    with `form`, the shorter text shown above the reviewer's form; with `outcome` (how the review
    ended), its last version, which no longer asks for a decision."""
    status = draft.status
    missing, invalid = status.missing, status.invalid
    waiting = (
        f"Cycle **{draft.cycle}** is built and waiting for your review. Nothing is published until you approve it."
    )
    lines = [
        f"# Review: {_text(draft.title)}",
        "",
        waiting if outcome is None else f"Cycle **{draft.cycle}** was reviewed. {outcome}",
        "",
        # The form shows its text in a box of fixed height: what matters most first.
        *([f"Files: {_file_list(draft)}, staged in {draft.folder}", "", _choices(draft), ""] if form else []),
        "## Departments",
        "",
        f"- {status.expected} expected, {status.submitted} answered, {status.valid} valid, {len(missing)} missing",
    ]
    if missing:
        lines.append(f"- Missing: {_text(', '.join(missing))}")
    if invalid:
        lines.append(f"- Answered, but the file has errors (shown as not received): {_text(', '.join(invalid))}")
    lines += ["", "## Problems", "", *_problem_lines(status)]
    lines += ["", "## What changed since the last published build", "", *_change_lines(draft)]
    if form:  # above the form, which says itself what to fill in
        return "\n".join(lines) + "\n"
    staged = "Were staged in" if outcome is not None else "Staged in"
    lines += ["", "## Files", "", f"{staged} `{draft.folder}`:", ""]
    for name, size in sorted(draft.files.items()):
        pages = f", {draft.pages} pages" if name.endswith(".pdf") and draft.pages is not None else ""
        lines.append(f"- `{name}`: {size:,} bytes{pages}")
    if outcome is not None:
        return "\n".join(lines) + "\n"
    lines += [
        "",
        "## Decide",
        "",
        "Choose **Resume** on this flow run and fill in the form: your *decision* (approve or reject: nothing is "
        "chosen for you), your name as *reviewer*, and a *comment*, which is required to reject.",
        "",
        _choices(draft),
    ]
    return "\n".join(lines) + "\n"


def _choices(draft: Draft) -> str:
    """What each answer does, said where the reviewer chooses."""
    replaces = (
        "replacing the build published now, which moves to its history/"
        if draft.previously_published
        else "its first publication"
    )
    return (
        f"**approve** publishes these files to {draft.publication}, {replaces}. "
        f"**reject** publishes nothing: the published build stays as it is, and your reason goes in status.md."
    )


def _file_list(draft: Draft) -> str:
    return ", ".join(
        name + (f" ({draft.pages} pages)" if name.endswith(".pdf") and draft.pages is not None else "")
        for name in sorted(draft.files)
    )


def _department_text(department: Department) -> str:
    parts = [department.name]
    if department.notice:
        parts.append(_block_text(department.notice))
    for section in department.sections:
        parts.append(section.heading)
        parts += [_block_text(block) for block in section.blocks]
    return "\n".join(parts)


def _block_text(block: Block) -> str:
    if isinstance(block, Paragraph):
        return plain_text(block.inlines)
    if isinstance(block, BulletList):
        return "\n".join(plain_text(item) for item in block.items)
    assert isinstance(block, Notice)
    return block.text + (f"\n{block.detail}" if block.detail else "")


def _text(text: str) -> str:
    """Submission-supplied text shown in Markdown: no markup of its own, on one line."""
    escaped = "".join(f"\\{character}" if character in "\\`*_[]<>|#" else character for character in text)
    return " ".join(escaped.split())


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).replace(microsecond=0).isoformat()


def _duration(length: datetime.timedelta) -> str:
    if length.days and not length.seconds:
        return f"{length.days} day{'s' if length.days != 1 else ''}"
    seconds = int(length.total_seconds())
    if seconds % 3600 == 0:
        return f"{seconds // 3600} hour{'s' if seconds != 3600 else ''}"
    return f"{seconds} seconds"
