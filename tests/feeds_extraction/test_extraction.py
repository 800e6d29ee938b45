"""Article extraction on our own pages: metadata sources, the feed merge, site rules, refusals."""

from __future__ import annotations

import datetime
import gzip
from pathlib import Path

import pytest

from clipdesk.articles.canonical import URLError, canonical_url, same_site
from clipdesk.articles.extraction import (
    ExtractionError,
    _drop_code,
    _parse_html,
    clean_author_names,
    decode_html,
    extract_article,
    strip_site_name,
)
from clipdesk.articles.language import detect_language
from clipdesk.sources.feeds import ParsedEntry

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
PAGES = FIXTURES / "pages"
JSONLD_URL = "https://shoreline-post.example/2024/03/05/tidal-barrier-plan/?utm_campaign=x"
RULES_URL = "https://dockside-daily.example/night-ferry"
DOCKSIDE_RULE = {
    "title_xpath": "//div[@class='hed']",
    "author_xpath": "//span[@class='writer']",
    "date_xpath": "//span[@class='when']",
    "body_xpath": "//div[@id='story']",
    "drop_xpaths": ["//div[@class='promo']"],
}


def page(name: str) -> bytes:
    return (PAGES / name).read_bytes()


def test_json_ld_article_gives_headline_authors_date_and_publisher():
    article = extract_article(page("article_jsonld.html"), JSONLD_URL)
    assert article.title == "Harbour council backs tidal barrier plan"
    # persons from JSON-LD; the Organization author and the stray meta author are not used
    assert article.authors == ["Mara Quillfeather", "Tobias Wren"]
    assert article.outlet_name == "The Shoreline Post"
    assert article.published == datetime.date(2024, 3, 5)
    assert article.language == "en"
    assert article.description == "Seven votes to two for a barrier at the harbour mouth."
    assert article.choices["authors"] == "the JSON-LD article author"
    assert article.choices["outlet_name"] == "og:site_name, which matches the address"


def test_json_ld_nested_deeper_than_the_stack_is_passed_over_like_any_broken_json_ld():
    # One such block took the page's article down with a RecursionError from json.
    bomb = "[" * 5000 + "]" * 5000
    html = page("article_jsonld.html").replace(
        b"</head>", f'<script type="application/ld+json">{bomb}</script></head>'.encode(), 1
    )

    article = extract_article(html, JSONLD_URL)

    assert article.title == "Harbour council backs tidal barrier plan"
    assert article.authors == ["Mara Quillfeather", "Tobias Wren"]
    assert "The harbour council voted seven to two" in article.text


def test_main_text_is_the_article_without_navigation_or_footer():
    article = extract_article(page("article_jsonld.html"), JSONLD_URL)
    assert "The harbour council voted seven to two" in article.text
    assert "wait to see the money" in article.text
    for chrome in ("Privacy", "Most read", "Ferry fares rise again", "©"):
        assert chrome not in article.text


def test_canonical_link_on_the_same_site_is_used_and_cleaned():
    article = extract_article(page("article_jsonld.html"), JSONLD_URL)
    assert article.url == JSONLD_URL
    assert article.canonical_url == (
        "https://www.shoreline-post.example/2024/03/05/tidal-barrier-plan/"
    )
    assert article.choices["canonical_url"] == "the page's <link rel=canonical>"


def test_canonical_link_to_another_site_is_not_trusted():
    url = "https://kuestenportal.example/neue-seebruecke?fbclid=abc#top"
    article = extract_article(page("article_offsite_canonical.html"), url)
    assert article.canonical_url == "https://kuestenportal.example/neue-seebruecke"
    assert "another site" in article.choices["canonical_url"]


def test_language_comes_from_the_text_not_the_lang_attribute():
    article = extract_article(
        page("article_offsite_canonical.html"), "https://kuestenportal.example/a"
    )
    assert article.language == "de"  # the page says lang="en"; its text is German
    assert article.choices["language"].startswith("detected from the text")


def test_latin1_page_is_decoded_by_its_meta_charset():
    article = extract_article(
        page("article_latin1.html"), "https://journal-des-cotes.example/phare-de-la-pointe"
    )
    assert article.title == "Le phare de la Pointe rouvre ses portes"
    assert article.outlet_name == "Journal des Côtes"
    assert article.authors == ["Odile Marchetant"]
    assert article.published == datetime.date(2023, 11, 20)
    assert article.language == "fr"
    assert "l'escalier de cent quarante marches a été consolidé" in " ".join(article.text.split())


