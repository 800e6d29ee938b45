"""The export manifest, and how an incremental export finds what changed since it was written."""

from __future__ import annotations

import datetime
import random

import pytest
from django.utils import timezone

from clipdesk.digest.models import Post
from clipdesk.publish import plan
from clipdesk.publish.export import export_site
from clipdesk.publish.manifest import (
    MANIFEST,
    Manifest,
    PostEntry,
    PostTable,
    id_print,
    mixed_id,
)
from tests.factories import make_post


def entry(pk: int, version: str = "2024-01-01T00:00:00") -> PostEntry:
    return PostEntry(f"post-{pk}", version, 738000 + pk, [pk % 3], [1, 2][: pk % 3])


def test_a_post_table_stays_sorted_and_keeps_its_sums_through_changes():
    rng = random.Random(7)  # noqa: S311 - a reproducible sequence of edits
    model: dict[int, PostEntry] = {}
    table = PostTable()
    for _ in range(600):
        pk = rng.randrange(1, 200)
        if pk in model and rng.random() < 0.5:
            del model[pk], table[pk]
        else:
            model[pk] = table[pk] = entry(pk, f"v{rng.randrange(5)}")
    assert list(table) == sorted(model)
    assert {pk: table[pk] for pk in table} == model
    assert table.versions() == {pk: e.updated for pk, e in model.items()}
    assert table.id_print() == (len(model), sum(model), sum(map(mixed_id, model)))
    assert table.id_print() == PostTable(table.lines()).id_print()  # sums read from lines
    missing = next(pk for pk in range(1, 300) if pk not in model)
    assert missing not in table and table.version(missing) is None
    with pytest.raises(KeyError):
        table[missing]
    assert table.position(missing) == sum(1 for pk in model if pk < missing)


def test_a_manifest_reads_back_what_was_written(tmp_path):
    posts = PostTable.from_entries({pk: entry(pk) for pk in (9, 2, 40)})
    written = Manifest(
        code="c",
        base_url="http://example.org/",
        per_page=8,
        site="s",
        tags={1: ["a", "A"]},
        outlets={2: ["b", "B", ""]},
        lists={"/": 1},
        posts=posts,
        sitemaps={"posts": 1},
        newest_edit="2024-01-01T00:00:00+00:00",
        compared_at="2024-01-02T00:00:00+00:00",
    )
    written.write(tmp_path)
    read = Manifest.read(tmp_path)
    assert read is not None and list(read.posts) == [2, 9, 40]
    assert read.posts.lines() == posts.lines() and read.posts.id_print() == posts.id_print()
    assert (read.tags, read.outlets, read.newest_edit) == (
        written.tags,
        written.outlets,
        written.newest_edit,
    )


@pytest.mark.parametrize(
    "damage",
    ["", "not json\n1 a b 2  ", '{"format": 2}', '{"format": 3, "code": "c"}'],
)
def test_an_unreadable_or_older_manifest_reads_as_none(tmp_path, damage):
    (tmp_path / MANIFEST).write_text(damage)
    assert Manifest.read(tmp_path) is None


@pytest.mark.django_db
def test_the_database_sums_ids_as_the_table_does():
    posts = [make_post(f"Sum {i}") for i in range(5)]
    table = PostTable.from_entries({p.pk: entry(p.pk) for p in posts})
    assert id_print(Post.objects.all()) == table.id_print()
    assert id_print(Post.objects.none()) == (0, 0, 0)


# --- finding what changed ---------------------------------------------------------------


@pytest.fixture
def archive(settings, tmp_path):
    """Thirty published posts last edited a year ago or more, a day apart, exported once."""
    settings.DIGEST_POSTS_PER_PAGE = 8
    posts = [
        make_post(f"Archived {i}", posted_on=datetime.date(2020, 1 + i % 12, 1 + i))
        for i in range(30)
    ]
    year_ago = timezone.now() - datetime.timedelta(days=365)
    for i, post in enumerate(posts):
        Post.objects.filter(pk=post.pk).update(updated_at=year_ago - datetime.timedelta(days=i))
    target = tmp_path / "copy"
    assert export_site(target, base_url="http://example.org/").mode == "full"
    return posts, target


