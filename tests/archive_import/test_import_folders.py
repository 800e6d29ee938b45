"""`import-archive FOLDER`: which files of a saved site are read, and which are left and why.

A site copied from its server keeps its pages under the server's names (.php, .shtml, .asp),
beside the scripts themselves, styles and pictures; the pages are told by their content, and
the summary names what was left.
"""

import json

import pytest

from clipdesk.archive.reading import find_archive_files
from tests.cli import clipdesk

PAGE = (
    "<!DOCTYPE html>\n<html><head><title>Quay Notes</title></head><body>"
    "<article><h2>{headline}</h2><p>Posted on: 2019/02/20</p>"
    "<p>Mara Keel, The Saltmarsh Ledger, February 19 2019:… {excerpt}</p>"
    "</article></body></html>\n"
)


def page(headline: str = "Winter Ferry Cut", excerpt: str = "The ferry was cut.") -> str:
    return PAGE.format(headline=headline, excerpt=excerpt)


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
        "XML that is not a WordPress export",
        id="sitemap",
    ),
]


@pytest.mark.parametrize(("name", "content", "reason"), FILES)
def test_a_folders_file_is_read_or_left_with_its_reason(tmp_path, name, content, reason):
    (tmp_path / name).write_text(content, encoding="utf-8")
    found = find_archive_files([str(tmp_path)])
    if reason is None:
        assert found.pages == [tmp_path / name]
        assert found.skipped == {}
    else:
        assert found.pages == []
        assert found.skipped == {reason: [tmp_path / name]}


def test_a_file_named_on_the_command_line_is_read_whatever_its_name(tmp_path):
    named = tmp_path / "notes.dat"
    named.write_text(page())
    assert find_archive_files([str(named)]).pages == [named]


def test_skipped_files_are_counted_by_reason_with_the_first_names(tmp_path):
    for n in range(5):
        (tmp_path / f"logo{n}.png").write_bytes(b"\x89PNG\r\n")
    [line] = find_archive_files([str(tmp_path)]).skipped_lines()
    assert line.startswith("skipped 5 file(s), not a page by its name (.png): ")
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
        "2 file(s): 2 post(s) added, 0 updated, 0 skipped (already up to date), 0 file(s) failed.",
        f"skipped 1 file(s), server code, not a saved page (.php): {site / 'config.php'}",
        f"skipped 1 file(s), not a page by its name (.css): {site / 'styles' / 'site.css'}",
    ]

    again = json.loads(clipdesk(home, "import-archive", str(site), "--json").stdout)
    assert (again["added"], again["skipped"]) == (0, 2)
    assert again["skipped_files"] == [
        {"path": str(site / "config.php"), "reason": "server code, not a saved page (.php)"},
        {"path": str(site / "styles" / "site.css"), "reason": "not a page by its name (.css)"},
    ]
    dry = json.loads(clipdesk(home, "import-archive", str(site), "--dry-run", "--json").stdout)
    assert sorted(p["headline"] for p in dry["posts"]) == ["Quay Reopens", "Winter Ferry Cut"]
    assert len(dry["skipped_files"]) == 2


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