def test_feed_entry_gives_title_and_date_page_gives_authors_and_both_are_kept():
    entry = ParsedEntry(
        url=JSONLD_URL,
        title="Council backs barrier at the harbour mouth",
        published=datetime.datetime(2024, 3, 4, 23, 30, tzinfo=datetime.UTC),
        authors=["Shoreline Post Newsdesk"],
    )
    article = extract_article(page("article_jsonld.html"), JSONLD_URL, entry=entry)
    assert article.title == "Council backs barrier at the harbour mouth"
    assert article.feed_title == "Council backs barrier at the harbour mouth"
    assert article.page_title == "Harbour council backs tidal barrier plan"
    assert article.published == article.feed_published == datetime.date(2024, 3, 4)
    assert article.page_published == datetime.date(2024, 3, 5)
    assert article.authors == article.page_authors == ["Mara Quillfeather", "Tobias Wren"]
    assert article.feed_authors == ["Shoreline Post Newsdesk"]
    assert article.choices["title"].startswith("the feed entry")
    assert "h1" in article.choices["title"]  # and where the page's own title came from
    assert article.choices["published"].startswith("the feed entry")
    assert "preferred to the feed's" in article.choices["authors"]


def test_feed_authors_are_used_when_the_page_names_none():
    entry = ParsedEntry(url="https://kuestenportal.example/a", authors=["Hanne Deichgraf"])
    article = extract_article(
        page("article_offsite_canonical.html"), "https://kuestenportal.example/a", entry=entry
    )
    assert article.page_authors == []
    assert article.authors == ["Hanne Deichgraf"]
    assert article.choices["authors"] == "the feed entry (the page names no author)"


@pytest.mark.parametrize(
    ("declared", "expected"), [("de-CH", "de"), ("deutsch-schweiz-2024", None), (" ", None)]
)
def test_a_feed_entry_language_is_taken_only_as_a_language_tag(declared, expected):
    short = b"<html><body><article><h1>Kurz</h1><p>Ja.</p></article></body></html>"
    entry = ParsedEntry(url="https://bote.example/kurz", language=declared)
    article = extract_article(short, "https://bote.example/kurz", entry=entry)
    assert article.language == expected


@pytest.mark.parametrize("href", ["/ferry/" + "a" * 2000, "/ferry&#x7;-times"])
def test_a_canonical_link_no_row_could_keep_gives_way_to_the_page_address(href):
    head = f'<head><link rel="canonical" href="{href}"></head>'
    html = f"<html>{head}<body><p>Ferry.</p></body></html>"
    article = extract_article(html.encode(), "https://bote.example/ferry")
    assert article.canonical_url == "https://bote.example/ferry"
    assert "too long or holds control characters" in article.choices["canonical_url"]


@pytest.mark.parametrize(
    "href", ["https://user:pw@www.bote.example/other", "//desk@bote.example/ferry"]
)
def test_a_canonical_link_carrying_a_user_name_or_password_is_not_taken(href):
    head = f'<head><link rel="canonical" href="{href}"></head>'
    html = f"<html>{head}<body><p>Ferry.</p></body></html>"
    article = extract_article(html.encode(), "https://bote.example/ferry")
    assert article.canonical_url == "https://bote.example/ferry"
    assert "user name or password" in article.choices["canonical_url"]


def test_a_relative_canonical_link_on_a_page_fetched_with_a_password_is_taken():
    # The password is the editor's, given with the source's address, not the page's; the
    # address kept and shown carries none (canonical_url).
    html = b'<html><head><link rel="canonical" href="/ferry"></head><body><p>F.</p></body></html>'
    article = extract_article(html, "https://desk:pw@intranet.example/ferry?page=1")
    assert article.canonical_url == "https://intranet.example/ferry"
    assert article.choices["canonical_url"] == "the page's <link rel=canonical>"


