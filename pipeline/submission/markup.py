"""Parse section text, a small Markdown subset, into model blocks.

The subset: paragraphs separated by a blank line, "- " bullet lists,
[text](https://…) links, *emphasis* and **strong**. Images are refused; everything
else, raw HTML included, stays literal text. markdown-it-py does the parsing (CommonMark
compliant); we only walk its tokens.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from markdown_it import MarkdownIt
from markdown_it.token import Token

from pipeline.errors import Severity
from pipeline.submission.text import Block, BulletList, Emphasis, Inline, Link, Paragraph, Text, plain_text

ALLOWED_LINK_SCHEMES = ("https", "http", "mailto")
# Link texts that make no sense read out of context, as screen reader users often hear them.
VAGUE_LINK_TEXTS = {"read more", "more", "click here", "here", "this link", "link", "this page", "find out more"}

_markdown = MarkdownIt("zero", {"html": False, "linkify": False, "typographer": False})
_markdown.enable(["list", "link", "image", "emphasis", "escape", "newline"])
# Accept every link here so that a disallowed one is reported, not silently left as text.
_markdown.validateLink = lambda url: True  # type: ignore[method-assign]


@dataclass(frozen=True)
class MarkupProblem:
    line_offset: int  # 0-based line within the text
    message: str
    hint: str
    severity: Severity = Severity.ERROR


def parse_markup(text: str) -> tuple[tuple[Block, ...], list[MarkupProblem]]:
    tokens = _markdown.parse(text)
    parser = _BlockParser(tokens)
    return parser.blocks(), parser.problems


class _BlockParser:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.problems: list[MarkupProblem] = []

    def blocks(self) -> tuple[Block, ...]:
        blocks: list[Block] = []
        index = 0
        while index < len(self.tokens):
            token = self.tokens[index]
            if token.type == "paragraph_open":
                blocks.append(Paragraph(self._inlines(self.tokens[index + 1])))
                index += 3
            elif token.type in ("bullet_list_open", "ordered_list_open"):
                index = self._list(index, blocks)
            else:
                index += 1
        return tuple(blocks)

    def _list(self, start: int, blocks: list[Block]) -> int:
        items: list[tuple[Inline, ...]] = []
        depth = 0
        index = start
        while True:
            token = self.tokens[index]
            if token.type in ("bullet_list_open", "ordered_list_open"):
                depth += 1
                if token.type == "ordered_list_open" or depth > 1:
                    self._problem(
                        token,
                        "numbered and nested lists are not supported",
                        'start each item at the left margin with "- "',
                    )
            elif token.type in ("bullet_list_close", "ordered_list_close"):
                depth -= 1
                if depth == 0:
                    if len(items) == 1:
                        self._problem(
                            self.tokens[start],
                            "a bullet list with only one item",
                            "write it as a sentence, or add the other items",
                            Severity.WARNING,
                        )
                    blocks.append(BulletList(tuple(items)))
                    return index + 1
            elif token.type == "inline":
                items.append(self._inlines(token))
            index += 1

    def _inlines(self, token: Token) -> tuple[Inline, ...]:
        inlines, _ = self._children(token.children or [], 0, None, token)
        return inlines

    def _children(
        self, children: list[Token], index: int, closing: str | None, block: Token
    ) -> tuple[tuple[Inline, ...], int]:
        result: list[Inline] = []
        while index < len(children):
            child = children[index]
            if child.type == closing:
                return _merge_text(result), index + 1
            if child.type == "text":
                result.append(Text(child.content))
            elif child.type in ("softbreak", "hardbreak"):
                result.append(Text(" "))
            elif child.type in ("em_open", "strong_open"):
                inner, index = self._children(children, index + 1, child.type.replace("_open", "_close"), block)
                result.append(Emphasis(inner, strong=child.type == "strong_open"))
                continue
            elif child.type == "image":
                self._problem(
                    block,
                    "images are not allowed",
                    "describe it in words, or link to it: [description](https://…)",
                )
                result.append(Text(child.content))
            elif child.type == "link_open":
                href = str(child.attrs.get("href", ""))
                inner, index = self._children(children, index + 1, "link_close", block)
                if link_allowed(href):
                    if plain_text(inner).strip().lower().rstrip(" »>.") in VAGUE_LINK_TEXTS:
                        self._problem(
                            block,
                            f'link text "{plain_text(inner)}" does not say where it goes',
                            "name what it links to, e.g. [the department's digital strategy](https://…)",
                            Severity.WARNING,
                        )
                    if href.lower().startswith("http:"):
                        self._problem(
                            block,
                            f'link to "{href}" is not secure (http)',
                            "use the https:// address if the site has one",
                            Severity.WARNING,
                        )
                    result.append(Link(href, inner))
                else:
                    self._problem(
                        block,
                        f'link to "{href}" is not allowed',
                        "links must start with https://, http:// or mailto:",
                    )
                    result.extend(inner)
                continue
            index += 1
        return _merge_text(result), index

    def _problem(self, token: Token, message: str, hint: str, severity: Severity = Severity.ERROR) -> None:
        line = token.map[0] if token.map else 0
        self.problems.append(MarkupProblem(line, message, hint, severity))


def link_allowed(href: str) -> bool:
    """Whether a link's address is one the pipeline publishes: https, http or mailto, to somewhere."""
    scheme = urlsplit(href).scheme.lower()
    if scheme not in ALLOWED_LINK_SCHEMES:
        return False
    return scheme == "mailto" or bool(urlsplit(href).netloc)


def _merge_text(inlines: list[Inline]) -> tuple[Inline, ...]:
    merged: list[Inline] = []
    for inline in inlines:
        if isinstance(inline, Text) and merged and isinstance(merged[-1], Text):
            merged[-1] = Text(merged[-1].text + inline.text)
        else:
            merged.append(inline)
    return tuple(merged)
