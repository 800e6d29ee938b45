"""Storing parsed archives: idempotent, updates in place, all-or-nothing per file."""

import datetime
import hashlib
import io
import json

import pytest
from lxml import etree

from clipdesk.archive.importing import gazetteer_for, import_page
from clipdesk.archive.parsing import parse_archive
from clipdesk.digest.credits import source_line
from clipdesk.digest.models import Credit, Outlet, Post, SiteProfile
from clipdesk.digest.names import fold_name
from clipdesk.digest.outlets import OutletDirectory
from tests.conftest import FIXTURES
from tests.factories import make_outlet, make_post

pytestmark = pytest.mark.django_db

ARCHIVE = FIXTURES / "import" / "harbour-watch.txt"
CORRECTED = FIXTURES / "import" / "harbour-watch-corrected.txt"


def run_import(path):
    outlets = OutletDirectory()
    page = parse_archive(path.read_bytes(), gazetteer=gazetteer_for(outlets))
    return import_page(page, outlets)


def test_import_stores_posts_credits_and_the_site_profile():
    result = run_import(ARCHIVE)
    assert (result.added, result.updated, result.skipped) == (3, 0, 0)
    hall = Post.objects.get(headline="Residents fill the hall for the quay hearing")
    assert hall.posted_on is None
    assert hall.is_published
    assert source_line(hall.credits.all()) == (
        "The Harbour Gazette, Northern Ledger and Valley Times, March 1 2021"
    )
    chair = Post.objects.get(headline="Port authority names a new chair")
    assert chair.credits.get().date == datetime.date(2021, 2, 26)
    profile = SiteProfile.load()
    assert profile.name == "Harbour Watch"
    assert profile.about.startswith("Harbour Watch reads the regional press")


def test_undated_post_is_ordered_by_its_credit_date():
    run_import(ARCHIVE)
    hall = Post.objects.get(headline__startswith="Residents fill")
    assert hall.posted_on_inferred == datetime.date(2021, 3, 1)
    order = list(Post.objects.published().newest_first().values_list("headline", flat=True))
    assert order[1].startswith("Residents fill")


def test_second_import_changes_nothing():
    run_import(ARCHIVE)
    before = list(Post.objects.values_list("id", "updated_at").order_by("id"))
    credits_before = Credit.objects.count()
    result = run_import(ARCHIVE)
    assert (result.added, result.updated, result.skipped) == (0, 0, 3)
    assert list(Post.objects.values_list("id", "updated_at").order_by("id")) == before
    assert Credit.objects.count() == credits_before
    assert Outlet.objects.count() == 3


def test_corrected_post_is_updated_in_place_keeping_editor_fields():
    run_import(ARCHIVE)
    post = Post.objects.get(headline="Dredging contract goes to a second vote")
    post.status = Post.Status.DRAFT
    post.slug = "editors-own-slug"
    post.save()
    result = run_import(CORRECTED)
    assert (result.added, result.updated) == (0, 1)
    post.refresh_from_db()
    assert "three members" in post.excerpt
    assert post.slug == "editors-own-slug" and post.status == Post.Status.DRAFT
    assert Post.objects.filter(headline=post.headline).count() == 1


def test_known_outlet_alias_is_reused_not_duplicated():
    make_outlet("Harbour Gazette", aliases=["The Harbour Gazette"])
    run_import(ARCHIVE)
    assert Outlet.objects.filter(name__icontains="harbour").count() == 1


def test_editor_set_site_profile_is_not_overwritten():
    profile = SiteProfile.load()
    profile.name, profile.about = "Our Own Name", "Our own aims."
    profile.save()
    run_import(ARCHIVE)
    profile.refresh_from_db()
    assert (profile.name, profile.about) == ("Our Own Name", "Our own aims.")


ENTITY_CONTROLS = b"""<html><head><title>Quay Notes</title></head><body>
<article class="post"><h2 class="entry-title">Ferry &#1;timetable&#x1b; changes</h2>
<p>Posted on: 2022/02/02</p>
<p>Jane Roe, Ridge Weekly, February 2 2022:&hellip; The winter &#7;timetable starts &#127;on
Monday &#xFFFE;and runs &#x0c;to March.</p>
</article></body></html>"""


def test_control_characters_written_as_entities_are_not_stored(client):
    outlets = OutletDirectory()
    import_page(parse_archive(ENTITY_CONTROLS, filename="notes.html"), outlets)

    post = Post.objects.get()
    assert post.headline == "Ferry timetable changes"
    assert "The winter timetable starts on Monday and runs to March." in " ".join(
        post.excerpt.split()
    )
    for url in ("/feed/", "/feed/atom/"):  # XML refuses every one of those characters
        etree.fromstring(client.get(url).content)


