"""Which HTML library for article pages: lxml against selectolax, measured (issue #4).

    python bench/article_libs.py [HOSTILE_CORPUS_DIR]

Times parse + visible-text extraction on a realistic 60 KB news page (generated here)
and, when given the hostile corpus folder (`make_hostile.py --out DIR`), on its article
pages A01-A04. Prints a markdown table. selectolax is not a dependency: install it in a
scratch environment to run the comparison.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

PARA = (
    "<p>HANOI (VNA) – The National Assembly on Tuesday adopted the revised law on "
    "investment, with <a href='/x'>a link</a> and <b>bold</b> words in a long paragraph "
    "of wire copy that goes on for a while to look like the real thing.</p>"
)


def news_page() -> str:
    body = (
        PARA * 120
        + "<figure><img src='/p.jpg'><figcaption>Caption. Photo: VNA</figcaption></figure>"
    )
    script = "<script>var x = '" + "y" * 20000 + "';</script>"
    return f"<html><head><title>T</title>{script}</head><body><nav>menu</nav><article><h1>H</h1>{body}</article></body></html>"


def with_lxml(html: str) -> int:
    from lxml import html as lh

    root = lh.document_fromstring(html)
    for bad in root.iter("script", "style", "noscript"):
        bad.drop_tree()
    article = next(iter(root.iter("article")), root)
    return len(article.text_content())


def with_wirereader(html: str) -> int:
    from wirereader.formats.article import parse

    return sum(
        len(b.text) for b in parse(html.encode(), "https://example.org/a").dispatches[0].body
    )


def with_selectolax(html: str) -> int:
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(html)
    tree.strip_tags(["script", "style", "noscript"])
    node = tree.css_first("article") or tree.body
    return len(node.text()) if node is not None else 0


def timed(fn: Callable[[str], int], html: str, runs: int = 7) -> tuple[float, int]:
    times, size = [], 0
    for _ in range(runs):
        start = time.perf_counter()
        try:
            size = fn(html)
        except Exception as exc:  # a library that fails a page is a result too
            print(f"  {fn.__name__}: {type(exc).__name__}: {str(exc)[:80]}", file=sys.stderr)
            return float("nan"), -1
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000, size


def main() -> None:
    pages = {"news page 60 KB": news_page()}
    if len(sys.argv) > 1:
        for path in sorted(Path(sys.argv[1]).glob("a0*_article*.html")):
            pages[path.name] = path.read_bytes().decode("utf-8", "replace")
    libs: dict[str, Callable[[str], int]] = {"lxml": with_lxml, "selectolax": with_selectolax}
    try:
        import wirereader  # noqa: F401

        libs["wirereader (lxml walk)"] = with_wirereader
    except ImportError:
        pass
    print("| page | " + " | ".join(f"{n} ms (chars)" for n in libs) + " |")
    print("|---|" + "---|" * len(libs))
    for name, html in pages.items():
        cells = []
        for fn in libs.values():
            try:
                ms, chars = timed(fn, html)
            except ImportError:
                cells.append("not installed")
                continue
            cells.append(f"{ms:.1f} ({chars})")
        print(f"| {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
