"""The desk's command-line path: poll a corpus where one story is at three outlets, then
list stories and publish them."""

import json

import pytest

from clipdesk.demo.corpus_server import EXPECTED, FEEDS, OUTLET_NAMES, WATCHLIST, CorpusServer
from tests.ingest.test_cli_ingest import clipdesk


@pytest.fixture(scope="module")
def polled_home(tmp_path_factory):
    home = tmp_path_factory.mktemp("desk-cli")
    clipdesk(home, "init")
    with CorpusServer() as corpus:
        for path, kind in FEEDS:
            # Every outlet of the corpus shares one loopback host: the names tell them apart.
            name = OUTLET_NAMES[path]
            clipdesk(home, "source", "add", corpus.url(path), f"--kind={kind}", f"--name={name}")
        ((name, aliases),) = WATCHLIST.items()
        clipdesk(home, "watch", "add", name, *[f"--alias={a}" for a in aliases])
        clipdesk(home, "poll", "--once", "--json")
    return home


def syndicated_story(home) -> dict:
    stories = json.loads(clipdesk(home, "stories", "--json").stdout)
    wanted = {p.rsplit("/", 1)[-1] for p in EXPECTED["syndicated"]}
    return next(s for s in stories if {a["url"].rsplit("/", 1)[-1] for a in s["articles"]} & wanted)


def test_the_story_at_three_outlets_is_one_story(polled_home):
    story = syndicated_story(polled_home)
    assert len(story["articles"]) == 3
    assert len({a["outlet"] for a in story["articles"]}) == 3


def test_made_up_excerpt_and_unknown_article_exit_2(polled_home):
    ids = [str(a["id"]) for a in syndicated_story(polled_home)["articles"]]
    refused = clipdesk(polled_home, "publish", *ids, "--excerpt", "Nobody said this.", check=False)
    assert refused.returncode == 2 and "not a quote" in refused.stderr
    unknown = clipdesk(polled_home, "publish", "999999", check=False)
    assert unknown.returncode == 2 and "no article with id 999999" in unknown.stderr


def test_publishing_the_three_gives_one_post_naming_all_three(polled_home):
    story = syndicated_story(polled_home)
    ids = [str(a["id"]) for a in story["articles"]]
    result = json.loads(clipdesk(polled_home, "publish", *ids, "--json").stdout)
    for article in story["articles"]:
        assert article["outlet"] in result["source_line"]
    after = json.loads(clipdesk(polled_home, "stories", "--json", "--all").stdout)
    published = next(s for s in after if s["id"] == story["id"])
    assert published["status"] == "published" and published["post"] == result["post"]

    again = clipdesk(polled_home, "publish", ids[1], check=False)
    assert again.returncode == 2
    assert f"already published as “{result['headline']}” (post {result['post']})" in again.stderr
    assert "Traceback" not in again.stderr