def roundup_page(excerpt: str) -> bytes:
    return (
        "Quay Notes\n\nNotes on the quay in the press.\n\n"
        f"Weekend press roundup\n\nRidge Weekly:… {excerpt}\n"
    ).encode()


def import_text(content: bytes, name: str = "page.txt"):
    outlets = OutletDirectory()
    page = parse_archive(content, gazetteer=gazetteer_for(outlets), filename=name)
    result = import_page(page, outlets)
    return result.added, result.updated, result.skipped


def test_undated_posts_of_the_same_headline_on_two_pages_are_two_posts():
    first = roundup_page("The marina plan was put off until the autumn.")
    second = roundup_page("Anglers asked for the old pier to stay open.")
    assert import_text(first) == (1, 0, 0)
    assert import_text(second) == (1, 0, 0)
    assert sorted(Post.objects.values_list("excerpt", flat=True)) == [
        "Anglers asked for the old pier to stay open.",
        "The marina plan was put off until the autumn.",
    ]
    assert import_text(first) == (0, 0, 1)
    assert import_text(second) == (0, 0, 1)


def test_an_undated_post_keeps_its_day_when_imported_again_on_another(settings):
    page = roundup_page("The marina plan was put off until the autumn.")
    settings.TIME_ZONE = "Pacific/Kiritimati"  # already tomorrow in most of the world
    import_text(page)
    day = Post.objects.get().posted_on_inferred
    settings.TIME_ZONE = "Pacific/Pago_Pago"  # still yesterday
    assert import_text(page) == (0, 0, 1)
    assert Post.objects.get().posted_on_inferred == day


def test_an_undated_post_imported_under_the_older_key_is_recognised():
    page = roundup_page("The marina plan was put off until the autumn.")
    import_text(page)
    post = Post.objects.get()
    older = hashlib.sha256(f"{fold_name(post.headline)}|".encode()).hexdigest()[:40]
    Post.objects.filter(pk=post.pk).update(import_key=older)

    assert import_text(page) == (0, 0, 1)
    assert Post.objects.get().pk == post.pk


def test_a_post_page_of_the_site_imported_again_keeps_every_credit(client):
    """The source line joins credits of different dates or authors with "; "."""
    make_post(
        "Quay hearing adjourned",
        posted_on=datetime.date(2019, 3, 4),
        excerpt="The hearing was adjourned until May.",
        credits=[
            {
                "author": "Jane Roe",
                "outlet": make_outlet("Ridge Weekly"),
                "date": datetime.date(2019, 3, 3),
            },
            {"outlet": make_outlet("Coastal Times"), "date": datetime.date(2019, 3, 4)},
            {"outlet": make_outlet("Bay Evening Star"), "date": datetime.date(2019, 3, 4)},
        ],
    )
    original = source_line(Post.objects.get().credits.all())
    page = client.get("/").content
    Post.objects.all().delete()

    outlets = OutletDirectory()
    import_page(
        parse_archive(page, gazetteer=gazetteer_for(outlets), filename="front.html"), outlets
    )

    post = Post.objects.get()
    assert source_line(post.credits.all()) == original
    assert post.excerpt == "The hearing was adjourned until May."


POSITION_ONLY = b"""Quay Notes

Notes on the quay in the press.

Dockers vote to strike

Posted on: 2019/05/10

Evening Lantern, May 10 2019:... Dockers voted to walk out next month.

Strike called off

Posted on: 2019/05/20

Jane Roe, Evening Lantern, May 20 2019:... The union and the port agreed late on Sunday.
"""


def test_an_outlet_only_its_position_names_is_read_the_same_at_every_import():
    assert import_text(POSITION_ONLY) == (2, 0, 0)
    strike = Post.objects.get(headline="Dockers vote to strike").credits.get()
    assert (strike.author, strike.outlet.name) == ("", "Evening Lantern")
    assert import_text(POSITION_ONLY) == (0, 0, 2)  # the database's outlets change nothing


def dated_page(posted: str, credit_date: str, excerpt: str, headline: str = "Port opens") -> bytes:
    return (
        "Quay Notes\n\nNotes on the quay in the press.\n\n"
        f"{headline}\n\nPosted on: {posted}\n\n"
        f"Jane Roe, Ridge Weekly, {credit_date}:… {excerpt}\n"
    ).encode()