def edit(post: Post, headline: str) -> None:
    post.refresh_from_db()
    post.headline = headline
    post.save()


@pytest.mark.django_db
def test_only_recent_edits_are_compared_when_nothing_else_changed(archive):
    posts, target = archive
    edit(posts[4], "Archived 4, corrected")
    new = make_post("Fresh", posted_on=datetime.date(2021, 1, 1))
    report = export_site(target, incremental=True)
    # The newest post of the archive is compared too: its stamp is the newest edit seen.
    assert (report.mode, report.compared) == ("incremental", "the 3 edited recently")
    assert report.reason == "2 new or changed, 0 gone"
    assert b"Archived 4, corrected" in (target / f"post/{posts[4].slug}/index.html").read_bytes()
    assert (target / f"post/{new.slug}/index.html").exists()
    # The next export compares the same recent edits again, and finds nothing new.
    again = export_site(target, incremental=True)
    assert (again.compared, again.reason, again.rendered) == (
        "the 2 edited recently",
        "0 new or changed, 0 gone",
        0,
    )


@pytest.mark.django_db
@pytest.mark.parametrize("how", ["deleted", "withdrawn unstamped", "swapped unstamped"])
def test_changes_that_leave_no_stamp_make_the_plan_compare_every_post(archive, how):
    posts, target = archive
    if how == "deleted":
        posts[3].delete()
    elif how == "withdrawn unstamped":
        Post.objects.filter(pk=posts[3].pk).update(status=Post.Status.DRAFT)
    else:  # one withdrawn and one published, both without a stamp: the count is the same
        draft = make_post("Old draft", posted_on=datetime.date(2020, 6, 6), status="draft")
        long_ago = timezone.now() - datetime.timedelta(days=400)
        Post.objects.filter(pk=draft.pk).update(updated_at=long_ago)
        Post.objects.filter(pk=posts[3].pk).update(status=Post.Status.DRAFT)
        Post.objects.filter(pk=draft.pk).update(status=Post.Status.PUBLISHED)
    report = export_site(target, incremental=True)
    assert report.mode == "incremental"
    assert report.compared == (
        "every post (posts were deleted, or published or withdrawn unstamped)"
    )
    assert not (target / f"post/{posts[3].slug}").exists()
    if how == "swapped unstamped":
        assert (target / f"post/{draft.slug}/index.html").exists()


@pytest.mark.django_db
def test_every_post_is_compared_again_once_a_day(archive):
    posts, target = archive
    # An edit that escaped the recent window (stamped long ago, as by a writer whose clock
    # was far behind) is found by the daily comparison of every post.
    Post.objects.filter(pk=posts[5].pk).update(
        headline="Archived 5, restamped", updated_at=timezone.now() - datetime.timedelta(days=900)
    )
    assert export_site(target, incremental=True).reason == "0 new or changed, 0 gone"
    manifest = Manifest.read(target)
    manifest.compared_at = (timezone.now() - plan.COMPARE_ALL_EVERY * 1.5).isoformat()
    manifest.write(target.resolve())
    report = export_site(target, incremental=True)
    assert report.compared == "every post (the last comparison of every post is a day old)"
    assert report.reason == "1 new or changed, 0 gone"
    assert b"Archived 5, restamped" in (target / f"post/{posts[5].slug}/index.html").read_bytes()
    assert export_site(target, incremental=True).compared.startswith("the ")  # a day from now


@pytest.mark.django_db
def test_a_burst_of_edits_is_read_in_one_pass_over_every_post(archive):
    posts, target = archive
    Post.objects.update(updated_at=timezone.now())  # as after an import: all stamped just now
    enough = len(posts) // 10 + 100
    for i in range(enough + 1 - len(posts)):
        make_post(f"Imported {i}", posted_on=datetime.date(2019, 5, 1))
    report = export_site(target, incremental=True)
    assert report.compared == "every post (a tenth of the posts or more were edited recently)"
    # The restamped posts count as changed: their stamps differ from the manifest's.
    assert report.reason == f"{enough + 1} new or changed, 0 gone"
