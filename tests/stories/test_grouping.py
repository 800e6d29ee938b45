"""Grouping articles into stories: copies, follow-ups, different events, editors' corrections.

Every article here is fictional, written for these tests: an agency report of a court hearing,
an outlet's copy of it, another outlet's own report of the same hearing, a rally in another
city the same day, and a hearing ten days later. Each test is named after what it pins down.
"""

from __future__ import annotations

import datetime

import numpy as np
import pytest
from datasketch import MinHash

from clipdesk.stories import shingles
from clipdesk.stories.grouping import ArticleSketch, Assignment, StoryIndex
from clipdesk.stories.shingles import PostingTable

DAY = datetime.date(2025, 3, 4)

HEARING = """By Lena Duka, Adriatic Press Agency

A court in Durrës on Tuesday heard three former members of the MEK describe the rules they
lived under at the group's Ashraf 3 compound outside the Albanian capital. The witnesses, two
men and a woman who left the compound between 2021 and 2023, were called by relatives of
residents who say they have not been allowed to make private telephone calls for years.
Judge Arben Hoxha allowed the hearing to continue behind closed doors after lawyers for the
organisation objected that the witnesses had been coached. Outside the courthouse a dozen
family members held photographs of sons and brothers they say they last saw in Iraq. The
organisation denies holding anyone against their will and says the complaints are part of a
campaign run from Tehran. Its spokesman told reporters that residents are free to leave and
that many have chosen to stay because they fear for their safety elsewhere. The court will
decide next month whether the relatives may visit the compound with an observer from the
interior ministry. A ruling against the group would be the first of its kind in Albania,
which agreed in 2013 to take in about three thousand members at the request of Washington.
The hearing resumes on Friday with the testimony of a fourth witness, a former bookkeeper who
says she managed the group's accounts for eleven years."""

# An outlet's copy of the agency text: its own byline and opening sentence, two edited words.
HEARING_COPY = """Staff reporter, The Harbour Gazette

Three people who once lived inside the MEK's Ashraf 3 compound testified on Tuesday before a
court in the port city of Durrës. The witnesses, two
men and a woman who left the compound between 2021 and 2023, were called by relatives of
residents who say they have not been allowed to make private phone calls for years.
Judge Arben Hoxha allowed the hearing to continue behind closed doors after lawyers for the
organisation objected that the witnesses had been coached. Outside the courthouse a dozen
family members held pictures of sons and brothers they say they last saw in Iraq. The
organisation denies holding anyone against their will and says the complaints are part of a
campaign run from Tehran. Its spokesman told reporters that residents are free to leave and
that many have chosen to stay because they fear for their safety elsewhere. The court will
decide next month whether the relatives may visit the compound with an observer from the
interior ministry. A ruling against the group would be the first of its kind in Albania,
which agreed in 2013 to take in about three thousand members at the request of Washington.
The hearing resumes on Friday with the testimony of a fourth witness, a former bookkeeper who
says she managed the group's accounts for eleven years."""

# Another outlet's own report of the same hearing: no sentence in common with the agency's.
HEARING_FOLLOW_UP = """Tirana Weekly

For the first time, an Albanian judge has listened to people who walked out of the MEK camp
near Manëz. The session in Durrës lasted most of Tuesday and was closed to the press at the
request of the group's lawyers, who argued that the former members had rehearsed their
accounts with an Iranian intelligence officer. According to two relatives who were present,
the witnesses spoke about dormitories without locks on the doors, about letters to parents
that were read before they were posted, and about a rule against keeping any money. One of
them, now a taxi driver in Tirana, said he needed four attempts and a hunger strike before he
was handed his passport. The families are asking for supervised visits rather than for the
camp to be closed, their lawyer Mirela Kola said. Albania's interior ministry, which oversees
the residents' legal status, declined to comment while the case is open. The next session is
expected at the end of the week."""