@pytest.mark.parametrize(
    ("before", "after"),
    [("", "2021/03/01"), ("2021/03/01", "2021/03/02")],
)
def test_a_post_whose_posted_on_was_filled_in_or_changed_is_updated_in_place(before, after):
    excerpt = "The new port opened to ferries on Sunday."
    assert import_text(dated_page(before, "February 28 2021", excerpt)) == (1, 0, 0)
    post = Post.objects.get()

    assert import_text(dated_page(after, "February 28 2021", excerpt)) == (0, 1, 0)

    assert list(Post.objects.values_list("pk", flat=True)) == [post.pk]
    assert import_text(dated_page(after, "February 28 2021", excerpt)) == (0, 0, 1)
    assert Post.objects.get().posted_on == datetime.date(2021, 3, int(after[-1]))


def test_a_copy_that_says_less_leaves_what_the_fuller_copy_gave():
    """A listing with the "Posted on" left blank, or a credit without its author: in either
    file order, and at every import after, the post keeps its date and its author."""
    excerpt = "The new port opened to ferries on Sunday."
    full = dated_page("2021/03/01", "February 28 2021", excerpt)
    undated = dated_page("", "February 28 2021", excerpt)
    no_author = full.replace(b"Jane Roe, Ridge Weekly", b"Ridge Weekly")
    for pages in ([full, undated, no_author], [undated, no_author, full]):
        Post.objects.all().delete()
        for page in pages:
            import_text(page)
        for page in pages:  # the next import finds every copy up to date
            assert import_text(page) == (0, 0, 1)
        post = Post.objects.get()
        assert post.posted_on == datetime.date(2021, 3, 1)
        assert [(c.author, c.outlet.name) for c in post.credits.all()] == [
            ("Jane Roe", "Ridge Weekly")
        ]


def test_a_weekly_note_of_one_headline_and_text_on_other_days_is_another_post():
    note = "Listen to this week's episode of the harbour hour."
    first = dated_page("2021/02/26", "", note, "Harbour Hour").replace(
        b"Jane Roe, Ridge Weekly, :", b"Ridge Radio:"
    )
    assert import_text(first) == (1, 0, 0)
    later = first.replace(b"2021/02/26", b"2021/03/05")
    assert import_text(later) == (1, 0, 0)
    assert sorted(Post.objects.values_list("posted_on", flat=True)) == [
        datetime.date(2021, 2, 26),
        datetime.date(2021, 3, 5),
    ]
    assert import_text(first) == (0, 0, 1) and import_text(later) == (0, 0, 1)


def test_one_post_shown_twice_on_a_page_is_one_post():
    page = dated_page("2021/03/01", "February 28 2021", "The new port opened on Sunday.")
    twice = page + page.split(b"\n\n", 2)[2]
    assert import_text(twice) == (1, 0, 1)
    assert Post.objects.count() == 1


def test_weekly_posts_of_one_headline_dated_by_each_others_days_stay_two_posts():
    first = dated_page("2021/03/01", "February 28 2021", "Ferries ran late.", "Weekly roundup")
    second = dated_page("2021/03/08", "March 1 2021", "The pier reopened.", "Weekly roundup")
    assert import_text(first) == (1, 0, 0)
    assert import_text(second) == (1, 0, 0)
    assert Post.objects.count() == 2
    assert import_text(first) == (0, 0, 1)


def test_one_post_twice_on_a_page_under_two_dates_stays_two_posts():
    excerpt = "The new port opened to ferries on Sunday."
    page = (
        dated_page("2021/03/01", "February 28 2021", excerpt)
        + dated_page("2021/03/05", "March 4 2021", excerpt).split(b"\n\n", 2)[2]
    )
    assert import_text(page) == (2, 0, 0)
    assert import_text(page) == (0, 0, 2)


def test_a_listings_teaser_does_not_replace_the_whole_excerpt_of_the_posts_own_page():
    whole = "The new port opened to ferries on Sunday. Crews said the quay needs more lights."
    single = dated_page("2021/03/01", "February 28 2021", whole)
    listing = dated_page("2021/03/01", "February 28 2021", "The new port opened to ferries…")
    for order in ([single, listing], [listing, single]):
        for page in order:
            import_text(page)
        assert Post.objects.get().excerpt == whole
    assert import_text(listing) == (0, 0, 1) and import_text(single) == (0, 0, 1)