def test_an_author_meta_tag_in_the_email_and_name_form_gives_the_name():
    head = '<head><meta name="author" content="jane.roe@example.com (Jane Roe)"></head>'
    html = f"<html>{head}<body><article><h1>Ferry</h1><p>Ferry.</p></article></body></html>"
    article = extract_article(html.encode(), "https://bote.example/ferry")
    assert article.authors == ["Jane Roe"]
    assert article.choices["authors"] == "the author meta tags"


def test_feed_entry_without_title_or_date_leaves_the_page_values():
    entry = ParsedEntry(url=JSONLD_URL)
    article = extract_article(page("article_jsonld.html"), JSONLD_URL, entry=entry)
    assert article.title == "Harbour council backs tidal barrier plan"
    assert article.published == datetime.date(2024, 3, 5)
    assert article.feed_title is None and article.feed_published is None


def test_site_rule_fields_win_and_dropped_blocks_leave_the_text():
    article = extract_article(page("article_rules.html"), RULES_URL, rules=DOCKSIDE_RULE)
    assert article.title == "Night ferry returns for the summer season"
    assert article.authors == ["Ines Brackwater"]
    assert article.published == datetime.date(2024, 3, 12)
    assert article.text == (
        "The night ferry between the two harbours will run again from June, the operator said.\n"
        "Tickets go on sale next week, with discounts for residents of both islands."
    )
    for field in ("title", "authors", "published", "text"):
        assert "site rule" in article.choices[field]


def test_a_site_rule_wins_over_the_feed_entry_whose_values_are_kept():
    entry = ParsedEntry(
        url=RULES_URL,
        title="[Audio] Night ferry",
        published=datetime.datetime(2024, 5, 30, tzinfo=datetime.UTC),
    )
    article = extract_article(
        page("article_rules.html"), RULES_URL, entry=entry, rules=DOCKSIDE_RULE
    )

    assert article.title == "Night ferry returns for the summer season"
    assert article.published == datetime.date(2024, 3, 12)
    assert (article.feed_title, article.feed_published) == (
        "[Audio] Night ferry",
        datetime.date(2024, 5, 30),
    )
    for field in ("title", "published"):
        assert article.choices[field].endswith("(a site rule wins over the feed entry)")
    # Without a rule for them, the feed's title and date win as before.
    plain = extract_article(page("article_rules.html"), RULES_URL, entry=entry)
    assert (plain.title, plain.published) == ("[Audio] Night ferry", datetime.date(2024, 5, 30))


def test_without_the_site_rule_the_general_path_gets_that_page_wrong():
    article = extract_article(page("article_rules.html"), RULES_URL)
    assert article.title != "Night ferry returns for the summer season"
    assert "Subscribe to Dockside Daily" in article.text


def test_site_rule_with_only_drop_xpaths_prunes_the_general_text():
    article = extract_article(
        page("article_rules.html"), RULES_URL, rules={"drop_xpaths": ["//div[@class='promo']"]}
    )
    assert "Subscribe" not in article.text
    assert "Tickets go on sale next week" in article.text


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        ({"title_xpath": "//div[@class="}, "XPath .* is invalid"),
        ({"headline_xpath": "//h1"}, "unknown site rule keys"),
    ],
)
def test_broken_site_rules_are_refused_in_words(rules, message):
    with pytest.raises(ExtractionError, match=message):
        extract_article(page("article_rules.html"), RULES_URL, rules=rules)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        ("  \n\t ", "empty"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3 binary", "PDF"),
        (b'{"headline": "not a page"}', "JSON"),
        (b"\x00\x01\x02<html>", "binary"),
        (b"Just some words, no markup at all.", "no HTML markup"),
        ((FIXTURES / "feeds" / "rss20.xml").read_bytes(), "a feed or sitemap"),
    ],
)
def test_empty_or_non_html_input_is_refused(data, message):
    with pytest.raises(ExtractionError, match=message) as raised:
        extract_article(data, "https://refused.example/a")
    assert str(raised.value).startswith("extraction: ")


def test_a_page_address_that_is_not_http_is_refused():
    with pytest.raises(ExtractionError, match="address is not usable"):
        extract_article(page("article_jsonld.html"), "ftp://shoreline-post.example/a")


