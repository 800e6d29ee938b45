"""Sign-in throttling, the audit trail and post versions."""

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.test import override_settings

from clipdesk.digest.actions import restore_version, save_version
from clipdesk.digest.models import Post
from clipdesk.people.addresses import trusted_proxies
from clipdesk.people.roles import EDITOR, READER
from clipdesk.people.throttle import DEVICE_COOKIE, MAX_FAILURES, counter
from tests.factories import make_outlet, make_post

pytestmark = pytest.mark.django_db


def account_with_role(name: str, password: str, role: str | None, **fields) -> User:
    """An account in one role's group (or none), made as an admin would in the admin."""
    from django.contrib.auth.models import Group

    from clipdesk.people.roles import ensure_roles

    ensure_roles()
    account = User.objects.create_user(name, password=password, **fields)
    if role:
        account.groups.add(Group.objects.get(name=role))
    return account


def proxies(*addresses: str):
    """CLIPDESK_TRUSTED_PROXIES as the settings read it from the environment."""
    return trusted_proxies(",".join(addresses))


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    counter().clear()
    yield
    cache.clear()
    counter().clear()


def test_sign_in_is_throttled_after_repeated_failures(client):
    User.objects.create_user("eddie", password="the-right-password-123")
    for _ in range(MAX_FAILURES):
        response = client.post("/login/", {"username": "eddie", "password": "wrong"})
        assert response.status_code == 200
    locked = client.post("/login/", {"username": "eddie", "password": "the-right-password-123"})
    assert locked.status_code == 429
    assert "Too many failed attempts" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_an_account_is_locked_whichever_way_its_name_is_written(client):
    """Signing in reads "ｅｄｄｉｅ" (full-width letters) as "eddie", as Unicode's NFKC form
    has it: counted under each spelling, every one of them was five more guesses at the same
    password, from addresses enough to spread them over."""
    User.objects.create_user("eddie", password="the-right-password-123")
    spellings = ["eddie", "ｅddie", "eｄdie", "edｄie", "Eddie "]
    for number, spelling in enumerate(spellings * MAX_FAILURES):
        address = f"203.0.113.{number}"
        client.post("/login/", {"username": spelling, "password": "wrong"}, REMOTE_ADDR=address)

    guess = {"username": "ｅｄｄｉｅ", "password": "the-right-password-123"}
    locked = client.post("/login/", guess, REMOTE_ADDR="198.51.100.1")

    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("role", [READER, None])
def test_an_account_without_a_desk_role_goes_to_the_front_page_after_signing_in(client, role):
    """Sent to /desk/ as every account was, a reader was answered 403 on signing in."""
    account_with_role("rowan", "a-long-reader-password", role)
    credentials = {"username": "rowan", "password": "a-long-reader-password"}

    signed_in = client.post("/login/", credentials)
    again = client.get("/login/")  # signed in already: sent on as well
    asked = client.post("/login/?next=/archive/", credentials)

    assert signed_in.status_code == 302 and signed_in["Location"] == "/"
    assert client.get(signed_in["Location"]).status_code == 200
    assert again.status_code == 302 and again["Location"] == "/"
    assert asked["Location"] == "/archive/"


def test_an_editor_goes_to_the_desk_after_signing_in(client):
    account_with_role("ed", "a-long-editor-password", EDITOR)
    signed_in = client.post("/login/", {"username": "ed", "password": "a-long-editor-password"})
    unsafe = client.post(
        "/login/?next=https://evil.example/",
        {"username": "ed", "password": "a-long-editor-password"},
    )
    assert signed_in["Location"] == "/desk/"
    assert unsafe["Location"] == "/desk/"


def test_admin_sign_in_is_throttled_too(client):
    for _ in range(MAX_FAILURES):
        client.post("/admin/login/", {"username": "root", "password": "nope"})
    assert client.post("/admin/login/", {"username": "root", "password": "x"}).status_code == 429


