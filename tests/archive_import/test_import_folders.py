"""`import-archive FOLDER`: which files of a saved site are read, and which are left and why.

A site copied from its server keeps its pages under the server's names (.php, .shtml, .asp),
beside the scripts themselves, styles and pictures; the pages are told by their content, and
the summary names what was left.
"""

import json

import pytest

from clipdesk.archive.parsing import ArchivePage, OutletGazetteer
from clipdesk.archive.reading import (
    SITE_FILE,
    TEXT_WITHOUT_POSTS,
    ArchiveFileError,
    LeftOutFile,
    find_archive_files,
    read_pages,
)
from tests.cli import clipdesk

PAGE = (
    "<!DOCTYPE html>\n<html><head><title>Quay Notes</title></head><body>"
    "<article><h2>{headline}</h2><p>Posted on: 2019/02/20</p>"
    "<p>Mara Keel, The Saltmarsh Ledger, February 19 2019:… {excerpt}</p>"
    "</article></body></html>\n"
)


def page(headline: str = "Winter Ferry Cut", excerpt: str = "The ferry was cut.") -> str:
    return PAGE.format(headline=headline, excerpt=excerpt)


RSS = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>Quay Notes'
    "</title><item><title>Winter Ferry Cut</title><link>https://quay.example/ferry/</link>"
    "</item></channel></rss>\n"
)
ATOM = (
    '<?xml version="1.0"?>\n<feed xmlns="http://www.w3.org/2005/Atom"><title>Quay Notes'
    "</title><entry><title>Winter Ferry Cut</title></entry></feed>\n"
)
URLSET = (
    '<?xml version="1.0"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
    "<url><loc>https://quay.example/ferry/</loc></url></urlset>\n"
)
TEXT_PAGE = (
    "Quay Notes\n\nNotes on the quay in the press.\n\nPier Lights Fixed\n\n"
    "Posted on: 2019/03/02\n\nMara Keel, The Saltmarsh Ledger, March 1 2019:… "
    "The pier lights work again.\n"
)


FILES = [
    pytest.param("news.php", page(), None, id="a_saved_php_page"),
    pytest.param("news.shtml", page(), None, id="a_saved_shtml_page"),
    pytest.param("news.asp", page(), None, id="a_saved_asp_page"),
    pytest.param("news.aspx", page(), None, id="a_saved_aspx_page"),
    pytest.param("news.htm", page(), None, id="htm"),
    pytest.param("index.php?page=2", page(), None, id="a_php_page_saved_with_its_query"),
    pytest.param("news", page(), None, id="a_page_without_a_name_ending"),
    pytest.param(
        "config.php",
        '<?php include "top.php"; ?>\n<h2><?= $title ?></h2>\n',
        "server code, not a saved page (.php)",
        id="php_source",
    ),
    pytest.param(
        "list.asp",
        "<%@ Language=VBScript %>\n<html><body><% Response.Write(x) %></body></html>",
        "server code, not a saved page (.asp)",
        id="asp_source",
    ),
    pytest.param(
        "empty.php", "No news today.\n", "not an HTML page (.php)", id="a_php_file_of_plain_text"
    ),
    pytest.param("README", "Notes.\n", "not an HTML page (no name ending)", id="notes"),
    pytest.param("site.css", "p { margin: 0 }\n", "not a page by its name (.css)", id="style"),
    pytest.param(
        "sitemap.xml",
        '<?xml version="1.0"?><urlset></urlset>',
        "a sitemap",
        id="sitemap",
    ),
    pytest.param("robots.txt", "User-agent: *\nDisallow: /wp-admin/\n", SITE_FILE, id="robots_txt"),
    pytest.param("humans.txt", "/* TEAM */\nEditor: Mara Keel\n", SITE_FILE, id="humans_txt"),
    pytest.param("ads.txt", "adnet.example, 1234, DIRECT\n", SITE_FILE, id="ads_txt"),
    pytest.param("Robots.TXT", "User-agent: *\n", SITE_FILE, id="a_site_file_in_capitals"),
    pytest.param("sitemap.txt", "https://quay.example/ferry/\n", "a sitemap", id="a_text_sitemap"),
    pytest.param("post-sitemap.xml", URLSET, "a sitemap", id="a_sitemap_by_its_name"),
    pytest.param("pages.xml", URLSET, "a sitemap", id="a_sitemap_by_its_content"),
    pytest.param("rss.xml", RSS, "an RSS or Atom feed", id="rss"),
    pytest.param("atom.xml", ATOM, "an RSS or Atom feed", id="atom"),
    pytest.param("index.html", RSS, "an RSS or Atom feed", id="a_feed_saved_as_index_html"),
    pytest.param("feed", ATOM, "an RSS or Atom feed", id="a_feed_without_a_name_ending"),
    pytest.param("notes.txt", TEXT_PAGE, None, id="a_text_page_is_read"),
    pytest.param(
        "export.xml",
        '<?xml version="1.0"?><catalog><book>Tide tables</book></catalog>',
        "XML that is not a WordPress export",
        id="other_xml",
    ),
]