def test_the_editors_words_above_a_credit_become_the_posts_commentary_once():
    page = (
        b"Quay Notes\n\nNotes on the quay in the press.\n\n"
        b"Port opens\n\nPosted on: 2021/03/01\n\n"
        b"The port story drew wide coverage <this> week.\n\n"
        b"Jane Roe, Ridge Weekly, February 28 2021:\n\n"
        b"The new port opened to ferries on Sunday.\n"
    )
    assert import_text(page) == (1, 0, 0)
    post = Post.objects.get()
    assert post.excerpt == "The new port opened to ferries on Sunday."
    assert post.body == "<p>The port story drew wide coverage &lt;this&gt; week.</p>"
    post.body = "<p>Our own note.</p>"
    post.save()
    assert import_text(page) == (0, 0, 1)
    post.refresh_from_db()
    assert post.body == "<p>Our own note.</p>"


WORDPRESS = FIXTURES / "import" / "wordpress-export.xml"


def import_export(content: bytes):
    outlets = OutletDirectory()
    page = parse_archive(content, gazetteer=gazetteer_for(outlets), filename="export.xml")
    result = import_page(page, outlets)
    return result.added, result.updated, result.skipped


def test_a_wordpress_post_is_known_by_its_id_through_an_edited_headline_and_date():
    original = WORDPRESS.read_bytes()
    assert import_export(original) == (2, 0, 0)
    post = Post.objects.get(headline="Barrage vote delayed again")
    edited = original.replace(b"Barrage vote delayed again", b"Barrage vote put off again")
    edited = edited.replace(b"2021-03-03 09:15:00", b"2021-03-04 09:15:00")

    assert import_export(edited) == (0, 1, 1)

    post.refresh_from_db()
    assert post.headline == "Barrage vote put off again"
    assert post.posted_on == datetime.date(2021, 3, 4)
    assert Post.objects.count() == 2
    assert import_export(edited) == (0, 0, 2)


def test_an_outlet_a_later_file_names_is_an_outlet_in_every_file_whatever_their_order(
    tmp_path,
):
    from django.core.management import call_command

    pages = {
        "a.txt": "Quay Notes\n\nPilots threaten strike\n\nPosted on: 2021/03/05\n\n"
        "Morning Beacon, March 4 2021:… The pilots said they would stop on Monday.\n",
        "b.txt": "Quay Notes\n\nDredger runs aground\n\nPosted on: 2021/03/09\n\n"
        "Ilse Varnham, Morning Beacon, March 8 2021:… A dredger ran aground on Sunday.\n",
    }
    for name, text in pages.items():
        (tmp_path / name).write_text(text)

    def credits() -> list[tuple[str, str | None]]:
        return [
            (c.author, c.outlet and c.outlet.name)
            for c in Credit.objects.order_by("post__headline")
        ]

    call_command("import_archive", str(tmp_path), "--json")  # a.txt is read first
    assert credits() == [("Ilse Varnham", "Morning Beacon"), ("", "Morning Beacon")]
    out = io.StringIO()
    call_command("import_archive", str(tmp_path), "--json", stdout=out)
    assert json.loads(out.getvalue())["updated"] == 0  # the next import agrees


def test_an_outlets_place_is_a_place_with_no_author_too():
    page = (
        "Quay Notes\n\nBreakwater tender reopened\n\nPosted on: 2021/07/01\n\n"
        "Harbour Times, Northport, July 1 2021:… The tender for the breakwater was reopened.\n"
    ).encode()
    assert import_text(page) == (1, 0, 0)
    assert [(c.author, c.outlet.name, c.place) for c in Credit.objects.all()] == [
        ("", "Harbour Times", "Northport")
    ]
    assert not Outlet.objects.filter(name="Northport").exists()


def test_a_teaser_list_and_the_posts_own_page_are_one_post_in_either_order():
    teaser = (
        "<html><body><h1>Quay Notes</h1><h2>Latest</h2><ul>"
        "<li><a href='https://quay.example/2021/10/02/grain-silo/'>Grain silo plans "
        "shelved</a> – The port company has shelved its plans for a grain silo on the "
        "east quay…</li>"
        "<li><a href='https://quay.example/2021/10/01/tug/'>Tug crew rescues kayakers</a> – "
        "Two kayakers were pulled from the water by a tug crew…</li></ul></body></html>"
    ).encode()
    single = dated_page(
        "2021/10/02",
        "October 1 2021",
        "The port company has shelved its plans for a grain silo on the east quay, citing costs.",
        "Grain silo plans shelved",
    )
    for order in ([(teaser, "list.html"), (single, "silo.txt")],
                  [(single, "silo.txt"), (teaser, "list.html")]):  # fmt: skip
        Post.objects.all().delete()
        for page, name in order:
            import_text(page, name)
        post = Post.objects.get(headline="Grain silo plans shelved")
        assert post.posted_on == datetime.date(2021, 10, 2) and post.credits.count() == 1
        assert post.excerpt.endswith("citing costs.")
        assert import_text(teaser, "list.html") == (0, 0, 2)
        assert import_text(single, "silo.txt") == (0, 0, 1)


