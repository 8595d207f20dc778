"""Guidance documents (Markdown or plain text) cut into passages: one per paragraph, list item or
table of a section, each titled by the path of headings above it, so a search hit cites the
document and section it came from.

Plain text has no headings: its paragraphs are chunks of the document's single section.
"""

import re
from dataclasses import dataclass

HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
LIST_ITEM = re.compile(r"^(?:[-*+]|\d+[.)])\s+")
# Longer tables are split by rows, the header repeated on each piece.
MAX_TABLE_CHARS = 1_200


@dataclass(frozen=True)
class Chunk:
    section: str
    number: int
    text: str


def _blocks(lines: list[str]) -> list[str]:
    """A section's body as blocks: list items (with their continuation lines), tables, code
    fences and paragraphs."""
    blocks: list[list[str]] = []
    fenced = False
    for line in lines:
        stripped = line.strip()
        if stripped.startswith("```"):
            fenced = not fenced
        starts_item = not fenced and bool(LIST_ITEM.match(stripped)) and line == line.lstrip()
        if not stripped and not fenced:
            blocks.append([])
        elif starts_item or not blocks:
            blocks.append([line])
        else:
            blocks[-1].append(line)
    return ["\n".join(b).strip() for b in blocks if "\n".join(b).strip()]


def _split_table(block: str) -> list[str]:
    rows = block.splitlines()
    if len(block) <= MAX_TABLE_CHARS or len(rows) < 4 or not rows[0].startswith("|"):
        return [block]
    header, body = rows[:2], rows[2:]
    pieces: list[list[str]] = [[]]
    for row in body:
        if pieces[-1] and len("\n".join(header + pieces[-1] + [row])) > MAX_TABLE_CHARS:
            pieces.append([])
        pieces[-1].append(row)
    return ["\n".join(header + piece) for piece in pieces]


def chunks(text: str, document_title: str) -> list[Chunk]:
    """The passages of one document; `document_title` names its untitled opening section."""
    out: list[Chunk] = []
    path: list[str] = []
    body: list[str] = []

    def flush() -> None:
        # The document's own title (its one top heading) is left out of each section name.
        section = " › ".join(path[1:] or path) or document_title
        pieces = [piece for block in _blocks(body) for piece in _split_table(block)]
        out.extend(Chunk(section, len(out) + 1, piece) for piece in pieces)
        body.clear()

    fenced = False
    for line in text.splitlines():
        if line.strip().startswith("```"):
            fenced = not fenced
        heading = None if fenced else HEADING.match(line)
        if heading:
            flush()
            level = len(heading.group(1))
            path[level - 1 :] = [heading.group(2)]
        else:
            body.append(line)
    flush()
    return out
