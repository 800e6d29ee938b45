"""The admin answers input it cannot use (an address edited by hand, a form made by hand) as it
does any bad input: the list's "?e=1" notice, a warning, an error beside the field. Each of
these was a server error."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.db import connection
from django.urls import reverse

from clipdesk.admin_input import CheckedModelAdmin
from clipdesk.digest.models import Outlet, Post
from tests.factories import make_outlet, make_post

pytestmark = pytest.mark.django_db

BEYOND_ANY_INTEGER = "99999999999999999999999"
NESTED_DEEP = "[" * 3000 + "]" * 3000


def test_every_admin_of_the_site_is_held_to_the_checks():
    import clipdesk.urls  # noqa: F401  (the registrations are read with the site's URLs)

    unchecked = [
        type(model_admin).__name__
        for model_admin in admin.site._registry.values()
        if not isinstance(model_admin, CheckedModelAdmin)
    ]
    assert unchecked == []


@pytest.mark.parametrize(
    "address",
    [
        f"/admin/digest/post/?posted_on_inferred__year={BEYOND_ANY_INTEGER}",
        f"/admin/digest/post/?posted_on_inferred__year=2020"
        f"&posted_on_inferred__month={BEYOND_ANY_INTEGER}",
        f"/admin/people/auditentry/?at__year={BEYOND_ANY_INTEGER}",
        f"/admin/articles/article/?published__year={BEYOND_ANY_INTEGER}",
        f"/admin/articles/article/?outlet={BEYOND_ANY_INTEGER}",
        f"/admin/watch/match/?entity={BEYOND_ANY_INTEGER}",
        f"/admin/digest/post/?tags={BEYOND_ANY_INTEGER}",
        f"/admin/auth/user/?groups={BEYOND_ANY_INTEGER}",
    ],
)
def test_a_list_filtered_by_a_number_no_date_or_row_can_hold_is_the_usual_notice(
    admin_client, address
):
    """A year beyond what a date holds, or a row number beyond SQLite's 64-bit integers."""
    make_post("Quay hearing", credits=[{"outlet": make_outlet("Harbour Gazette")}])

    response = admin_client.get(address)

    if response.status_code == 302:
        assert response["Location"].endswith("?e=1")
    else:
        # PostgreSQL compares the row number as the number it is, and finds no row.
        assert connection.vendor == "postgresql" and "__year=" not in address
        assert response.status_code == 200 and "Quay hearing" not in response.content.decode()


def test_a_list_filtered_by_a_year_it_holds_still_filters(admin_client):
    make_post("Quay hearing")
    page = admin_client.get("/admin/digest/post/?posted_on_inferred__year=2021")
    assert "Quay hearing" in page.content.decode()


@pytest.mark.parametrize("selected", ["abc", BEYOND_ANY_INTEGER, "1.5"])
@pytest.mark.parametrize(
    ("changelist", "action"),
    [
        ("digest_post", "publish"),
        ("digest_outlet", "merge_into_first"),
        ("digest_tag", "delete_selected"),
        ("articles_article", "reextract"),
        ("sources_source", "check_now"),
        ("search_pendingindexupdate", "index_now"),
        ("auth_user", "delete_selected"),
    ],
)
def test_a_bulk_action_on_a_selection_that_names_no_rows_changes_nothing(
    admin_client, changelist, action, selected
):
    post = make_post("Quay hearing", status=Post.Status.DRAFT)
    url = reverse(f"admin:{changelist}_changelist")

    response = admin_client.post(
        url, {"action": action, "_selected_action": [str(post.pk), selected]}, follow=True
    )

    assert response.status_code == 200
    assert "nothing was changed" in response.content.decode()
    assert Post.objects.get().status == Post.Status.DRAFT


def test_a_bulk_action_on_rows_of_the_list_still_acts(admin_client):
    post = make_post("Quay hearing", status=Post.Status.DRAFT)
    admin_client.post(
        "/admin/digest/post/", {"action": "publish", "_selected_action": [str(post.pk)]}
    )
    assert Post.objects.get().status == Post.Status.PUBLISHED


def post_form(**fields) -> dict:
    data = {
        "headline": "Quay hearing",
        "slug": "quay-hearing",
        "status": "draft",
        "excerpt": "",
        "body": "",
        "credits-TOTAL_FORMS": "1",
        "credits-INITIAL_FORMS": "0",
        "credits-0-position": "0",
        "credits-0-author": "Mira Okafor",
        "versions-TOTAL_FORMS": "0",
        "versions-INITIAL_FORMS": "0",
    }
    return data | fields


@pytest.mark.parametrize("outlet", ["abc", BEYOND_ANY_INTEGER])
def test_a_credit_whose_outlet_is_no_outlets_number_is_refused_beside_it(admin_client, outlet):
    """The form came back with the error, and drawing the outlet's autocomplete looked the
    value up to show its name: a server error."""
    make_outlet("Harbour Gazette")

    page = admin_client.post("/admin/digest/post/add/", post_form(**{"credits-0-outlet": outlet}))

    assert page.status_code == 200
    credit_errors = page.context["inline_admin_formsets"][0].formset.errors[0]
    assert "Select a valid choice" in " ".join(credit_errors["outlet"])
    assert not Post.objects.exists()


def test_a_credit_form_redrawn_still_shows_its_chosen_outlet(admin_client):
    gazette = make_outlet("Harbour Gazette")
    form = post_form(**{"credits-0-outlet": str(gazette.pk), "slug": "bad slug!"})

    page = admin_client.post("/admin/digest/post/add/", form)

    assert page.status_code == 200 and not Post.objects.exists()
    assert f'<option value="{gazette.pk}" selected>Harbour Gazette</option>' in (
        page.content.decode()
    )


@pytest.mark.parametrize(
    ("address", "form", "field"),
    [
        (
            "/admin/digest/outlet/add/",
            {"name": "Harbour Gazette", "slug": "harbour-gazette", "aliases": NESTED_DEEP},
            "aliases",
        ),
        (
            "/admin/articles/extractionrule/add/",
            {"host": "www.example.org", "enabled": "on", "drop_xpaths": NESTED_DEEP},
            "drop_xpaths",
        ),
        (
            "/admin/digest/outlet/add/",
            {"name": "Harbour Gazette", "slug": "harbour-gazette", "aliases": "[" * 60 + "]" * 60},
            "aliases",
        ),
    ],
)
def test_json_nested_too_deep_is_refused_beside_its_field(admin_client, address, form, field):
    page = admin_client.post(address, form)

    assert page.status_code == 200
    assert "Nested more than 50 levels" in " ".join(page.context["adminform"].form.errors[field])
    assert not Outlet.objects.exists()


def test_json_a_person_types_is_still_read(admin_client):
    form = {"name": "Harbour Gazette", "slug": "harbour-gazette", "aliases": '["The Gazette"]'}
    admin_client.post("/admin/digest/outlet/add/", form)
    assert Outlet.objects.get().aliases == ["The Gazette"]
