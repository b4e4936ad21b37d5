"""Untrusted XML, read one way everywhere: entity declarations refused, nothing fetched.

Every XML reader in `formats` (feeds, Media RSS, OPML, ninjs' NITF, NewsML-G2) builds
its parser here, so "no entities, no DTD, no network, no huge trees" is said once
(EXPECTATIONS X01-X06).
"""

from __future__ import annotations

import re

from lxml import etree

from wirereader.model import FormatError

_PROLOG = re.compile(rb"<!--|<!ENTITY|<[A-Za-z_]", re.I)


def refuse_entity_declarations(data: bytes) -> None:
    """Raise if the prolog declares entities: the only way to build an entity bomb.

    The scan stops at the first element outside a comment (declarations can only stand
    before it), which is also where feedparser's lenient parser stops collecting them.
    NULs are dropped first so UTF-16/32 markup reads as ASCII.
    """
    if b"\x00" in data[:4]:
        data = data.replace(b"\x00", b"")
    pos, open_comment = 0, False
    while m := _PROLOG.search(data, pos):
        token = m.group().upper()
        if token == b"<!--":
            end = -1 if open_comment else data.find(b"-->", m.end())
            open_comment = end < 0  # no later comment can close either: skip them cheaply
            pos = m.end() if end < 0 else end + 3
        elif token == b"<!ENTITY":
            raise FormatError("XML entity declarations rejected")
        else:
            return


def hardened_parser(*, recover: bool, strip: bool = False) -> etree.XMLParser:
    """An lxml parser that resolves no entity, loads no DTD and touches no network.

    ``recover`` reads what it can of broken XML (for side channels like Media RSS);
    ``strip`` drops comments and processing instructions.
    """
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        recover=recover,
        collect_ids=False,
        remove_comments=strip,
        remove_pis=strip,
    )
