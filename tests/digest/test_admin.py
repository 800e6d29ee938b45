"""The editors' admin: lists, filters, bulk actions and outlet merging."""

import datetime

import pytest

from clipdesk.digest.actions import merge_outlets
from clipdesk.digest.models import Credit, Outlet, Post, Tag
from tests.factories import make_outlet, make_post, make_tag

pytestmark = pytest.mark.django_db


def test_post_list_searches_and_filters(admin_client):
    gazette = make_outlet("Harbour Gazette")
    make_post("Quay hearing", credits=[{"outlet": gazette, "author": "Mira Okafor"}])
    make_post("Budget vote", posted_on=datetime.date(2020, 5, 1))
    assert "Quay hearing" in admin_client.get("/admin/digest/post/?q=Okafor").content.decode()
    by_outlet = admin_client.get(f"/admin/digest/post/?outlet={gazette.pk}").content.decode()
    assert "Quay hearing" in by_outlet and "Budget vote" not in by_outlet
    by_month = admin_client.get(
        "/admin/digest/post/?posted_on_inferred__year=2020&posted_on_inferred__month=5"
    ).content.decode()
    assert "Budget vote" in by_month and "Quay hearing" not in by_month


@pytest.mark.parametrize("value", ["abc", "1e3", " ", "99999999999999999999999"])
def test_an_outlet_filter_that_names_no_outlet_is_the_admins_usual_notice(admin_client, value):
    """The outlet filter's value comes from the address, which anyone can edit or cut short:
    a value that was no row number answered a server error."""
    make_post("Quay hearing", credits=[{"outlet": make_outlet("Harbour Gazette")}])

    response = admin_client.get("/admin/digest/post/", {"outlet": value})

    assert response.status_code == 302 and response["Location"].endswith("?e=1")


def test_tag_filter(admin_client):
    tag = make_tag("Hearings")
    make_post("Tagged one", tags=[tag])
    make_post("Untagged one")
    html = admin_client.get(f"/admin/digest/post/?tags__id__exact={tag.pk}").content.decode()
    assert "Tagged one" in html and "Untagged one" not in html


def test_bulk_publish_and_unpublish(admin_client):
    drafts = [make_post(f"Draft {i}", status=Post.Status.DRAFT) for i in range(3)]
    ids = [str(p.pk) for p in drafts[:2]]
    response = admin_client.post(
        "/admin/digest/post/", {"action": "publish", "_selected_action": ids}, follow=True
    )
    assert "Published 2 post(s)" in response.content.decode()
    assert Post.objects.published().count() == 2
    admin_client.post("/admin/digest/post/", {"action": "unpublish", "_selected_action": ids})
    assert Post.objects.published().count() == 0


def test_post_change_page_shows_credits_in_order(admin_client):
    post = make_post(
        "Ordered",
        credits=[{"outlet": make_outlet("Zeta Post")}, {"outlet": make_outlet("Alpha Times")}],
    )
    html = admin_client.get(f"/admin/digest/post/{post.pk}/change/").content.decode()
    assert html.index("Zeta Post") < html.index("Alpha Times")


def test_merge_outlets_moves_credits_and_keeps_names_as_aliases():
    target = make_outlet("Harbour Gazette")
    dup = make_outlet("The Harbour Gazette", homepage="https://gazette.example/")
    make_post(credits=[{"outlet": dup}])
    make_post(credits=[{"outlet": target}])
    moved = merge_outlets(target, [dup])
    target.refresh_from_db()
    assert moved == 1
    assert Credit.objects.filter(outlet=target).count() == 2
    assert "The Harbour Gazette" in target.aliases
    assert target.homepage == "https://gazette.example/"
    assert not Outlet.objects.filter(pk=dup.pk).exists()


def test_merge_action_keeps_the_outlet_with_most_credits(admin_client):
    small, big = make_outlet("Ledger"), make_outlet("Northern Ledger")
    for _ in range(2):
        make_post(credits=[{"outlet": big}])
    make_post(credits=[{"outlet": small}])
    admin_client.post(
        "/admin/digest/outlet/",
        {"action": "merge_into_first", "_selected_action": [small.pk, big.pk]},
    )
    assert list(Outlet.objects.values_list("name", flat=True)) == ["Northern Ledger"]


