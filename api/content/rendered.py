"""The rendered forms of Markdown, as stored: plain frozen dataclasses with no dependency on
the renderer, so a snapshot of the store loads without importing markdown-it or nh3."""

import zlib
from dataclasses import dataclass

import orjson


@dataclass(frozen=True)
class TocItem:
    key: str
    title: str
    level: int


@dataclass(frozen=True)
class RichText:
    """One piece of rendered Markdown. The blocks tree is kept compressed: only apps that ask
    for `format=blocks` need it, and as Python objects it would outweigh the HTML several times."""

    html: str
    text: str
    packed_blocks: bytes

    @property
    def blocks(self) -> list:
        return orjson.loads(zlib.decompress(self.packed_blocks))


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    heading_html: str
    heading_block: bytes  # the heading's own block node, JSON
    content: RichText


@dataclass(frozen=True)
class Rendered:
    """A body: the part before the first `##` plus one Section per `##`. The whole-body forms are
    joined from the pieces when asked for, so each piece is stored once."""

    intro: RichText
    sections: tuple[Section, ...]
    toc: tuple[TocItem, ...]

    @property
    def html(self) -> str:
        return self.intro.html + "".join(s.heading_html + s.content.html for s in self.sections)

    @property
    def text(self) -> str:
        return "\n\n".join(self.text_parts())

    def text_parts(self):
        """The plain text a part at a time, in reading order (the intro, then each section with
        its heading); empty parts are left out. `text` joins them; search highlights read them
        one by one and stop early."""
        if self.intro.text:
            yield self.intro.text
        for section in self.sections:
            text = section.content.text
            yield f"{section.title}\n\n{text}" if text else section.title

    @property
    def blocks(self) -> list:
        blocks = self.intro.blocks
        for section in self.sections:
            blocks.append(orjson.loads(section.heading_block))
            blocks.extend(section.content.blocks)
        return blocks