# The same subject and the same day, but another event.
RALLY = """By Jonas Weber, Spree Correspondent

Several thousand supporters of the MEK marched through central Berlin on Tuesday, two days
before European foreign ministers meet to discuss new sanctions on Tehran. The marchers, many
of whom had travelled by coach from the Netherlands and Belgium, carried portraits of people
executed in Iranian prisons and called on the German government to list the Revolutionary
Guards as a terrorist organisation. Police estimated the crowd at six thousand; the organisers
said twelve thousand. Speakers included two members of the Bundestag and a former Italian
foreign minister, who told the crowd that engagement with Tehran had failed. A small counter
demonstration near the Brandenburg Gate was kept apart by police and ended without arrests.
The march passed off peacefully, a police spokeswoman said, though traffic around the
Tiergarten was disrupted for most of the afternoon. The ministers' meeting on Thursday is
expected to extend existing travel bans on officials but not to add the Guards to the list."""

# Ten days later: a headline close to the first hearing's, but a new session and new text.
LATER_HEARING = """By Lena Duka, Adriatic Press Agency

The Durrës court resumed on Friday its review of complaints against the MEK brought by the
relatives of residents of Ashraf 3, hearing a former bookkeeper who described how donations
collected in Europe were transferred to accounts in Dubai. Lawyers for the group asked for
her testimony to be struck out because she had signed a confidentiality agreement when she
joined. Judge Arben Hoxha refused, saying that a private contract cannot prevent a witness
from answering a court. The bookkeeper, who asked not to be named, said she had kept ledgers
by hand until 2019 and that she had been told to destroy them before the move from Iraq. The
organisation said in a statement that its accounts are audited every year and that the
witness had been dismissed for theft. The judge set a final hearing for the end of April,
when both sides will present their closing arguments and the relatives' request for visits
will be decided together with the question of costs."""

OTHER_STORY = """By Clara Moss, Nordic Wire

Norway's fisheries ministry on Monday cut next year's cod quota in the Barents Sea by a fifth,
the third reduction in a row, after scientists reported that the stock had fallen to its
lowest level since the early nineties. Fishing communities in Finnmark said the decision
would cost hundreds of jobs at processing plants that already run at half capacity in
winter. The ministry promised a support package for coastal fleets but gave no figures. The
quota is set jointly with Russia, and talks this year were held by video link for the first
time. Environmental groups welcomed the cut but said it came too late and asked for trawling
to be banned in spawning grounds along the coast. The industry association said the science
was uncertain and warned that foreign fleets would fill the gap left by Norwegian boats."""


# What an outlet added to the agency text, which made an editor split its article out.
OWN_REPORTING = """
In Shkodër, meanwhile, the town council voted to rename the street where the group rented
offices in the nineties, after a petition signed by four hundred residents. The mayor said the
vote had nothing to do with the court case and that the new name honours a local poet. The
offices have stood empty since 2016 and the building is to become a music school next year,
paid for by a grant from the regional development fund and a bank in Tirana."""


def sketch(
    article_id: int,
    title: str,
    text: str,
    day: datetime.date | None = DAY,
    entities: tuple[str, ...] = ("MEK",),
) -> ArticleSketch:
    return ArticleSketch(article_id, title, text, day, frozenset(entities))


def rebylined(text: str, byline: str) -> str:
    """The same text under another byline line: how a syndicated copy often differs."""
    return byline + "\n" + text.split("\n", 1)[1]


def test_syndicated_copy_with_new_byline_and_first_sentence_joins_the_agency_story():
    index = StoryIndex()
    first = index.add(sketch(1, "Albanian court hears MEK defectors", HEARING))
    copy = index.add(sketch(2, "Defectors testify in Durrës", HEARING_COPY))
    assert first.reason == "new story"
    assert copy.story_id == first.story_id
    assert copy.reason.startswith("near-duplicate of article 1 (estimated Jaccard 0.")