@pytest.mark.parametrize("role", [READER, EDITOR])
def test_a_signed_in_account_the_admin_does_not_admit_is_asked_to_sign_in_as_another(client, role):
    """A reader (or an editor not marked staff) who opened /admin/ was sent to sign in, and
    the sign-in page, seeing them signed in already, sent them back: round and round until
    the browser gave up on "too many redirects"."""
    account = account_with_role("rowan", "a-long-reader-password", role)
    client.force_login(account)

    sent = client.get("/admin/")
    page = client.get(sent["Location"])

    assert sent["Location"] == "/admin/login/?next=/admin/"
    assert page.status_code == 200
    assert "signed in as rowan" in page.content.decode()
    staff = User.objects.create_user("sam", password="a-long-staff-password", is_staff=True)
    signed_in = client.post(
        sent["Location"], {"username": "sam", "password": "a-long-staff-password"}
    )
    assert signed_in.status_code == 302 and signed_in["Location"] == "/admin/"
    assert client.session["_auth_user_id"] == str(staff.pk)


def test_staff_signed_in_already_go_straight_to_the_admin(admin_client):
    page = admin_client.get("/admin/login/?next=/admin/digest/post/")
    assert page.status_code == 302 and page["Location"] == "/admin/digest/post/"
    bare = admin_client.get("/admin/login/")  # typed or bookmarked: no `next`
    assert bare.status_code == 302 and bare["Location"] == "/admin/"