@pytest.mark.parametrize(
    ("before", "after"),
    [(("2021/08/30", "August 28 2021"), ("2021/08/29", "August 29 2021")),
     (("", "August 21 2021"), ("", "August 12 2021"))],
)  # fmt: skip
def test_a_post_whose_dates_were_corrected_together_is_updated_in_place(before, after):
    excerpt = "The dock gates were replaced in a single weekend by a crew of divers."
    assert import_text(dated_page(*before, excerpt, "Dock gates replaced")) == (1, 0, 0)
    assert import_text(dated_page(*after, excerpt, "Dock gates replaced")) == (0, 1, 0)
    assert Post.objects.count() == 1


def test_the_same_words_in_other_papers_two_days_apart_are_two_posts_at_every_import():
    excerpt = "The council met tonight to vote on the sale of the old ferry terminal."
    first = dated_page("2021/05/01", "May 1 2021", excerpt, "Terminal sale vote")
    other = first.replace(b"2021/05/01", b"2021/05/03").replace(b"May 1 2021", b"May 3 2021")
    other = other.replace(b"Jane Roe, Ridge Weekly", b"Tom Reyes, Bay Courier")

    assert import_text(first, "a.txt") == (1, 0, 0)
    assert import_text(other, "b.txt") == (1, 0, 0)
    assert import_text(first, "a.txt") == (0, 0, 1)
    assert import_text(other, "b.txt") == (0, 0, 1)
    credits = Credit.objects.order_by("date").values_list("author", "outlet__name", "date")
    assert list(credits) == [
        ("Jane Roe", "Ridge Weekly", datetime.date(2021, 5, 1)),
        ("Tom Reyes", "Bay Courier", datetime.date(2021, 5, 3)),
    ]


def test_only_a_copy_with_its_dates_corrected_gives_way_to_the_later_file():
    from clipdesk.archive.importing import superseded_copies

    excerpt = "The dock gates were replaced in a single weekend by a crew of divers."
    old = dated_page("2021/08/21", "August 21 2021", excerpt, "Dock gates")
    versions = {
        "corrected": (dated_page("2021/08/12", "August 12 2021", excerpt, "Dock gates"), True),
        "posted on filled in": (dated_page("", "August 21 2021", excerpt, "Dock gates"), False),
        "a day later": (dated_page("2021/08/22", "August 22 2021", excerpt, "Dock gates"), True),
        "the same": (old, False),
        "other papers": (
            dated_page("2021/08/22", "August 22 2021", excerpt, "Dock gates").replace(
                b"Jane Roe, Ridge Weekly", b"Tom Reyes, Bay Courier"
            ),
            False,
        ),
        "a week later": (dated_page("2021/08/28", "", excerpt, "Dock gates"), False),
        "other words": (dated_page("2021/08/22", "August 22 2021", "Divers.", "Dock gates"), False),
    }
    gazetteer = gazetteer_for(OutletDirectory())
    for name, (later, gives_way) in versions.items():
        pages = [parse_archive(p, gazetteer=gazetteer) for p in (old, later)]
        assert superseded_copies(pages) == [{0} if gives_way else set(), set()], name


@pytest.mark.parametrize(
    ("one", "other", "mistyped"),
    [
        ((2021, 8, 21), (2021, 8, 12), True),  # two digits swapped
        ((2021, 8, 21), (2021, 8, 31), True),  # one digit
        ((2019, 6, 10), (2091, 6, 10), True),
        ((2020, 3, 13), (2020, 3, 6), False),  # a week apart
        ((2020, 3, 14), (2020, 3, 7), False),
        ((2021, 8, 21), (2021, 9, 12), False),  # two parts differ
    ],
)
def test_two_dates_may_be_one_typed_wrong_only_by_a_digit_or_a_swap(one, other, mistyped):
    from clipdesk.archive.importing import _mistyped

    assert _mistyped(datetime.date(*one), datetime.date(*other)) is mistyped