def test_trimmed_copy_keeping_the_first_half_joins_by_share_of_the_shorter_text():
    index = StoryIndex()
    first = index.add(sketch(1, "Albanian court hears MEK defectors", HEARING))
    half = HEARING[: len(HEARING) // 2]
    trimmed = index.add(sketch(2, "Court hears defectors", half, entities=()))
    assert trimmed.story_id == first.story_id
    assert "of the shorter text shared" in trimmed.reason


def test_paraphrased_follow_up_with_similar_headline_and_shared_entity_joins():
    index = StoryIndex()
    first = index.add(
        sketch(1, "Albanian court hears MEK defectors describe life inside Ashraf 3", HEARING)
    )
    follow = index.add(
        sketch(
            2,
            "MEK defectors tell Albanian court of life in Ashraf 3 camp",
            HEARING_FOLLOW_UP,
            day=DAY + datetime.timedelta(days=1),
            entities=("MEK", "Camp Ashraf"),
        )
    )
    assert follow.story_id == first.story_id
    assert follow.reason.startswith("follow-up: headline similar to article 1 (0.")
    assert follow.reason.endswith("shares MEK, within 1 day")


def test_different_stories_on_the_same_subject_and_day_stay_apart():
    index = StoryIndex()
    hearing = index.add(
        sketch(1, "Albanian court hears MEK defectors describe life inside Ashraf 3", HEARING)
    )
    rally = index.add(sketch(2, "MEK supporters rally in Berlin ahead of Iran talks", RALLY))
    assert rally.story_id != hearing.story_id
    assert rally.reason == "new story"


def test_similar_headline_outside_the_window_starts_a_new_story():
    index = StoryIndex(window_days=3)
    hearing = index.add(
        sketch(1, "Albanian court hears MEK defectors describe life inside Ashraf 3", HEARING)
    )
    later = index.add(
        sketch(
            2,
            "Albanian court resumes hearing of MEK defectors from Ashraf 3",
            LATER_HEARING,
            day=DAY + datetime.timedelta(days=10),
        )
    )
    assert later.story_id != hearing.story_id
    # The same pair inside the window is a follow-up: the window made the difference.
    near = StoryIndex(window_days=10)
    near.add(sketch(1, "Albanian court hears MEK defectors describe life inside Ashraf 3", HEARING))
    inside = near.add(
        sketch(
            2,
            "Albanian court resumes hearing of MEK defectors from Ashraf 3",
            LATER_HEARING,
            day=DAY + datetime.timedelta(days=10),
        )
    )
    assert inside.reason.startswith("follow-up:") and inside.reason.endswith("within 10 days")


def test_similar_headline_without_a_shared_entity_starts_a_new_story():
    index = StoryIndex()
    index.add(
        sketch(1, "Albanian court hears MEK defectors describe life inside Ashraf 3", HEARING)
    )
    other = index.add(
        sketch(
            2,
            "MEK defectors tell Albanian court of life in Ashraf 3 camp",
            HEARING_FOLLOW_UP,
            entities=("NCRI",),
        )
    )
    assert other.reason == "new story"


def test_stub_texts_are_never_near_duplicates_of_each_other():
    index = StoryIndex()
    stub = "Subscribe to continue reading this article."
    first = index.add(sketch(1, "Fisheries", stub, entities=()))
    second = index.add(sketch(2, "Elections", stub, entities=()))
    assert first.story_id != second.story_id


def test_an_article_added_twice_stays_in_its_story():
    index = StoryIndex()
    first = index.add(sketch(1, "Albanian court hears MEK defectors", HEARING))
    again = index.add(sketch(1, "Albanian court hears MEK defectors", HEARING))
    assert again == Assignment(1, first.story_id, f"already in story {first.story_id}")
    assert len(index) == 1


def test_merge_is_followed_by_later_copies_of_either_story():
    index = StoryIndex()
    hearing = index.add(sketch(1, "Albanian court hears MEK defectors", HEARING)).story_id
    rally = index.add(sketch(2, "MEK supporters rally in Berlin", RALLY)).story_id
    index.merge(hearing, rally)
    assert index.stories() == {hearing: [1, 2]}
    copy = index.add(sketch(3, "Berlin march", rebylined(RALLY, "From our Berlin desk")))
    assert copy.story_id == hearing
    # The merged id is forwarded: a second merge naming it reaches the kept story.
    fish = index.add(sketch(4, "Cod quota cut", OTHER_STORY, entities=())).story_id
    index.merge(rally, fish)
    assert index.story_of(4) == hearing


def test_split_article_keeps_its_own_copies_and_never_rejoins_its_old_story():
    index = StoryIndex()
    extended = rebylined(HEARING, "By Ardit Leka, Coastal Daily") + OWN_REPORTING
    old = index.add(sketch(1, "Albanian court hears MEK defectors", HEARING)).story_id
    assert index.add(sketch(2, "Court hears defectors", extended)).story_id == old
    new = index.split(2)
    assert new != old and index.story_of(2) == new
    # A copy of the split article follows it; a copy of the original stays with the original.
    copy_of_split = rebylined(extended, "Wire copy, Balkan Insight Digest")
    assert index.add(sketch(3, "Durrës hearing", copy_of_split)).story_id == new
    assert index.add(sketch(4, "Hearing", rebylined(HEARING, "Regional desk"))).story_id == old
    assert index.story_of(2) == new


def test_copy_as_close_to_the_split_article_as_to_its_old_story_follows_the_split():
    index = StoryIndex()
    old = index.add(sketch(1, "Hearing", HEARING)).story_id
    index.add(sketch(2, "Hearing", rebylined(HEARING, "By Ardit Leka, Coastal Daily")))
    new = index.split(2)
    third = index.add(sketch(3, "Hearing", rebylined(HEARING, "Balkan Insight Digest")))
    assert third.story_id == new != old
    assert "an editor split article 2 out of it" in third.reason
    # Merging the two back undoes the split's memory: the editor changed their mind.
    index.merge(old, new)
    fourth = index.add(sketch(4, "Hearing", rebylined(HEARING, "Evening edition")))
    assert fourth.story_id == old and "editor" not in fourth.reason


def test_restore_from_signatures_gives_the_same_assignments():
    later_days = DAY + datetime.timedelta(days=1)
    first_batch = [
        sketch(1, "Albanian court hears MEK defectors describe life inside Ashraf 3", HEARING),
        sketch(2, "MEK supporters rally in Berlin ahead of Iran talks", RALLY),
        sketch(3, "Defectors testify in Durrës", HEARING_COPY),
        sketch(4, "Norway cuts cod quota", OTHER_STORY, entities=()),
        sketch(5, "Hearing", rebylined(HEARING, "By Ardit Leka, Coastal Daily")),
    ]
    second_batch = [
        sketch(
            6,
            "MEK defectors tell Albanian court of life in Ashraf 3 camp",
            HEARING_FOLLOW_UP,
            day=later_days,
        ),
        sketch(7, "Berlin march", rebylined(RALLY, "From our Berlin desk")),
        sketch(8, "Hearing", rebylined(HEARING, "Balkan Insight Digest")),
        sketch(9, "Cod", rebylined(OTHER_STORY, "Fisheries desk"), entities=()),
    ]
    original = StoryIndex()
    for item in first_batch:
        original.add(item)
    old_story = original.story_of(5)
    original.split(5)
    original.merge(original.story_of(2), original.story_of(4))

    rebuilt = StoryIndex()
    for item in first_batch:
        split_from = old_story if item.article_id == 5 else None
        rows = (item.article_id, original.story_of(item.article_id))
        rebuilt.restore(
            *rows, original.signature_bytes(item.article_id), item, split_from=split_from
        )
    assert rebuilt.stories() == original.stories()
    assert [rebuilt.add(item) for item in second_batch] == [
        original.add(item) for item in second_batch
    ]


def test_rebuild_replaying_stored_merges_and_pins_keeps_the_corrections():
    """The order the desk rebuilds in: rows as stored, then merged stories, then pins."""
    original = StoryIndex()
    hearing = original.add(sketch(1, "Hearing", HEARING)).story_id
    original.add(sketch(2, "Hearing", rebylined(HEARING, "By Ardit Leka, Coastal Daily")))
    rally = original.add(sketch(3, "Rally", RALLY)).story_id
    fish = original.add(sketch(4, "Cod", OTHER_STORY, entities=())).story_id
    original.merge(rally, fish)
    split = original.split(2)

    rebuilt = StoryIndex(next_story_id=split + 1)
    for article_id in (1, 2, 3, 4):
        stored = sketch(article_id, "", "", entities=())
        signature = original.signature_bytes(article_id)
        rebuilt.restore(article_id, original.story_of(article_id), signature, stored)
    rebuilt.merge(rally, fish)
    rebuilt.pin(2, split, split_from=hearing)

    assert rebuilt.stories() == original.stories()
    later = [
        sketch(5, "Hearing", rebylined(HEARING, "Balkan Insight Digest")),
        sketch(6, "Cod", rebylined(OTHER_STORY, "Fisheries desk"), entities=()),
    ]
    assert [rebuilt.add(item) for item in later] == [original.add(item) for item in later]
    assert rebuilt.story_of(5) == split and rebuilt.story_of(6) == rally


def test_signature_values_are_datasketch_minhash_values():
    index = StoryIndex(num_perm=32)
    values, size = shingles.unpack_signature(index.minhash_signature(HEARING), 32)
    reference = MinHash(num_perm=32, seed=shingles.SEED, hashfunc=int)
    reference.update_batch(shingles.shingle_hashes(HEARING).tolist())
    assert np.array_equal(values, reference.hashvalues)
    assert size == len(shingles.shingle_hashes(HEARING))


@pytest.mark.parametrize("num_perm", [1, 32, 64, 256])
def test_permutations_are_datasketch_minhash_permutations(num_perm):
    a, b = shingles.permutations(num_perm)
    reference_a, reference_b = MinHash(num_perm=num_perm, seed=shingles.SEED).permutations
    assert np.array_equal(a, reference_a) and np.array_equal(b, reference_b)
    assert a.dtype == b.dtype == np.uint32 and (a % 2 == 1).all()


def test_signatures_in_bulk_equal_signatures_one_by_one():
    index = StoryIndex()
    texts = [HEARING, "", "Two words", RALLY, OTHER_STORY * 30]
    assert index.minhash_signatures(texts) == [index.minhash_signature(t) for t in texts]


def test_signature_made_with_another_number_of_values_is_refused():
    signature = StoryIndex(num_perm=32).minhash_signature(HEARING)
    with pytest.raises(ValueError, match=r"32 values; this index needs .* 64 values"):
        StoryIndex(num_perm=64).restore(1, 1, signature, sketch(1, "Hearing", HEARING))


def test_posting_table_positions_equal_a_binary_search_over_repeated_keys():
    rng = np.random.default_rng(7)
    table = PostingTable()
    keys = rng.integers(0, 5_000, size=20_000).astype(np.uint64)  # ~4 rows per key
    for row, key in enumerate(keys.tolist()):
        table.stage(np.array([key], dtype=np.uint64), row)
    table.lookup(keys[:1], 1)  # sorts the staged postings in
    everything = np.sort(keys)
    probes = rng.integers(0, 5_100, size=3_000).astype(np.uint64)
    for side in ("left", "right"):
        expected = np.searchsorted(everything, probes, side=side)
        assert np.array_equal(table.position(probes, after=side == "right"), expected)
    newest = table.lookup(np.array([keys[-1]]), 2)
    assert newest[-1] == len(keys) - 1 and len(newest) <= 2
