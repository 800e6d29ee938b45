"""`clipdesk import-archive` as a user runs it: a real process on a real instance."""

import json
import shutil
import sqlite3
import subprocess
import sys

import pytest

from tests.cli import clipdesk
from tests.conftest import FIXTURES

ARCHIVE = FIXTURES / "import" / "harbour-watch.txt"


def count_posts(home) -> int:
    with sqlite3.connect(home / "clipdesk.sqlite3") as db:
        return db.execute("select count(*) from digest_post").fetchone()[0]


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    home = tmp_path_factory.mktemp("instance")
    clipdesk(home, "init")
    return home


def test_dry_run_prints_json_and_writes_nothing(home):
    result = clipdesk(home, "import-archive", str(ARCHIVE), "--dry-run", "--json")
    data = json.loads(result.stdout)
    assert data["site"]["name"] == "Harbour Watch"
    assert [p["posted_on"] for p in data["posts"]] == ["2021-03-02", None, "2021-02-26"]
    assert data["posts"][1]["sources"] == [
        {"author": None, "outlet": "The Harbour Gazette", "date": "2021-03-01"},
        {"author": None, "outlet": "Northern Ledger", "date": "2021-03-01"},
        {"author": None, "outlet": "Valley Times", "date": "2021-03-01"},
    ]
    assert count_posts(home) == 0


def test_import_then_reimport_reports_added_then_skipped(home):
    first = json.loads(clipdesk(home, "import-archive", str(ARCHIVE), "--json").stdout)
    assert (first["added"], first["updated"], first["skipped"]) == (3, 0, 0)
    second = json.loads(clipdesk(home, "import-archive", str(ARCHIVE), "--json").stdout)
    assert (second["added"], second["updated"], second["skipped"]) == (0, 0, 3)
    assert count_posts(home) == 3


def test_bad_file_is_named_exit_2_and_other_files_still_import(tmp_path):
    home = tmp_path / "home"
    clipdesk(home, "init")
    bad = tmp_path / "broken.txt"
    bad.write_bytes(b"\xff\xfe\x00garbage\x00\xff" * 50)
    good = tmp_path / "good.txt"
    shutil.copy(ARCHIVE, good)
    missing = tmp_path / "missing.txt"
    result = clipdesk(home, "import-archive", str(bad), str(missing), str(good), check=False)
    assert result.returncode == 2
    assert "broken.txt" in result.stderr and "missing.txt" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert count_posts(home) == 3


def test_import_into_uninitialised_home_says_to_init(tmp_path):
    result = clipdesk(tmp_path / "nowhere", "import-archive", str(ARCHIVE), check=False)
    assert result.returncode == 2
    assert "clipdesk init" in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_command_and_help():
    result = subprocess.run(
        [sys.executable, "-m", "clipdesk", "frobnicate"], capture_output=True, text=True
    )
    assert result.returncode == 2 and "unknown command" in result.stderr
    helped = subprocess.run(
        [sys.executable, "-m", "clipdesk", "--help"], capture_output=True, text=True
    )
    assert helped.returncode == 0 and "import-archive" in helped.stdout


def test_a_dry_run_reads_credits_with_the_outlets_the_database_knows(tmp_path):
    home = tmp_path / "instance"
    clipdesk(home, "init")
    first = tmp_path / "first.txt"
    first.write_text(
        "Quay Notes\n\nNotes on the quay in the press.\n\nStrike called off\n\n"
        "Posted on: 2019/05/20\n\nJane Roe, Evening Lantern, May 20 2019:... The union agreed.\n"
    )
    clipdesk(home, "import-archive", str(first))  # the database now knows the outlet
    alone = tmp_path / "alone.txt"
    alone.write_text(
        "Quay Notes\n\nNotes on the quay in the press.\n\nDockers vote to strike\n\n"
        "Posted on: 2019/05/10\n\nEvening Lantern, May 10 2019:... Dockers voted to walk out.\n"
    )

    shown = json.loads(clipdesk(home, "import-archive", str(alone), "--dry-run", "--json").stdout)
    clipdesk(home, "import-archive", str(alone))

    assert shown["posts"][0]["sources"] == [
        {"author": None, "outlet": "Evening Lantern", "date": "2019-05-10"}
    ]
    with sqlite3.connect(home / "clipdesk.sqlite3") as db:
        stored = db.execute(
            "select c.author, o.name from digest_credit c join digest_outlet o"
            " on o.id = c.outlet_id join digest_post p on p.id = c.post_id"
            " where p.headline = 'Dockers vote to strike'"
        ).fetchall()
    assert stored == [("", "Evening Lantern")]  # what the dry run showed