def test_decoding_bom_meta_charset_and_mislabelled_utf8():
    assert decode_html(b"\xef\xbb\xbf<p>caf\xc3\xa9</p>") == "<p>café</p>"
    latin = '<meta charset="iso-8859-1"><p>café</p>'.encode("latin-1")
    assert "café" in decode_html(latin)
    mislabelled = '<meta charset="iso-8859-1"><p>café</p>'.encode()  # UTF-8 bytes
    assert "café" in decode_html(mislabelled)
    cyrillic = '<meta charset="windows-1251"><p>причал</p>'.encode("cp1251")
    assert "причал" in decode_html(cyrillic)
    assert "caf\u00e9" in decode_html(b"<p>caf\xe9</p>")  # no charset, not UTF-8: windows-1252


def test_the_content_type_charset_decides_before_the_pages_own():
    cyrillic = "<p>Совет обсудил ремонт волнореза</p>".encode("cp1251")
    sent = "text/html; charset=windows-1251"
    assert "волнореза" in decode_html(cyrillic, sent)
    assert "волнореза" not in decode_html(cyrillic)  # without it: windows-1252 mojibake
    # The server outranks the page's meta, as in browsers.
    marked = '<meta charset="iso-8859-1"><p>волнорез</p>'.encode("cp1251")
    assert "волнорез" in decode_html(marked, 'text/html; charset="windows-1251"')
    # Valid UTF-8 stays UTF-8 under a Latin default some servers send for every page.
    assert "café" in decode_html("<p>café</p>".encode(), "text/html; charset=ISO-8859-1")


def test_bytes_decide_when_the_server_and_the_page_disagree():
    arabic = '<meta charset="windows-1256"><p>سازمان مجاهدين خلق</p>'
    # The server says UTF-8, the bytes are not: the page's own charset is the one.
    assert "مجاهدين" in decode_html(arabic.encode("cp1256"), "text/html; charset=utf-8")
    # The server says windows-1256, the bytes are UTF-8 (and non-ASCII): UTF-8.
    persian = '<meta charset="utf-8"><p>سازمان مجاهدین خلق</p>'.encode()
    assert "مجاهدین" in decode_html(persian, "text/html; charset=windows-1256")
    # A 7-bit encoding's bytes are ASCII, valid UTF-8 too: its label decides.
    japanese = "<p>港の会議</p>".encode("iso-2022-jp")
    assert "港の会議" in decode_html(japanese, "text/html; charset=iso-2022-jp")


def test_one_stray_windows_1252_byte_leaves_the_rest_utf8():
    page = "<p>Grève des dockers à Nordhavre, its quay shut</p>".encode().replace(
        b"its", b"it\x92s"
    )
    assert decode_html(page) == "<p>Grève des dockers à Nordhavre, it’s quay shut</p>"


@pytest.mark.parametrize("label", ["base64", "rot13", "utf-16", "no-such-charset"])
def test_a_charset_label_that_names_no_page_encoding_is_read_as_none(label):
    assert decode_html(f'<meta charset="{label}"><p>café</p>'.encode(), None).endswith(
        "<p>café</p>"
    )
    assert "café" in decode_html("<p>café</p>".encode(), f"text/html; charset={label}")


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Harbour council backs plan | The Shoreline Post", "Harbour council backs plan"),
        ("Harbour council backs plan - Shoreline Post", "Harbour council backs plan"),
        ("The Shoreline Post — Harbour council backs plan", "Harbour council backs plan"),
        ("Gulls - the seafront feud", "Gulls - the seafront feud"),  # no site name: kept
        ("The Shoreline Post", "The Shoreline Post"),  # never emptied
    ],
)
def test_strip_site_name(title, expected):
    url = "https://www.shoreline-post.example/a"
    assert strip_site_name(title, ["The Shoreline Post"], url) == expected


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["By Mara Quillfeather and Tobias Wren"], ["Mara Quillfeather", "Tobias Wren"]),
        (["Grant Tinsley, PhD"], ["Grant Tinsley"]),
        (["Perry Bacon, Jr."], ["Perry Bacon, Jr."]),
        (["View all posts by Ines Brackwater"], ["Ines Brackwater"]),
        (["No Author", "https://x.example/author/a", "desk@x.example"], []),
        (["A; B", "B"], ["A", "B"]),
        (["Staff & Agencies"], ["Staff & Agencies"]),
        (["By Ledger staff and wires"], ["Ledger staff and wires"]),
        (["AFP and Reuters"], ["AFP", "Reuters"]),
        (["jane.roe@example.com (Jane Roe)"], ["Jane Roe"]),  # RSS's "email (Name)"
        (["Jane Roe <jane.roe@example.com>"], ["Jane Roe"]),
        (["a@x.example (Ann Lee), b@x.example (Bo Ng)"], ["Ann Lee", "Bo Ng"]),
        (["jane.roe@example.com"], []),
    ],
)
def test_clean_author_names(values, expected):
    assert clean_author_names(values) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "HTTPS://WWW.Example.COM:443/a/b/../c?utm_source=x&id=5&fbclid=1&gclid=2#frag",
            "https://www.example.com/a/c?id=5",
        ),
        ("https://example.com", "https://example.com/"),
        ("https://example.com/p?b=2&a=1", "https://example.com/p?a=1&b=2"),
        (
            "https://www.heise.example/x.html?wt_mc=rss.ho.beitrag.rdf",
            "https://www.heise.example/x.html",
        ),
        ("http://example.com:80/a#comments", "http://example.com/a"),
        ("  https://example.com/a?mc_cid=1&msclkid=2&ref=tw  ", "https://example.com/a"),
        ("https://example.com/a/?replytocom=12&p=4", "https://example.com/a/?p=4"),
        ("https://example.com/a/?amp=1", "https://example.com/a/"),
        ("https://example.com/a/?amp", "https://example.com/a/"),
    ],
)
def test_canonical_url(url, expected):
    assert canonical_url(url) == expected