def test_admin_edit_keeps_the_earlier_version_and_restores_it(admin_client):
    post = make_post("First headline", credits=[{"outlet": make_outlet("Coast FM")}])
    data = post_form(post, headline="Second headline")
    response = admin_client.post(f"/admin/digest/post/{post.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    post.refresh_from_db()
    assert post.headline == "Second headline"
    version = post.versions.get()
    assert version.data["headline"] == "First headline"
    page = admin_client.get(f"/admin/digest/post/{post.pk}/restore/{version.pk}/")
    assert "Restore this version" in page.content.decode()
    admin_client.post(f"/admin/digest/post/{post.pk}/restore/{version.pk}/")
    post.refresh_from_db()
    assert post.headline == "First headline"
    assert post.versions.count() == 2


def test_restore_brings_back_credits_and_status():
    post = make_post("Kept", credits=[{"outlet": make_outlet("Coast FM"), "author": "Ana"}])
    version = save_version(post)
    post.credits.all().delete()
    Post.objects.filter(pk=post.pk).update(status=Post.Status.DRAFT)
    restored = restore_version(version)
    assert restored.status == Post.Status.PUBLISHED
    assert [(c.author, c.outlet.name) for c in restored.credits.all()] == [("Ana", "Coast FM")]


def test_a_version_restored_after_its_outlet_was_merged_credits_the_merged_outlet():
    from clipdesk.digest.actions import merge_outlets

    kept, merged = make_outlet("Valley Times"), make_outlet("Kestrel News Agency")
    post = make_post("Quay vote", credits=[{"outlet": merged}])
    version = save_version(post)
    merge_outlets(kept, [merged])  # the credit moves; the merged outlet is gone

    restore_version(version)

    assert [c.outlet for c in Post.objects.get(pk=post.pk).credits.all()] == [kept]


def test_editors_see_earlier_versions_but_do_not_extract_articles_again(client, db):
    editor = account_with_role("ed", "a-long-editor-password", EDITOR, is_staff=True)
    assert editor.has_perm("digest.view_postversion")
    client.force_login(editor)
    page = client.get("/admin/articles/article/")
    assert page.status_code == 200
    assert b'value="reextract"' not in page.content  # the action changes the articles


def test_the_audit_trail_is_in_the_admin_and_read_only(admin_client):
    post = make_post("Quay vote")
    save_version(post)
    restore_version(post.versions.get())

    page = admin_client.get("/admin/people/auditentry/")
    assert page.status_code == 200 and b"restore" in page.content
    assert admin_client.get("/admin/people/auditentry/add/").status_code == 403


def post_form(
    post, *, headline: str = "", new_credit: dict[str, str] | None = None, delete_first=False
) -> dict:
    """The admin's change form of a post with one credit, as sent: another headline, a second
    credit row, the first credit ticked for deletion, as asked."""
    credit = post.credits.get()
    data = {
        "headline": headline or post.headline,
        "slug": post.slug,
        "status": "published",
        "posted_on": "2021-03-14",
        "posted_on_inferred": "2021-03-14",
        "excerpt": "",
        "body": "",
        "credits-TOTAL_FORMS": "2" if new_credit else "1",
        "credits-INITIAL_FORMS": "1",
        "credits-MIN_NUM_FORMS": "0",
        "credits-MAX_NUM_FORMS": "1000",
        "credits-0-id": str(credit.pk),
        "credits-0-post": str(post.pk),
        "credits-0-position": "0",
        "credits-0-outlet": str(credit.outlet_id),
        "versions-TOTAL_FORMS": "0",
        "versions-INITIAL_FORMS": "0",
        "versions-MIN_NUM_FORMS": "0",
        "versions-MAX_NUM_FORMS": "1000",
    }
    if new_credit:
        data["credits-1-post"] = str(post.pk)
        data.update({f"credits-1-{name}": value for name, value in new_credit.items()})
    if delete_first:
        data["credits-0-DELETE"] = "on"
    return data


def test_a_new_credit_row_sent_twice_is_a_form_error_not_a_server_error(admin_client):
    post = make_post("Ferry fares", credits=[{"outlet": make_outlet("Coast FM")}])
    data = post_form(post, new_credit={"position": "1", "author": "Jane Roe"})
    url = f"/admin/digest/post/{post.pk}/change/"
    assert admin_client.post(url, data).status_code == 302

    again = admin_client.post(url, data)  # a double click, or an old tab

    assert again.status_code == 200
    assert "already exists" in again.content.decode()
    assert list(post.credits.values_list("position", "author")) == [(0, ""), (1, "Jane Roe")]


@pytest.mark.django_db(transaction=True)
def test_failed_sign_ins_are_counted_across_the_servers_processes(tmp_path):
    """Each of a server's workers is a process: counted in each one's memory, five failures
    a worker went through before any pause, ten on two workers."""
    from tests.cli import clipdesk

    home = tmp_path / "home"
    clipdesk(home, "init")
    guess = "from clipdesk.people import throttle; throttle.note_failure('203.0.113.9', 'eve')"
    for _ in range(MAX_FAILURES):  # each failure in a process of its own, as on N workers
        clipdesk(home, "manage", "shell", "-c", guess)
    ask = "from clipdesk.people import throttle; print(throttle.is_locked('203.0.113.9', 'x'))"
    assert clipdesk(home, "manage", "shell", "-c", ask).stdout.splitlines()[-1] == "True"


def test_a_credit_deleted_and_added_again_at_its_place_is_saved(admin_client):
    post = make_post("Ferry fares", credits=[{"outlet": make_outlet("Coast FM")}])
    data = post_form(post, new_credit={"position": "0", "author": "Jane Roe"}, delete_first=True)
    page = admin_client.post(f"/admin/digest/post/{post.pk}/change/", data)
    assert page.status_code == 302, page.content.decode()[-3000:]
    assert list(post.credits.values_list("position", "author")) == [(0, "Jane Roe")]


def test_failures_counted_at_the_same_moment_are_each_counted():
    """Counting in files reads then writes; unlocked, eight threads counting 25 failures
    each counted about fifty in all."""
    import threading

    from clipdesk.people.throttle import note_failure

    start = threading.Barrier(8)

    def fail_25_times() -> None:
        start.wait()
        for _ in range(25):
            note_failure("203.0.113.7", "eve")

    threads = [threading.Thread(target=fail_25_times) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert counter().get("login-fail:ip:203.0.113.7") == 200


def fail_five_times(client, username: str, **headers) -> None:
    for _ in range(MAX_FAILURES):
        client.post("/login/", {"username": username, "password": "wrong"}, **headers)


@override_settings(CLIPDESK_TRUSTED_PROXIES=proxies("127.0.0.1", "10.0.0.0/8"))
def test_behind_a_trusted_proxy_failures_are_counted_by_the_address_it_forwards(client):
    """Behind nginx every request came from the proxy's address: one guesser's five wrong
    passwords locked every editor out of signing in for a quarter of an hour, again and
    again. The address the trusted proxy forwards is now the one counted."""
    User.objects.create_user("eddie", password="the-right-password-123")
    fail_five_times(client, "mallory", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.66")

    signed_in = client.post(
        "/login/",
        {"username": "eddie", "password": "the-right-password-123"},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.7",
    )

    assert signed_in.status_code == 302
    assert counter().get("login-fail:ip:203.0.113.66") == MAX_FAILURES


@override_settings(CLIPDESK_TRUSTED_PROXIES=proxies("127.0.0.1", "10.0.0.0/8"))
def test_an_address_a_client_writes_itself_into_x_forwarded_for_is_not_believed(client):
    """The proxy adds the address it was reached from at the end; what comes before is the
    client's to write. The right-most address no trusted proxy holds is the client's."""
    for number in range(MAX_FAILURES):
        client.post(
            "/login/",
            {"username": f"guess{number}", "password": "wrong"},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{number}, 203.0.113.66, 10.1.2.3",
        )

    locked = client.post(
        "/login/",
        {"username": "another", "password": "x"},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="192.0.2.200, 203.0.113.66",
    )

    assert locked.status_code == 429


@pytest.mark.parametrize("trusted", [(), proxies("10.0.0.0/8")])
def test_x_forwarded_for_from_an_address_not_trusted_is_ignored(client, trusted):
    """Without trusted proxies (the default), or from an address that is not one, the header
    is whatever the client says: believed, it would let a guesser pick a fresh address for
    every five passwords."""
    with override_settings(CLIPDESK_TRUSTED_PROXIES=trusted):
        for number in range(MAX_FAILURES):
            client.post(
                "/login/",
                {"username": f"guess{number}", "password": "wrong"},
                REMOTE_ADDR="203.0.113.66",
                HTTP_X_FORWARDED_FOR=f"192.0.2.{number}",
            )
        locked = client.post(
            "/login/",
            {"username": "another", "password": "x"},
            REMOTE_ADDR="203.0.113.66",
            HTTP_X_FORWARDED_FOR="192.0.2.200",
        )

    assert locked.status_code == 429


def test_a_refusal_in_the_admin_is_one_line_in_the_log(client, caplog):
    """Every 403 of the admin (an editor opening a page their role does not allow) was
    logged with the whole stack of the refusal, thirty lines that said nothing the first
    did not. It is one line now; a server error keeps its traceback."""
    import logging

    editor = account_with_role("ed", "a-long-editor-password", EDITOR, is_staff=True)
    client.force_login(editor)

    with caplog.at_level(logging.WARNING, logger="django.request"):
        refused = client.get("/admin/people/auditentry/add/")
        try:
            raise RuntimeError("a real fault")
        except RuntimeError:
            logging.getLogger("django.request").error("Internal Server Error: /x/", exc_info=True)

    assert refused.status_code == 403
    forbidden, error = [r for r in caplog.records if r.name == "django.request"]
    assert forbidden.levelname == "WARNING" and forbidden.exc_info is None
    assert "/admin/people/auditentry/add/" in forbidden.getMessage()
    assert error.exc_info is not None and error.exc_info[0] is RuntimeError


@pytest.mark.parametrize(("connected", "secure"), [("10.0.0.7", True), ("203.0.113.9", False)])
def test_a_request_is_https_by_its_forwarded_header_only_from_a_trusted_proxy(
    client, connected, secure
):
    # Behind HTTPS the header makes a request secure; a client reaching the port directly
    # could say so itself. HSTS is sent on secure requests only.
    with override_settings(
        CLIPDESK_TRUSTED_PROXIES=proxies("10.0.0.0/8"),
        SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
        SECURE_HSTS_SECONDS=3600,
    ):
        response = client.get("/", HTTP_X_FORWARDED_PROTO="https", REMOTE_ADDR=connected)
    assert response.has_header("Strict-Transport-Security") is secure


def test_with_no_proxy_named_the_forwarded_header_is_believed_as_before(client):
    with override_settings(
        SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"), SECURE_HSTS_SECONDS=3600
    ):
        response = client.get("/", HTTP_X_FORWARDED_PROTO="https", REMOTE_ADDR="203.0.113.9")
    assert response.has_header("Strict-Transport-Security")


@pytest.mark.parametrize("desk_page", ["/desk/", "/desk/?tab=new", "http://testserver/desk/"])
def test_a_reader_sent_to_sign_in_from_the_desk_goes_to_the_front_page(client, desk_page):
    """The desk sends a visitor to sign in with `next` set to it; a reader who did was taken
    back there, only to be answered 403."""
    account_with_role("rowan", "a-long-reader-password", READER)
    sent = client.get("/desk/")
    assert sent.status_code == 302 and "next=/desk/" in sent["Location"]

    signed_in = client.post(
        "/login/", {"username": "rowan", "password": "a-long-reader-password", "next": desk_page}
    )

    assert signed_in.status_code == 302 and signed_in["Location"] == "/"


def test_an_editor_sent_to_sign_in_from_the_desk_goes_back_to_it(client):
    account_with_role("ed", "a-long-editor-password", EDITOR)
    credentials = {"username": "ed", "password": "a-long-editor-password", "next": "/desk/?tab=new"}
    assert client.post("/login/", credentials)["Location"] == "/desk/?tab=new"


def _signed_in_once(client, name: str, password: str) -> str:
    """Sign in and out again, as the account's owner did last week: the browser keeps the
    device cookie it was given."""
    response = client.post("/login/", {"username": name, "password": password})
    assert response.status_code == 302
    issued = response.cookies[DEVICE_COOKIE].value
    client.logout()  # the test client's logout forgets every cookie; a browser's keeps this one
    client.cookies[DEVICE_COOKIE] = issued
    return issued


def _lock_from_elsewhere(name: str) -> None:
    from django.test import Client

    stranger = Client()
    for number in range(MAX_FAILURES):
        guess = {"username": name, "password": f"guess-{number}"}
        stranger.post("/login/", guess, REMOTE_ADDR=f"203.0.113.{number}")


def test_a_browser_the_account_signed_in_with_is_not_kept_out_by_its_lock(client):
    """Anyone knowing an editor's name could lock the account with five wrong passwords; the
    editor's own browser, which signed in before, still gets in."""
    User.objects.create_user("eddie", password="the-right-password-123")
    _signed_in_once(client, "eddie", "the-right-password-123")
    _lock_from_elsewhere("eddie")

    response = client.post("/login/", {"username": "eddie", "password": "the-right-password-123"})

    assert response.status_code == 302
    assert client.session["_auth_user_id"]
    # The stranger's lock stands: the editor's success gave them no fresh guesses.
    from django.test import Client

    elsewhere = {"username": "eddie", "password": "the-right-password-123"}
    assert Client().post("/login/", elsewhere, REMOTE_ADDR="198.51.100.9").status_code == 429


def test_without_the_cookie_the_locked_account_is_refused_as_before(client):
    User.objects.create_user("eddie", password="the-right-password-123")
    _signed_in_once(client, "eddie", "the-right-password-123")
    _lock_from_elsewhere("eddie")
    client.cookies.pop(DEVICE_COOKIE)

    response = client.post("/login/", {"username": "eddie", "password": "the-right-password-123"})

    assert response.status_code == 429


def test_a_device_cookie_counts_for_its_own_account_only_and_cannot_be_forged(client):
    User.objects.create_user("eddie", password="the-right-password-123")
    User.objects.create_user("mallory", password="mallorys-own-password-1")
    issued = _signed_in_once(client, "mallory", "mallorys-own-password-1")
    _lock_from_elsewhere("eddie")
    right = {"username": "eddie", "password": "the-right-password-123"}

    assert client.post("/login/", right).status_code == 429  # mallory's cookie, eddie's lock
    client.cookies[DEVICE_COOKIE] = issued.replace("mallory", "eddie")
    assert client.post("/login/", right).status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_known_device_is_locked_by_its_own_failures(client):
    """The cookie spares a browser the lock others set off, not its own guesses: a stolen
    cookie is worth five of them a quarter of an hour, as an address is."""
    User.objects.create_user("eddie", password="the-right-password-123")
    _signed_in_once(client, "eddie", "the-right-password-123")
    for number in range(MAX_FAILURES):
        client.post("/login/", {"username": "eddie", "password": f"guess-{number}"})

    right = {"username": "eddie", "password": "the-right-password-123"}
    assert client.post("/login/", right).status_code == 429
    # Its failures were its own: another browser, from another address, is not locked.
    from django.test import Client

    assert Client().post("/login/", right, REMOTE_ADDR="198.51.100.7").status_code == 302


def test_the_device_cookie_is_kept_from_scripts_and_other_sites(client):
    User.objects.create_user("eddie", password="the-right-password-123")
    response = client.post("/login/", {"username": "eddie", "password": "the-right-password-123"})
    cookie = response.cookies[DEVICE_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) >= 30 * 24 * 60 * 60