def test_an_old_export_beside_a_corrected_one_settles_on_the_later_file(tmp_path):
    """Two exports of one archive in one folder: the later file's dates are the post's, and
    an import after the first changes nothing (each used to move the post back and forth)."""
    home = tmp_path / "home"
    clipdesk(home, "init")
    folder = tmp_path / "exports"
    folder.mkdir()
    page = (
        "Quay Notes\n\nNotes on the quay in the press.\n\nDock gates replaced\n\n"
        "Posted on: {posted}\n\nJane Roe, Ridge Weekly, {day}:… The dock gates were "
        "replaced in a single weekend by a crew of divers.\n"
    )
    (folder / "2021-export.txt").write_text(page.format(posted="2021/08/21", day="August 21 2021"))
    (folder / "2022-export.txt").write_text(page.format(posted="2021/08/12", day="August 12 2021"))

    runs = [
        json.loads(clipdesk(home, "import-archive", str(folder), "--json").stdout) for _ in range(3)
    ]

    assert [(r["added"], r["updated"], r["skipped"]) for r in runs] == [
        (1, 0, 1),
        (0, 0, 2),
        (0, 0, 2),
    ]
    with sqlite3.connect(home / "clipdesk.sqlite3") as db:
        assert db.execute("select posted_on from digest_post").fetchall() == [("2021-08-12",)]


def _import_folder(home, folder) -> dict:
    return json.loads(clipdesk(home, "import-archive", str(folder), "--json").stdout)


def test_a_listings_copy_in_a_later_file_never_replaces_the_posts_own_page(tmp_path):
    home = tmp_path / "home"
    clipdesk(home, "init")
    folder = tmp_path / "site"
    folder.mkdir()
    header = "Quay Notes\n\nNotes on the quay in the press.\n\n"
    whole = (
        "The ferry company raised its fares for the third time this year, and the island "
        "council asked for a hearing before the summer timetable."
    )
    (folder / "a-post.txt").write_text(
        f"{header}Ferry fares rise again\n\nPosted on: 2020/03/10\n\n"
        f"Tom Reed, Daily Tide, March 10 2020:… {whole}\n\n"
        "Maria Lopes, The Coastal Herald, March 8 2020:… The council wants a hearing.\n"
    )
    (folder / "b-listing.txt").write_text(
        f"{header}Ferry fares rise again\n\nPosted on: 2020/03/10\n\n"
        f"Tom Reed, Daily Tide, March 10 2020:… {whole[:60]} […]\n"
    )

    runs = [_import_folder(home, folder) for _ in range(2)]

    assert [(r["added"], r["updated"]) for r in runs] == [(1, 0), (0, 0)]
    with sqlite3.connect(home / "clipdesk.sqlite3") as db:
        assert db.execute("select excerpt from digest_post").fetchall()[0][0].startswith(whole)
        assert db.execute("select count(*) from digest_credit").fetchone()[0] == 2


def test_a_weekly_note_of_the_same_words_in_two_files_is_two_posts(tmp_path):
    home = tmp_path / "home"
    clipdesk(home, "init")
    folder = tmp_path / "pages"
    folder.mkdir()
    for name, posted, day in (
        ("2.txt", "2020/03/14", "March 13"),
        ("3.txt", "2020/03/07", "March 6"),
    ):
        (folder / name).write_text(
            "Quay Notes\n\nNotes on the quay in the press.\n\nWeekly press review\n\n"
            f"Posted on: {posted}\n\nThe Coastal Herald, {day} 2020:… This week's cuttings "
            "from the harbour papers, in one place.\n"
        )

    assert _import_folder(home, folder)["added"] == 2
    assert _import_folder(home, folder)["added"] == 0
    with sqlite3.connect(home / "clipdesk.sqlite3") as db:
        days = db.execute("select posted_on from digest_post order by posted_on").fetchall()
    assert days == [("2020-03-07",), ("2020-03-14",)]