@pytest.mark.parametrize(("name", "content", "reason"), FILES)
def test_a_folders_file_is_read_or_left_with_its_reason(tmp_path, name, content, reason):
    (tmp_path / name).write_text(content, encoding="utf-8")
    found = find_archive_files([str(tmp_path)])
    if reason is None:
        assert found.pages == [tmp_path / name]
        assert found.left_out == {}
    else:
        assert found.pages == []
        assert found.left_out == {reason: [tmp_path / name]}


# Text files of a folder, read: a page imports, text with no post in it is left out, and
# a file that cannot be read fails the import.
TEXT_FILES = [
    pytest.param(TEXT_PAGE.encode(), ArchivePage, id="a_digest_page"),
    pytest.param(
        b"Renew the domain before May.\nThe printer code is 4471.\n",
        LeftOutFile(TEXT_WITHOUT_POSTS),
        id="notes_with_no_post",
    ),
    pytest.param(
        b"https://quay.example/ferry/\nhttps://quay.example/pier/\n",
        LeftOutFile(TEXT_WITHOUT_POSTS),
        id="a_list_of_addresses",
    ),
    pytest.param(b"", LeftOutFile(TEXT_WITHOUT_POSTS), id="empty"),
    pytest.param(
        b"Quay Notes\n\nFerry\n\nMara Keel wrote about the ferry in a long letter.\n",
        LeftOutFile(TEXT_WITHOUT_POSTS),
        id="a_headline_and_text_but_no_source_line",
    ),
    pytest.param(b"Pier \xff\xfe news\n" * 20, ArchiveFileError, id="not_utf8"),
    pytest.param(b"\x00\x01\x02binary" * 40, ArchiveFileError, id="binary_data"),
]


def read_one(path, found) -> object:
    [(read_path, read)] = read_pages(
        found.pages, OutletGazetteer(), postless_allowed=found.postless_allowed
    )
    assert read_path == path
    return read


@pytest.mark.parametrize(("content", "expected"), TEXT_FILES)
def test_a_folders_text_file_is_a_page_left_out_or_a_failure(tmp_path, content, expected):
    path = tmp_path / "notes.txt"
    path.write_bytes(content)
    read = read_one(path, find_archive_files([str(tmp_path)]))
    if isinstance(expected, type):
        assert isinstance(read, expected) and not isinstance(read, LeftOutFile)
    else:
        assert read == expected