@pytest.mark.parametrize("url", ["mailto:desk@example.com", "javascript:void(0)", "/relative", ""])
def test_canonical_url_refuses_non_web_addresses(url):
    with pytest.raises(URLError, match=r"^urls: "):
        canonical_url(url)


def test_same_site_ignores_www_only():
    assert same_site("https://www.a.example/x", "http://a.example/y")
    assert not same_site("https://news.a.example/x", "https://a.example/y")


def test_language_detection_falls_back_to_the_declared_language():
    assert detect_language("Kurz.", "de-AT")[0] == "de"
    assert detect_language("", None) == (
        None,
        "unknown: the text was too short or unclear and the page declares none",
    )


SHORT_STORY = (
    "<p>The harbour council met on Tuesday and postponed its vote on the new mooring plan, "
    "citing objections from the fishing cooperative and a pending survey of the eastern quay."
    "</p><p>Members will return to the question in March, the chair said after the session.</p>"
)


def _short_page(sidebar_items: int) -> str:
    links = "".join(
        f"<li><a href='/archive/{i}'>Archive entry {i} on harbour matters and quay repairs</a></li>"
        for i in range(sidebar_items)
    )
    return (
        "<html><head><title>Council delays mooring vote</title></head><body>"
        f"<div class='sidebar'><ul>{links}</ul></div>"
        f"<article><h1>Council delays mooring vote</h1>{SHORT_STORY}</article></body></html>"
    )


@pytest.mark.parametrize(("sidebar_items", "passes"), [(0, ["fast"]), (300, ["fast", "full"])])
def test_a_short_text_is_extracted_again_only_when_it_is_a_small_part_of_the_page(
    monkeypatch, sidebar_items, passes
):
    """The full pass (trafilatura's fallback extractors) costs up to a quarter of a second on
    a page; it runs when the fast pass found little of a page that holds much more text."""
    import trafilatura

    calls: list[str] = []
    bare_extraction = trafilatura.bare_extraction

    def counted(tree, **options):
        calls.append("fast" if options.get("fast") else "full")
        return bare_extraction(tree, **options)

    monkeypatch.setattr(trafilatura, "bare_extraction", counted)
    article = extract_article(_short_page(sidebar_items), "https://harbour.example/mooring")
    assert calls == passes
    assert "postponed its vote on the new mooring plan" in article.text
    assert "Archive entry" not in article.text


