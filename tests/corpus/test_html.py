"""corpus.html: the text and title of a page, read as lxml reports its tags."""

from __future__ import annotations

import pytest

from corpus.errors import ParseError
from corpus.html import MAX_DEPTH, html_to_text


def page(body: str, head: str = "") -> str:
    return f"<html><head>{head}</head><body>{body}</body></html>"


def test_ruby_annotations_are_not_part_of_the_text() -> None:
    text, _ = html_to_text(
        page("<p>Tokyo<ruby>東京<rt>とうきょう</rt><rp>(</rp></ruby> opened.</p>")
    )
    assert text == "Tokyo東京 opened."


def test_blank_lines_between_inline_tags_do_not_split_a_paragraph_outside_pre() -> None:
    text, _ = html_to_text(
        page("<p><span>One</span>\n\n<span>two</span></p><pre>three\n\nfour</pre>")
    )
    assert text.split("\n\n") == ["One two", "three", "four"]


def test_a_comment_is_no_text_and_no_break() -> None:
    text, _ = html_to_text(page("<p>dock<!-- an editor's note -->workers</p>"))
    assert text == "dockworkers"


def test_the_first_h1_outside_navigation_is_the_title_unless_empty() -> None:
    head = "<title>Site title</title>"
    nav = "<nav><h1>Menu</h1></nav>"
    text, title = html_to_text(
        page(f"{nav}<h1>First <script>x</script>heading</h1><p>Body.</p>", head)
    )
    assert (text, title) == ("First heading\n\nBody.", "First heading")
    # An empty first h1 is the page's h1 all the same: the title falls back to <title>.
    text, title = html_to_text(page(f"{nav}<h1></h1><h1>Second</h1><p>Body.</p>", head))
    assert (text, title) == ("Second\n\nBody.", "Site title")


def test_navigation_footer_and_asides_are_dropped() -> None:
    body = "<nav>Home</nav><p>Ferries run.</p><aside>Ad</aside><footer>Share this</footer>"
    assert html_to_text(page(body)) == ("Ferries run.", None)


def test_nesting_deeper_than_the_limit_is_refused_and_at_the_limit_read() -> None:
    # <html> and <body> are two levels; the divs make up the rest.
    ok = "<html><body>" + "<div>" * (MAX_DEPTH - 2) + "deep news"
    assert html_to_text(ok) == ("deep news", None)
    with pytest.raises(ParseError, match="levels deep"):
        html_to_text("<html><body>" + "<div>" * (MAX_DEPTH - 1) + "too deep")


def test_a_wide_page_keeps_every_item() -> None:
    text, _ = html_to_text("<html><body><ul>" + "<li>item</li>" * 5_000)
    assert text.split("\n\n") == ["• item"] * 5_000