def import_credits(*outlets: str) -> list[str]:
    """Import one post a credit, each of these outlets; the stored outlet of every credit."""
    posts = "".join(
        f"Quay note {n}\n\nPosted on: 2020/03/0{n + 1}\n\n"
        f"Jane Roe, {outlet}, March {n} 2020:… The quay note number {n}.\n\n"
        for n, outlet in enumerate(outlets, start=1)
    )
    directory = OutletDirectory()
    text = f"Quay Notes\n\nNotes on the quay in the press.\n\n{posts}"
    import_page(parse_archive(text.encode(), gazetteer=gazetteer_for(directory)), directory)
    return [c.outlet.name for c in Credit.objects.order_by("post__posted_on")]


# An outlet written with and without a leading "The": (outlets there before, credits'
# outlets, every credit's stored outlet, every outlet there after).
THE_CASES = [
    pytest.param(
        [], ["The Quayside Times", "Quayside Times"], ["The Quayside Times"] * 2,
        ["The Quayside Times"], id="first_written_with_the",
    ),
    pytest.param(
        [], ["Quayside Times", "The Quayside Times"], ["Quayside Times"] * 2,
        ["Quayside Times"], id="first_written_without_the",
    ),
    pytest.param(
        ["The Quayside Times"], ["Quayside Times"], ["The Quayside Times"],
        ["The Quayside Times"], id="an_outlet_there_before_with_the",
    ),
    pytest.param(
        ["Quayside Times"], ["The Quayside Times"], ["Quayside Times"],
        ["Quayside Times"], id="an_outlet_there_before_without_the",
    ),
    pytest.param(
        ["The Quayside Times", "Quayside Times"], ["Quayside Times", "The Quayside Times"],
        ["Quayside Times", "The Quayside Times"], ["Quayside Times", "The Quayside Times"],
        id="two_outlets_there_before_keep_their_own_credits",
    ),
    pytest.param(
        [], ["The Quayside Times", "Quayside"], ["The Quayside Times", "Quayside"],
        ["Quayside", "The Quayside Times"], id="other_words_are_another_outlet",
    ),
    pytest.param(
        [], ["Times of the Quay", "Times of Quay"], ["Times of the Quay", "Times of Quay"],
        ["Times of Quay", "Times of the Quay"], id="the_inside_a_name_counts",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("before", "written", "credited", "after"), THE_CASES)
def test_an_outlet_written_with_and_without_the_is_one_outlet(before, written, credited, after):
    for name in before:
        make_outlet(name)
    assert import_credits(*written) == credited
    assert sorted(Outlet.objects.values_list("name", flat=True)) == after


def test_a_post_crediting_an_outlet_without_its_the_is_the_same_post_redated():
    import_credits("The Quayside Times")
    directory = OutletDirectory()
    text = (
        "Quay Notes\n\nNotes on the quay in the press.\n\nQuay note 1\n\nPosted on: 2020/03/03\n\n"
        "Jane Roe, Quayside Times, March 2 2020:… The quay note number 1.\n"
    )
    result = import_page(
        parse_archive(text.encode(), gazetteer=gazetteer_for(directory)), directory
    )
    assert (result.added, result.updated) == (0, 1)
    assert Post.objects.count() == 1


def test_a_source_dated_in_a_year_not_yet_come_does_not_top_the_front_page(client):
    """ "Jnauary 5 2090" for 2019: the post was ordered by its credit's date, first on the
    front page for decades, and the credit showed a day not yet come."""
    far = datetime.date.today().year + 60
    text = (
        "Quay Notes\n\n"
        "Market opens\n\nPosted on: 2019/03/02\n\nBay Herald, March 2 2019:… It opened.\n\n"
        "Gates shut\n\nPosted on: 2019/03/01\n\nBay Herald, March 1 2019:… Shut for winter.\n\n"
        f"Wall cracks\n\nPosted on:\n\nBay Herald, Jnauary 5 {far}:… A crack in the wall.\n"
    )
    outlets = OutletDirectory()
    import_page(parse_archive(text.encode(), gazetteer=gazetteer_for(outlets)), outlets)

    wall = Post.objects.get(headline="Wall cracks")
    assert [c.date for c in wall.credits.all()] == [None]
    assert wall.posted_on_inferred == datetime.date(2019, 3, 1)  # the post's above it
    front = client.get("/").content.decode()
    assert front.index("Market opens") < front.index("Wall cracks")
    assert str(far) not in front