def test_a_text_file_with_no_post_named_on_its_own_fails(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("Renew the domain before May.\n")
    read = read_one(path, find_archive_files([str(path)]))
    assert isinstance(read, ArchiveFileError)
    assert "no posts found" in str(read)


def test_a_file_named_on_the_command_line_is_read_whatever_its_name(tmp_path):
    named = tmp_path / "notes.dat"
    named.write_text(page())
    assert find_archive_files([str(named)]).pages == [named]


def test_left_out_files_are_counted_by_reason_with_the_first_names(tmp_path):
    for n in range(5):
        (tmp_path / f"logo{n}.png").write_bytes(b"\x89PNG\r\n")
    [line] = find_archive_files([str(tmp_path)]).left_out_lines()
    assert line.startswith("left out 5 file(s), not a page by its name (.png): ")
    assert line.endswith("logo2.png and 2 more")
    assert "logo3" not in line


def test_import_reads_a_sites_server_pages_and_says_what_it_left(tmp_path):
    home = tmp_path / "home"
    clipdesk(home, "init")
    site = tmp_path / "site"
    (site / "styles").mkdir(parents=True)
    (site / "news.php").write_text(page("Winter Ferry Cut"))
    (site / "older.shtml").write_text(page("Quay Reopens", "The quay opened again."))
    (site / "config.php").write_text('<?php include "top.php"; ?>\n')
    (site / "styles" / "site.css").write_text("p { margin: 0 }\n")

    said = clipdesk(home, "import-archive", str(site))
    assert said.stdout.splitlines() == [
        "2 file(s): 2 post(s) added, 0 updated, 0 unchanged (already stored as they are), "
        "0 file(s) failed.",
        f"left out 1 file(s), server code, not a saved page (.php): {site / 'config.php'}",
        f"left out 1 file(s), not a page by its name (.css): {site / 'styles' / 'site.css'}",
    ]

    again = json.loads(clipdesk(home, "import-archive", str(site), "--json").stdout)
    assert (again["added"], again["unchanged"], again["skipped"]) == (0, 2, 2)
    assert (
        again["left_out_files"]
        == again["skipped_files"]
        == [
            {"path": str(site / "config.php"), "reason": "server code, not a saved page (.php)"},
            {"path": str(site / "styles" / "site.css"), "reason": "not a page by its name (.css)"},
        ]
    )
    dry = json.loads(clipdesk(home, "import-archive", str(site), "--dry-run", "--json").stdout)
    assert sorted(p["headline"] for p in dry["posts"]) == ["Quay Reopens", "Winter Ferry Cut"]
    assert len(dry["left_out_files"]) == len(dry["skipped_files"]) == 2


def test_a_folder_with_no_page_names_what_it_left_and_exits_2(tmp_path):
    site = tmp_path / "assets"
    site.mkdir()
    (site / "site.css").write_text("p { margin: 0 }\n")
    clipdesk(tmp_path / "home", "init")
    result = clipdesk(tmp_path / "home", "import-archive", str(site), check=False)
    assert result.returncode == 2
    assert "no archive files found" in result.stderr
    assert "not a page by its name (.css)" in result.stderr and "site.css" in result.stderr
    assert "Traceback" not in result.stderr


def saved_site(root):
    """A site as a copier saves it: two digest pages among the files every site serves."""
    site = root / "quay.example"
    (site / "feed").mkdir(parents=True)
    (site / "wp-content").mkdir()
    (site / "robots.txt").write_text("User-agent: *\nDisallow: /wp-admin/\n")
    (site / "sitemap.xml").write_text(URLSET)
    (site / "wp-content" / "style.css").write_text("p { margin: 0 }\n")
    (site / "feed" / "index.html").write_text(RSS)
    (site / "index.html").write_text(page("Winter Ferry Cut"))
    (site / "digest-2019.txt").write_text(TEXT_PAGE)
    (site / "readme.txt").write_text("Saved from quay.example in May.\n")
    return site


def test_a_saved_site_imports_its_pages_and_leaves_its_site_files_out(tmp_path):
    home = tmp_path / "home"
    clipdesk(home, "init")
    site = saved_site(tmp_path)
    (site / "broken.html").write_bytes(b"<html>\x00\x01\x02\x03" * 200)

    failed = clipdesk(home, "import-archive", str(site), check=False)

    assert failed.returncode == 2
    assert failed.stdout.splitlines() == [
        "3 file(s): 2 post(s) added, 0 updated, 0 unchanged (already stored as they are), "
        "1 file(s) failed.",
        f"left out 1 file(s), an RSS or Atom feed: {site / 'feed' / 'index.html'}",
        f"left out 1 file(s), a site file by its name, not a page: {site / 'robots.txt'}",
        f"left out 1 file(s), a sitemap: {site / 'sitemap.xml'}",
        f"left out 1 file(s), not a page by its name (.css): {site / 'wp-content' / 'style.css'}",
        f"left out 1 file(s), text with no post in it: {site / 'readme.txt'}",
    ]
    assert f"import-archive: {site / 'broken.html'}: binary data" in failed.stderr
    assert "Traceback" not in failed.stderr

    (site / "broken.html").unlink()
    again = clipdesk(home, "import-archive", str(site))
    assert again.stdout.splitlines()[0] == (
        "2 file(s): 0 post(s) added, 0 updated, 2 unchanged (already stored as they are), "
        "0 file(s) failed."
    )
    said = json.loads(clipdesk(home, "import-archive", str(site), "--json").stdout)
    assert (said["files"], said["unchanged"], said["repeated"], said["failed"]) == (2, 2, 0, [])
    assert {f["reason"] for f in said["left_out_files"]} == {
        "an RSS or Atom feed",
        "a site file by its name, not a page",
        "a sitemap",
        "not a page by its name (.css)",
        "text with no post in it",
    }
    assert said["skipped_files"] == said["left_out_files"]


def test_a_post_given_twice_is_a_repeated_copy_not_an_unchanged_post(tmp_path):
    home = tmp_path / "home"
    clipdesk(home, "init")
    shown_twice = tmp_path / "front.txt"
    shown_twice.write_text(TEXT_PAGE + "\n" + TEXT_PAGE.split("\n\n", 2)[2])

    said = clipdesk(home, "import-archive", str(shown_twice)).stdout
    counts = json.loads(clipdesk(home, "import-archive", str(shown_twice), "--json").stdout)

    assert said.splitlines() == [
        "1 file(s): 1 post(s) added, 0 updated, 0 unchanged (already stored as they are), "
        "1 repeated copy(ies) not written, 0 file(s) failed."
    ]
    assert (counts["added"], counts["unchanged"], counts["repeated"], counts["skipped"]) == (
        0,
        1,
        1,
        2,
    )


def test_a_folder_of_site_files_and_postless_text_names_them_and_exits_2(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "robots.txt").write_text("User-agent: *\n")
    (site / "readme.txt").write_text("Saved in May.\n")
    clipdesk(tmp_path / "home", "init")
    result = clipdesk(tmp_path / "home", "import-archive", str(site), check=False)
    assert result.returncode == 2
    assert "no archive files found" in result.stderr
    assert f"text with no post in it: {site / 'readme.txt'}" in result.stderr
    assert "Traceback" not in result.stderr


ABOUT_PAGE = (
    "<html><head><title>About this digest</title></head><body><h1>About us</h1>"
    "<p>We gather press coverage every week and write to our readers on Fridays.</p>"
    "<p>Write to the editors through the form on the contact page.</p></body></html>"
)


def test_a_saved_sites_page_with_no_post_is_left_out_and_named_not_failed(tmp_path):
    """A saved site's about and contact pages hold no post: each made the whole import exit
    2, as a failed file. Named on its own, such a page still fails: it was given as a page."""
    home = tmp_path / "home"
    clipdesk(home, "init")
    site = saved_site(tmp_path)
    (site / "about").mkdir()
    (site / "about" / "index.html").write_text(ABOUT_PAGE)

    imported = clipdesk(home, "import-archive", str(site))

    assert imported.returncode == 0
    assert imported.stdout.splitlines()[0].startswith("2 file(s): 2 post(s) added")
    assert (
        "left out 1 file(s), a page with no post in it (an about, contact or index page): "
        f"{site / 'about' / 'index.html'}"
    ) in imported.stdout.splitlines()

    named = clipdesk(home, "import-archive", str(site / "about" / "index.html"), check=False)
    assert named.returncode == 2
    assert "no posts found" in named.stderr
