"""Department names: when two spellings are the same department.

Published pages write one department's name in several ways over the years: typographic
or straight apostrophes, "&" or "and", with or without commas or a leading "The". Such
differences never make another department; they are read as the same one, with a warning
so that the file or the config can be put right.
"""

from __future__ import annotations

import difflib
import re
import unicodedata

_APOSTROPHES = re.compile("[’‘`´]")
_NOT_A_WORD = re.compile(r"[^\w]+")


def name_key(name: str) -> str:
    """The name with the differences that do not make another department folded away."""
    text = _APOSTROPHES.sub("'", unicodedata.normalize("NFKC", name)).casefold()
    text = text.replace("&", " and ").replace("'s ", "s ").replace("'", "")
    words = _NOT_A_WORD.sub(" ", text).split()
    if words[:1] == ["the"]:
        words = words[1:]
    return " ".join(words)


def same_department(first: str, second: str) -> bool:
    return name_key(first) == name_key(second)


def closest(name: str, names: list[str]) -> str | None:
    """The listed name a mistyped one most likely meant, if any is close."""
    guess = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
    return guess[0] if guess else None


def slugify(text: str) -> str:
    """A lowercase ASCII identifier for anchors: "Her Majesty’s Treasury" → "her-majestys-treasury"."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    ascii_text = re.sub(r"['’]", "", ascii_text.lower())
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-") or "untitled"