def test_a_dry_run_shows_only_the_later_files_copy_of_a_corrected_post(tmp_path):
    """What the dry run lists is what the import writes: an older export's copy of a post a
    later file corrects is not written, so it is not listed."""
    folder = tmp_path / "exports"
    folder.mkdir()
    page = (
        "Quay Notes\n\nNotes on the quay in the press.\n\nSea wall repaired\n\n"
        "Posted on: {posted}\n\nJane Roe, Ridge Weekly, {day}:… The sea wall was repaired "
        "with stone from the old quarry above the harbour.\n"
    )
    (folder / "2021-export.txt").write_text(
        page.format(posted="2021/09/21", day="September 21 2021")
    )
    (folder / "2022-export.txt").write_text(
        page.format(posted="2021/09/12", day="September 12 2021")
    )

    shown = json.loads(
        clipdesk(tmp_path / "h", "import-archive", str(folder), "--dry-run", "--json").stdout
    )
    said = clipdesk(tmp_path / "h", "import-archive", str(folder), "--dry-run").stdout

    assert [p["posted_on"] for p in shown["posts"]] == ["2021-09-12"]
    assert (
        "1 post(s) found in 2 file(s) (1 older copy(ies) that a later file corrects not written)"
        in said
    )


def test_outlets_with_and_in_their_names_states_and_ranges_of_days_are_stored_as_read(tmp_path):
    home = tmp_path / "home"
    clipdesk(home, "init")
    with sqlite3.connect(home / "clipdesk.sqlite3") as db:  # an outlet the editors entered
        db.execute(
            "insert into digest_outlet (name, slug, aliases, homepage)"
            " values ('Foreign Policy and Defence Review', 'fpdr', '[]', '')"
        )
    page = tmp_path / "credits.txt"
    page.write_text(
        "Quay Notes\n\nNotes on the quay in the press.\n\n"
        "Ferry timetable cut\n\nPosted on: 2019/03/04\n\n"
        "Jane Roe, Arts and Letters Daily, February 28 – March 2 2019:… The winter ferry "
        "was cut.\n\n"
        "Pier reopened\n\nPosted on: 2019/02/22\n\n"
        "Smith and Jones, Bayside Herald, MD, 19 – 21 February 2019; Reuters and AP, "
        "February 20 2019; Osric Tallow, Foreign Policy and Defence Review, February 19 - 21 "
        "2019:… The pier reopened.\n"
    )

    clipdesk(home, "import-archive", str(page))

    with sqlite3.connect(home / "clipdesk.sqlite3") as db:
        stored = db.execute(
            "select p.headline, c.author, o.name, c.date from digest_credit c"
            " join digest_outlet o on o.id = c.outlet_id join digest_post p on p.id = c.post_id"
            " order by p.posted_on desc, c.position"
        ).fetchall()
        outlets = {name for (name,) in db.execute("select name from digest_outlet")}
    assert stored == [
        ("Ferry timetable cut", "Jane Roe", "Arts and Letters Daily", "2019-02-28"),
        ("Pier reopened", "Smith and Jones", "Bayside Herald (MD)", "2019-02-19"),
        ("Pier reopened", "", "Reuters", "2019-02-20"),
        ("Pier reopened", "", "AP", "2019-02-20"),
        ("Pier reopened", "Osric Tallow", "Foreign Policy and Defence Review", "2019-02-19"),
    ]
    assert outlets == {
        "Arts and Letters Daily",
        "Bayside Herald (MD)",
        "Reuters",
        "AP",
        "Foreign Policy and Defence Review",
    }


