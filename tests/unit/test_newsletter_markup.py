"""The Markdown subset of mailings: what it renders, and that typed text never becomes
markup of its own."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from hypothesis import given
from hypothesis import strategies as st

from storefront.newsletter.markup import render_html

ALLOWED_TAGS = {"p", "br", "ul", "li", "strong", "em", "a"}


def test_paragraphs_lists_and_emphasis():
    text = "Hello **all** and *you*\nsecond line\n\n- vinyl\n- cassette\nAfter the list"
    assert render_html(text) == (
        "<p>Hello <strong>all</strong> and <em>you</em><br>second line</p>\n"
        "<ul><li>vinyl</li><li>cassette</li></ul>\n"
        "<p>After the list</p>"
    )


def test_links_keep_their_address_and_only_safe_schemes_become_links():
    html = render_html("[Listen](https://x.example/a?b=1&c=2) or [mail](mailto:a@b.org)")
    assert '<a href="https://x.example/a?b=1&amp;c=2">Listen</a>' in html
    assert '<a href="mailto:a@b.org">mail</a>' in html
    assert "<a" not in render_html("[click](javascript:alert)")
    assert "<a" not in render_html("[relative](/admin)")


def test_stars_inside_a_link_address_are_not_emphasis():
    assert (
        render_html("[x](https://a.example/*b*)") == '<p><a href="https://a.example/*b*">x</a></p>'
    )


def test_html_typed_in_the_body_is_shown_as_text():
    html = render_html('<script>alert(1)</script> <a href="x">no</a> "quotes"')
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "&lt;a href=&quot;x&quot;&gt;" in html


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attributes: set[str] = set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.attributes |= {name for name, _value in attrs}


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=200))
def test_whatever_is_typed_only_the_subsets_tags_come_out(text):
    parser = _Tags()
    parser.feed(render_html(text))
    assert parser.tags <= ALLOWED_TAGS
    assert parser.attributes <= {"href"}


SCHEMES = ["https://", "http://", "mailto:", "javascript:", "JavaScript:", "data:", "/", ""]
LINKS = st.builds(
    "[{}]({}{})".format,
    st.text(alphabet="ab *<>", min_size=1, max_size=5),
    st.sampled_from(SCHEMES),
    st.text(alphabet='ab*"<>&=?', max_size=8),
)
BODIES = st.lists(st.one_of(LINKS, st.text(alphabet="*[]()- ab<>\n", max_size=6)), max_size=8)


@given(BODIES)
def test_every_href_is_a_safe_address(parts):
    html = render_html("".join(parts))
    hrefs = re.findall(r'href="([^"]*)"', html)
    assert html.count("<a ") == len(hrefs)
    assert all(href.startswith(("https://", "http://", "mailto:")) for href in hrefs)
