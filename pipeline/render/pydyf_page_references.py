"""A patch we carry for pydyf, until it is fixed upstream: docs/upstream/pydyf-page-references.md.

pydyf's `PDF.page_references` builds a new tuple of every page's reference each time it is
read, and WeasyPrint reads it once per tagged structure element and once per bookmark, so
writing a tagged PDF costs elements × pages: about 25 s of a 1,947-page render. While our
PDF render runs, the property keeps its tuple until a page is added; the bytes written are
the same. It is applied only to the pydyf versions checked against it (tests/test_pydyf_patch.py
fails if the property changes), and only for the duration of the render.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pydyf

logger = logging.getLogger(__name__)

CHECKED_VERSIONS = frozenset({"0.13.0"})
# The property as those versions define it; the test compares it with the installed one.
CHECKED_SOURCE = """\
    @property
    def page_references(self):
        return tuple(
            f'{object_number} 0 R'.encode('ascii')
            for object_number in self.pages['Kids'][::3])
"""

_ORIGINAL: property = pydyf.PDF.page_references
_CACHE = "_pipeline_page_references"
_lock = threading.Lock()
_renders = 0
_said_unchecked = False


def _kept_page_references(pdf: Any) -> tuple[bytes, ...]:
    """The original's tuple, made again only when the number of pages has changed."""
    pages = len(pdf.pages["Kids"])
    kept = pdf.__dict__.get(_CACHE)
    if kept is None or kept[0] != pages:
        kept = (pages, _ORIGINAL.fget(pdf))  # type: ignore[misc]
        pdf.__dict__[_CACHE] = kept
    return kept[1]  # type: ignore[no-any-return]


_KEPT = property(_kept_page_references, doc=_ORIGINAL.__doc__)


def applies() -> bool:
    return pydyf.__version__ in CHECKED_VERSIONS


@contextmanager
def kept_page_references() -> Iterator[None]:
    """Patch the property while any PDF render runs (renders may overlap in threads); restore it after the last."""
    global _renders, _said_unchecked
    if not applies():
        if not _said_unchecked:
            _said_unchecked = True
            logger.info(
                "pydyf %s has not been checked against our page_references patch: rendering without it",
                pydyf.__version__,
            )
        yield
        return
    with _lock:
        if _renders == 0:
            pydyf.PDF.page_references = _KEPT
        _renders += 1
    try:
        yield
    finally:
        with _lock:
            _renders -= 1
            if _renders == 0:
                pydyf.PDF.page_references = _ORIGINAL
