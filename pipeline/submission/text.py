"""A section's text as the pipeline reads it: blocks (paragraphs, bullet lists, the pipeline's
own notices) of inlines (text, emphasis, links). Plain frozen values: `markup` makes them from
what a department wrote, the checks judge them, and the document model carries them to every
renderer."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Emphasis:
    children: tuple[Inline, ...]
    strong: bool = False


@dataclass(frozen=True)
class Link:
    href: str
    children: tuple[Inline, ...]


Inline = Text | Emphasis | Link


@dataclass(frozen=True)
class Paragraph:
    inlines: tuple[Inline, ...]


@dataclass(frozen=True)
class BulletList:
    items: tuple[tuple[Inline, ...], ...]


@dataclass(frozen=True)
class Notice:
    """A statement the pipeline makes, not the department: a section that does not
    apply, or a response that was not received. Renderers set it apart."""

    text: str
    detail: str | None = None


Block = Paragraph | BulletList | Notice


def plain_text(inlines: tuple[Inline, ...]) -> str:
    """The text of some inlines without markup, e.g. for comparing with a source."""
    parts = []
    for inline in inlines:
        parts.append(inline.text if isinstance(inline, Text) else plain_text(inline.children))
    return "".join(parts)
