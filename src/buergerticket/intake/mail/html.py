"""HTML mail as safe plain text.

The original HTML is kept on the message and never rendered unescaped; what the
clerk reads is this text: paragraphs and line breaks kept, lists and tables
readable, link targets shown next to their text (so a disguised link is
visible), scripts, styles and hidden markup gone.
"""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, Comment, NavigableString, Tag

from .charsets import clean_text

_DROP = {
    "script",
    "style",
    "head",
    "title",
    "meta",
    "link",
    "noscript",
    "template",
    "svg",
    "object",
    "iframe",
    "embed",
    "button",
    "select",
}
_BLOCK = {
    "address",
    "article",
    "aside",
    "blockquote",
    "center",
    "dd",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "tbody",
    "thead",
    "tfoot",
    "tr",
    "ul",
}
_MAX_DEPTH = 150
_SPACES = re.compile(r"[ \t\r\n\f\v\u00a0]+")


class _Writer:
    def __init__(self) -> None:
        self.parts: list[str] = []

    def text(self, value: str) -> None:
        if value:
            self.parts.append(value)

    def newline(self, count: int = 1) -> None:
        """End the current line; ``count`` 2 leaves a blank line. Never stacks up."""
        if not self.parts:
            return
        tail = "".join(self.parts[-6:]).rstrip(" ")
        have = len(tail) - len(tail.rstrip("\n"))
        if tail.strip() == "" and len(self.parts) <= 6:
            return
        if have < count:
            self.parts.append("\n" * (count - have))

    def result(self) -> str:
        lines = [line.rstrip() for line in "".join(self.parts).split("\n")]
        text = "\n".join(lines)
        return re.sub(r"\n{3,}", "\n\n", text).strip()


def _link_target(tag: Tag) -> str:
    href = str(tag.get("href") or "").strip()
    if href.lower().startswith(("http://", "https://")):
        return href
    if href.lower().startswith("mailto:"):
        return href[7:]
    return ""


def _walk(node: Tag, out: _Writer, depth: int, pre: bool) -> None:
    for child in node.children:
        if isinstance(child, Comment):
            continue
        if isinstance(child, NavigableString):
            value = str(child)
            out.text(value if pre else _SPACES.sub(" ", value))
            continue
        if not isinstance(child, Tag):
            continue
        name = (child.name or "").lower()
        if name in _DROP or child.get("hidden") is not None:
            continue
        style = str(child.get("style") or "").replace(" ", "").lower()
        if "display:none" in style:
            continue
        if depth > _MAX_DEPTH:
            out.text(_SPACES.sub(" ", child.get_text(" ")))
            continue
        if name == "br":
            out.text("\n")
            continue
        if name == "hr":
            out.newline()
            out.text("----------")
            out.newline()
            continue
        if name == "img":
            alt = _SPACES.sub(" ", str(child.get("alt") or "")).strip()
            if alt:
                out.text(f"[Bild: {alt}]")
            continue
        block = name in _BLOCK
        if block:
            out.newline(2 if name in {"p", "h1", "h2", "h3", "h4", "h5", "h6", "table"} else 1)
        if name == "li":
            out.text("- ")
        if name in {"td", "th"}:
            out.text(" ")
        if name == "blockquote":
            inner = _Writer()
            _walk(child, inner, depth + 1, pre)
            quoted = "\n".join(f"> {line}" if line else ">" for line in inner.result().split("\n"))
            out.text(quoted)
            out.newline()
            continue
        _walk(child, out, depth + 1, pre or name == "pre")
        if name == "a":
            target = _link_target(child)
            label = child.get_text(" ").strip()
            if target and target != label and target != f"mailto:{label}":
                out.text(f" ({target})")
        if name in {"td", "th"}:
            out.text(" |")
        if block:
            out.newline(2 if name in {"p", "h1", "h2", "h3", "h4", "h5", "h6", "table"} else 1)


def html_to_text(html: str) -> str:
    """Readable plain text of an HTML mail body; never raises."""
    if not html.strip():
        return ""
    try:
        soup = BeautifulSoup(html, "html.parser")
        body = soup.body or soup
        out = _Writer()
        _walk(body, out, 0, False)
        return clean_text(out.result())
    except Exception:
        text = re.sub(r"<[^>]*>", " ", html)
        return clean_text(_SPACES.sub(" ", text).strip())