def test_anonymous_user_is_sent_to_log_in(client):
    response = client.get("/admin/digest/post/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def outlet_form(aliases: str) -> dict:
    return {"name": "Harbour Gazette", "slug": "harbour-gazette", "aliases": aliases}


@pytest.mark.parametrize("aliases", ['"The Gazette"', "5", '{"gazette": 1}', '["Gazette", 7]'])
def test_outlet_aliases_that_are_not_a_list_of_names_are_refused(admin_client, aliases):
    page = admin_client.post("/admin/digest/outlet/add/", outlet_form(aliases))

    assert page.status_code == 200
    assert "a list of names" in " ".join(page.context["adminform"].form.errors["aliases"])
    assert not Outlet.objects.exists()


def test_outlet_aliases_are_kept_stripped_once_each(admin_client):
    form = outlet_form('[" The Gazette ", "The Gazette", "", "HG"]')
    admin_client.post("/admin/digest/outlet/add/", form, follow=True)
    assert Outlet.objects.get().aliases == ["The Gazette", "HG"]


def test_outlets_with_aliases_written_otherwise_do_not_stop_those_who_load_them():
    from clipdesk.digest.outlets import OutletDirectory

    make_outlet("Harbour Gazette")
    Outlet.objects.update(aliases={"not": "a list"})
    make_outlet("Valley Times")
    Outlet.objects.filter(name="Valley Times").update(aliases=["Valley Daily", 7])

    outlets = OutletDirectory()  # every poll and import loads the outlets so

    assert outlets.find("harbour gazette").name == "Harbour Gazette"
    assert outlets.find("Valley Daily").name == "Valley Times"
    assert "Valley Daily" in set(outlets.names())


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"name": "Harbour Gazette", "aliases": '["The Ledger"]'}, "aliases"),
        ({"name": "Harbour Gazette", "aliases": '["NL"]'}, "aliases"),
        ({"name": "The Northern Ledger", "aliases": "[]"}, "name"),
    ],
)
def test_a_name_another_outlet_goes_by_is_refused(admin_client, form, field):
    make_outlet("The Ledger", aliases=["The Northern Ledger", "NL"])

    page = admin_client.post("/admin/digest/outlet/add/", {"slug": "new-outlet", **form})

    assert page.status_code == 200
    errors = " ".join(page.context["adminform"].form.errors[field])
    assert "names the outlet The Ledger already" in errors and "merge them" in errors
    assert Outlet.objects.count() == 1


def test_another_outlets_aliases_written_otherwise_do_not_stop_a_save(admin_client):
    make_outlet("The Ledger")
    Outlet.objects.update(aliases={"not": "a list"})
    make_outlet("Coast FM", aliases=[5, "CFM"])
    form = {"name": "Harbour Gazette", "slug": "harbour-gazette", "aliases": '["HG"]'}
    assert admin_client.post("/admin/digest/outlet/add/", form).status_code == 302


def test_an_outlet_keeps_its_own_aliases_when_saved_again(admin_client):
    outlet = make_outlet("The Ledger", aliases=["NL"])
    form = {"name": "The Ledger", "slug": outlet.slug, "aliases": '["NL", "Ledger"]'}
    page = admin_client.post(f"/admin/digest/outlet/{outlet.pk}/change/", form)
    assert page.status_code == 302
    assert Outlet.objects.get().aliases == ["NL", "Ledger"]


@pytest.mark.parametrize(
    ("model", "existing", "typed"),
    [("tag", "été", "ÉTÉ"), ("outlet", "Été Hebdo", "ÉTÉ HEBDO"), ("tag", "Öl", "öl")],
)
def test_a_name_in_other_accented_capitals_is_a_duplicate_on_every_database(
    admin_client, model, existing, typed
):
    """SQLite's lower() folds ASCII letters only: its constraint let "ÉTÉ" beside "été"."""
    if model == "tag":
        make_tag(existing)
    else:
        make_outlet(existing)
    form = {"name": typed, "slug": "another-slug"}
    if model == "outlet":
        form["aliases"] = "[]"
    page = admin_client.post(f"/admin/digest/{model}/add/", form)
    assert page.status_code == 200
    assert "of this name exists already (case aside)" in page.content.decode()


def test_tags_whose_names_differ_only_in_punctuation_are_two():
    from django.core.exceptions import ValidationError

    make_tag("C")
    try:
        Tag(name="C++", slug="c-plus-plus").full_clean()
    except ValidationError as exc:
        raise AssertionError(exc) from None