@pytest.mark.parametrize("date_in_url", [True, False])
def test_a_page_without_main_text_keeps_its_metadata(date_in_url):
    html = (
        b"<html><head><title>Notice | Example</title>"
        b"<meta property='article:published_time' content='2021-03-04'></head>"
        b"<body><script>var shown = 'not a word of text';</script></body></html>"
    )
    url = "https://example.com/2020/01/02/notice" if date_in_url else "https://example.com/notice"
    article = extract_article(html, url)
    assert (article.text, article.choices["text"]) == ("", "none: no main text was found")
    assert article.title == "Notice"
    day = datetime.date(2020, 1, 2) if date_in_url else datetime.date(2021, 3, 4)
    assert article.published == day
    assert article.outlet_name == "example.com"  # trafilatura's name for the site: its address


def test_scripts_styles_and_svg_leave_before_the_text_is_read_but_json_ld_stays():
    tree = _parse_html(
        '<html><head><script type=\'application/ld+json\'>{"@type": "NewsArticle"}</script>'
        "<style>p { color: red }</style><script src='/app.js'></script></head>"
        "<body><p>Boats<svg><title>icon</title><path d='M0'/></svg> left the"
        "<script>track('x')</script> quay.</p></body></html>"
    )
    _drop_code(tree)
    assert [(e.tag, e.get("type")) for e in tree.iter("script", "style", "svg")] == [
        ("script", "application/ld+json")
    ]
    assert tree.find(".//p").text_content() == "Boats left the quay."


# Pages of ../shared/data whose text trafilatura's fuller passes return with spaces, a
# no-break space or blank lines at an end.
UNTRIMMED = ["c69e539d689a8335", "e372e42c0a3df7b8", "ef2b3f268a67950c"]


@pytest.mark.parametrize("prefix", UNTRIMMED)
def test_the_stored_text_has_no_spaces_or_blank_lines_at_either_end(shared_dir, prefix):
    (path,) = (shared_dir / "data" / "article-extraction-benchmark" / "html").glob(f"{prefix}*")
    article = extract_article(gzip.decompress(path.read_bytes()), "http://news.example/a")

    assert article.text
    assert article.text == article.text.strip()


PARAGRAPHS = "".join(
    f"<p>Paragraph {n} of the report on the winter ferry timetable, which the harbour board "
    "published on Monday after a long consultation with the island councils.</p>"
    for n in range(1, 6)
)


@pytest.mark.parametrize(("word", "lang"), [("By", "en"), ("Par", "fr"), ("Von", "de")])
def test_the_word_left_of_a_byline_whose_name_trafilatura_drops_is_no_text(word, lang):
    html = (
        f'<html lang="{lang}"><head><title>Winter timetable</title></head><body><article>'
        f'<h1>Winter timetable</h1><p>{word} <span class="author">Claire Dumoulin</span></p>'
        f"{PARAGRAPHS}</article></body></html>"
    )
    article = extract_article(html, "https://ferry-notes.example/winter")
    lines = article.text.split("\n")
    assert word not in lines and lines[-5].startswith("Paragraph 1 of the report"), lines
    assert article.authors == ["Claire Dumoulin"]


def test_a_first_line_that_only_begins_with_by_is_kept():
    html = (
        "<html><head><title>Winter timetable</title></head><body><article>"
        "<h1>Winter timetable</h1><p>By the harbour, the ferries wait for the spring.</p>"
        f"{PARAGRAPHS}</article></body></html>"
    )
    article = extract_article(html, "https://ferry-notes.example/winter")
    assert "By the harbour, the ferries wait for the spring." in article.text.split("\n")


@pytest.mark.parametrize("control", ["\x01", "\x0b", "\x0c", "\x1c", "\x1f"])
def test_a_control_character_in_the_text_is_read_past_and_the_article_kept(control):
    # A vertical tab is a word processor's line break pasted into a page; lxml keeps it in
    # the tree but refuses to set it back, and trafilatura sets every text it cleans: the
    # page failed with a ValueError and its article was lost, every round. "\x01" lost the
    # whole text silently.
    paragraph = (
        f"The harbour council voted on Monday{control}to build the tidal barrier "
        "at the mouth of the estuary, seven votes to two, after a debate of four hours."
    )
    html = (
        "<html><head><title>Council backs the barrier</title></head><body><article>"
        f"<h1>Council backs the barrier</h1><p>{paragraph}</p></article></body></html>"
    )
    article = extract_article(html, "https://shoreline-post.example/barrier")
    assert "voted on Monday" in article.text
    assert "to build the tidal barrier" in article.text
    assert control not in article.text