def test_states_in_a_list_a_dateline_and_an_outlet_without_its_the_as_imported(home, tmp_path):
    page = tmp_path / "pier.txt"
    page.write_text(
        "Pier Notes\n\nNotes on the pier in the press.\n\n"
        "Pier closes for the winter\n\nPosted on: 2020/03/04\n\n"
        "Jane Roe, The Pierside Times, March 3 2020:…\n\n"
        "Baltimore, MD, March 3 2020 – The council voted to close the pier.\n\n"
        "Pier reopens in spring\n\nPosted on: 2020/04/02\n\n"
        "Bayside Herald, MD, Valley Courier, KY and Pierside Times, April 1 2020:… It opened.\n"
    )
    clipdesk(home, "import-archive", str(page))
    with sqlite3.connect(home / "clipdesk.sqlite3") as db:
        rows = db.execute(
            "select p.headline, o.name from digest_credit c join digest_post p on p.id = c.post_id"
            " join digest_outlet o on o.id = c.outlet_id where p.headline like 'Pier%'"
            " order by p.posted_on, c.position"
        ).fetchall()
        excerpt = db.execute(
            "select excerpt from digest_post where headline = 'Pier closes for the winter'"
        ).fetchone()[0]
    assert rows == [
        ("Pier closes for the winter", "The Pierside Times"),
        ("Pier reopens in spring", "Bayside Herald (MD)"),
        ("Pier reopens in spring", "Valley Courier (KY)"),
        ("Pier reopens in spring", "The Pierside Times"),
    ]
    assert excerpt.startswith("Baltimore, MD, March 3 2020 – The council voted")


def test_what_the_import_doubts_is_said_in_words_and_in_the_json(tmp_path):
    """A date left out as not yet come, a "Posted on" that reads as no date and a post
    crediting no one were imported without a word."""
    home = tmp_path / "home"
    clipdesk(home, "init")
    page = tmp_path / "doubts.txt"
    page.write_text(
        "Quay Notes\n\n"
        "Gates shut\n\nPosted on: Smarch 45 2019\n\nBay Herald, March 4 2019:… Shut.\n\n"
        "Pier report\n\nPosted on: 2019/03/02\n\nThe pier is to be repaired by summer.\n\n"
        "Market opens\n\nPosted on: 2019/03/01\n\nBay Herald, March 1 2019:… It opened.\n",
        encoding="utf-8",
    )
    dry = json.loads(clipdesk(home, "import-archive", str(page), "--dry-run", "--json").stdout)
    assert dry["doubtful"] == [
        {
            "path": str(page),
            "headline": "Gates shut",
            "doubt": "its “Posted on” date “Smarch 45 2019” reads as no date",
        },
        {
            "path": str(page),
            "headline": "Pier report",
            "doubt": "no source line: it credits no one",
        },
    ]
    said = clipdesk(home, "import-archive", str(page)).stdout
    assert "3 post(s) added" in said
    assert f"doubtful: {page}: “Pier report”: no source line: it credits no one" in said
    assert "“Gates shut”: its “Posted on” date “Smarch 45 2019” reads as no date" in said
    again = json.loads(clipdesk(home, "import-archive", str(page), "--json").stdout)
    assert [d["headline"] for d in again["doubtful"]] == ["Gates shut", "Pier report"]


def test_doubts_are_said_once_for_a_post_repeated_on_its_page(tmp_path):
    """A post shown twice on a page is written once ("1 repeated copy not written"): its
    doubt was said twice."""
    page = tmp_path / "digest.txt"
    post = "Pier report\n\nPosted on: 2019/03/02\n\nThe pier is to be repaired by summer.\n\n"
    credited = "Market opens\n\nPosted on: 2019/03/01\n\nBay Herald, March 1 2019:… It opened.\n"
    page.write_text("Quay Notes\n\n" + post + post + credited, encoding="utf-8")
    home = tmp_path / "home"
    clipdesk(home, "init")
    result = json.loads(clipdesk(home, "import-archive", str(page), "--json").stdout)
    assert result["repeated"] == 1
    assert [d["doubt"] for d in result["doubtful"]] == ["no source line: it credits no one"]
