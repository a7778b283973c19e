"""The Markdown subset mailings are written in, turned into the HTML alternative.

Paragraphs (blank lines between), `- ` lists, **bold**, *italic* and [links](https://...).
Everything else is text: escaped, never HTML. Free of Flask and the database."""

from __future__ import annotations

import re
from html import escape

LINK = re.compile(r"\[([^\[\]\n]+)\]\(([^()\s]+)\)")
BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
ITALIC = re.compile(r"\*(?=\S)(.+?)(?<=\S)\*")
SAFE_SCHEMES = ("https://", "http://", "mailto:")
LIST_ITEM = "- "


def render_html(text: str) -> str:
    """The HTML of `text`: one <p> per paragraph, one <ul> per run of `- ` lines."""
    return "\n".join(_block(block) for block in _blocks(text))


def _blocks(text: str) -> list[list[str]]:
    """Runs of lines: a blank line ends one, so does a switch between list and text."""
    blocks: list[list[str]] = []
    previous_kind = None
    for line in text.replace("\r\n", "\n").split("\n"):
        line = line.rstrip()
        kind = None if not line.strip() else line.lstrip().startswith(LIST_ITEM)
        if kind is not None and kind == previous_kind:
            blocks[-1].append(line.strip())
        elif kind is not None:
            blocks.append([line.strip()])
        previous_kind = kind
    return blocks


def _block(lines: list[str]) -> str:
    if lines[0].startswith(LIST_ITEM):
        items = "".join(f"<li>{inline(line[len(LIST_ITEM) :])}</li>" for line in lines)
        return f"<ul>{items}</ul>"
    return f"<p>{'<br>'.join(inline(line) for line in lines)}</p>"


def inline(text: str) -> str:
    """One line's HTML: links first (their address is left as typed), then emphasis."""
    parts, start = [], 0
    for match in LINK.finditer(text):
        parts.append(_emphasis(escape(text[start : match.start()])))
        parts.append(_link(match[1], match[2]) or _emphasis(escape(match[0])))
        start = match.end()
    parts.append(_emphasis(escape(text[start:])))
    return "".join(parts)


def _link(label: str, url: str) -> str | None:
    # javascript:, data: and relative addresses stay text: a mail has no page to be relative to.
    if not url.lower().startswith(SAFE_SCHEMES):
        return None
    return f'<a href="{escape(url)}">{_emphasis(escape(label))}</a>'


def _emphasis(escaped: str) -> str:
    escaped = BOLD.sub(r"<strong>\1</strong>", escaped)
    return ITALIC.sub(r"<em>\1</em>", escaped)
