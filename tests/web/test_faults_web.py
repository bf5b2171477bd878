"""The web faults B27-B30 of ../shared/cases/public-faults.md, one test per case."""

import os
import threading
from urllib.parse import parse_qs
from urllib.parse import urlsplit

import flask_wtf.csrf
import itsdangerous
import pyotp
import pytest
from flask_login.utils import encode_cookie

from dynamon.web import auth
from dynamon.web.models import User

IDLE = 15 * 60
NEW_USER = {"email": "ny@example.no", "role": "manager"}


def users_created():
    return User.select().where(User.email == NEW_USER["email"]).count()


def logout(client, csrf_token):
    return client.post("/logout", data={"csrf_token": csrf_token(client,
                                                                   "/password")})


def htmx(url="http://localhost/admin/users", **headers):
    return {"HX-Request": "true", "HX-Current-URL": url, **headers}


def login_target(location):
    """The path and the ``next`` of a redirect to the login page."""
    parts = urlsplit(location)
    found = parse_qs(parts.query).get("next")
    return parts.path, found[0] if found else None


@pytest.fixture
def admin(make_user):
    return make_user("admin@example.no", role="admin")


# ==== B27: no remember-me; idle logout; old sessions refused

def test_b27_idle_past_the_limit_needs_a_full_login(client, admin, login, clock):
    login(client, admin)
    assert client.get("/").status_code == 200

    clock.advance(IDLE + 1)
    response = client.get("/admin/users")
    assert response.status_code == 302
    assert login_target(response.headers["Location"]) == ("/login", "/admin/users")
    with client.session_transaction() as session:
        assert "_user_id" not in session and "second_factor" not in session
    assert "fordi du ikke har vært aktiv på 15 minutter" in client.get("/login").text

    # The second factor is needed again, not only the password.
    assert client.get("/login/code").headers["Location"] == "/login"
    clock.advance(30)
    response = login(client, admin, next="/admin/users")
    assert response.headers["Location"] == "/admin/users"


def test_b27_activity_keeps_the_session(client, admin, login, clock):
    login(client, admin)
    for _ in range(4):
        clock.advance(IDLE - 60)
        assert client.get("/").status_code == 200


def test_b27_a_passive_poll_is_not_activity(client, admin, login, clock):
    login(client, admin)
    clock.advance(IDLE - 300)
    response = client.get("/session", headers={"X-Idle-Passive": "1"})
    assert response.json == {"remaining": 300}
    clock.advance(301)
    assert client.get("/").status_code == 302


def test_b27_continue_button_keeps_the_session(client, admin, login, clock,
                                               csrf_token):
    login(client, admin)
    token = csrf_token(client, "/password")
    clock.advance(IDLE - 60)
    assert client.get("/session").json == {"remaining": 60}
    response = client.post("/session", headers={"X-CSRFToken": token})
    assert response.json == {"remaining": IDLE}
    clock.advance(IDLE - 60)
    assert client.get("/").status_code == 200
    assert client.post("/session").status_code == 400  # without the token

    clock.advance(IDLE + 1)
    assert client.post("/session", headers={"X-CSRFToken": token}).status_code \
        == 401


@pytest.mark.app_config(IDLE_TIMEOUT_MINUTES=0.5, IDLE_WARNING_SECONDS=10)
def test_b27_the_page_carries_the_idle_limit(app, client, admin, login):
    assert "data-idle-seconds" not in client.get("/login").text
    login(client, admin)
    page = client.get("/password").text
    assert 'data-idle-seconds="30"' in page and 'data-idle-warning="10"' in page
    assert 'id="idle-warning" role="alert"' in page
    assert "Fortsett økten" in page


def test_b27_logout_leaves_no_remember_cookie(client, admin, login, csrf_token,
                                              monkeypatch):
    set_cookies = []
    real_open = client.open

    def record(*args, **kwargs):
        response = real_open(*args, **kwargs)
        set_cookies.extend(response.headers.getlist("Set-Cookie"))
        return response

    monkeypatch.setattr(client, "open", record)
    login(client, admin)
    logout(client, csrf_token)

    assert set_cookies and not any("remember" in cookie for cookie in set_cookies)
    assert client.get_cookie("remember_token") is None
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_b27_a_session_cookie_copied_before_logout_is_refused(
        app, client, admin, login, csrf_token):
    login(client, admin)
    captured = client.get_cookie("session").value
    logout(client, csrf_token)

    replay = app.test_client()
    replay.set_cookie("session", captured)
    response = replay.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_b27_a_forged_remember_cookie_is_refused(app, client, admin, login):
    login(app.test_client(), admin)
    with app.test_request_context():
        cookie = encode_cookie(str(admin.id))
    client.set_cookie("remember_token", cookie)
    assert client.get("/").headers["Location"].startswith("/login")


def test_b27_an_old_session_cookie_is_refused_after_a_password_change(
        app, client, admin, login, csrf_token):
    login(client, admin)
    captured = client.get_cookie("session").value

    response = client.post("/password", data={
        "current": admin.password, "new": "et helt nytt passord",
        "repeat": "et helt nytt passord",
        "csrf_token": csrf_token(client, "/password")})
    assert response.status_code == 302
    assert client.get("/").status_code == 200  # this session goes on

    replay = app.test_client()
    replay.set_cookie("session", captured)
    response = replay.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    assert "Økten din er avsluttet" in replay.get("/login").text


def test_b27_an_old_session_cookie_is_refused_after_a_2fa_reset(
        app, client, admin, make_user, login, csrf_token):
    user = make_user("kari@example.no")
    other = app.test_client()
    login(other, user)
    captured = other.get_cookie("session").value

    login(client, admin)
    client.post(f"/admin/users/{user.id}/reset-2fa",
                data={"csrf_token": csrf_token(client, "/admin/users")})

    replay = app.test_client()
    replay.set_cookie("session", captured)
    assert replay.get("/").headers["Location"].startswith("/login")


# ==== B28: a TOTP code once only; ±1 step of drift

def start_code_step(client, user, login, clock, csrf_token):
    """Enroll, log out, and log in with the password again (a new TOTP step)."""
    login(client, user)
    logout(client, csrf_token)
    clock.advance(60)
    client.post("/login", data={"email": user.email, "password": user.password,
                                "csrf_token": csrf_token(client)})


def post_code(client, code, csrf_token):
    return client.post("/login/code", data={
        "code": code, "csrf_token": csrf_token(client, "/login/code")})


def test_b28_the_same_code_20_seconds_later_is_refused(client, admin, login, clock,
                                                        csrf_token, totp_code):
    start_code_step(client, admin, login, clock, csrf_token)
    code = totp_code(admin)
    assert post_code(client, code, csrf_token).status_code == 302
    logout(client, csrf_token)

    clock.advance(20)
    client.post("/login", data={"email": admin.email, "password": admin.password,
                                "csrf_token": csrf_token(client)})
    response = post_code(client, code, csrf_token)
    assert response.status_code == 422
    assert "brukt før" in response.text
    assert client.get("/").headers["Location"] == "/login/code"


def test_b28_two_parallel_logins_with_one_code_only_one_passes(
        app, admin, login, clock, csrf_token, totp_code):
    login(app.test_client(), admin)
    clock.advance(60)
    clients, tokens = [], []
    for _ in range(2):
        client = app.test_client()
        client.post("/login", data={"email": admin.email,
                                    "password": admin.password,
                                    "csrf_token": csrf_token(client)})
        clients.append(client)
        tokens.append(csrf_token(client, "/login/code"))
    code = totp_code(admin)
    barrier = threading.Barrier(2)
    statuses = []

    def attempt(client, token):
        barrier.wait()
        response = client.post("/login/code", data={"code": code,
                                                    "csrf_token": token})
        statuses.append(response.status_code)

    threads = [threading.Thread(target=attempt, args=pair)
               for pair in zip(clients, tokens, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [302, 422]


def test_b28_verify_totp_accepts_a_step_once(app, admin, login, clock, totp_code):
    login(app.test_client(), admin)
    clock.advance(60)
    user = User.get_by_id(admin.id)
    code = totp_code(admin)
    assert auth.verify_totp(user, code) is True
    assert auth.verify_totp(user, code) is False
    assert auth.verify_totp(user, totp_code(admin, -1)) is False  # an older step


@pytest.mark.parametrize("steps, accepted", [
    (1, True),    # the phone's clock 25 s fast
    (-1, True),   # typed just after the code changed
    (-2, False),
    (2, False),
])
def test_b28_codes_within_one_step_are_accepted(client, admin, login, clock,
                                                csrf_token, totp_code, steps,
                                                accepted):
    start_code_step(client, admin, login, clock, csrf_token)
    clock.advance(90)
    response = post_code(client, totp_code(admin, steps), csrf_token)
    assert (response.status_code == 302) is accepted


def test_b28_the_enrollment_code_cannot_log_in_again(client, admin, login,
                                                     csrf_token):
    login(client, admin)
    secret = User.get_by_id(admin.id).totp_secret
    code = pyotp.TOTP(secret).generate_otp(User.get_by_id(admin.id).totp_last_step)
    logout(client, csrf_token)
    client.post("/login", data={"email": admin.email, "password": admin.password,
                                "csrf_token": csrf_token(client)})
    assert post_code(client, code, csrf_token).status_code == 422


# ==== B29: CSRF with htmx

def create_user_htmx(client, **headers):
    return client.post("/admin/users", data=NEW_USER, headers=htmx(**headers))


def test_b29_htmx_post_with_a_valid_token_succeeds(client, admin, login,
                                                   csrf_token):
    login(client, admin)
    token = csrf_token(client, "/admin/users")
    response = create_user_htmx(client, **{"X-CSRFToken": token})
    assert response.status_code == 200
    assert users_created() == 1


def test_b29_htmx_post_without_a_token_gets_400(client, admin, login):
    login(client, admin)
    response = create_user_htmx(client)
    assert response.status_code == 400
    assert users_created() == 0


def test_b29_an_expired_token_gets_the_session_expired_fragment(
        client, admin, login, csrf_token, monkeypatch):
    class Signer(itsdangerous.TimestampSigner):
        def get_timestamp(self):
            return super().get_timestamp() - 61 * 60

    def serializer(secret_key, salt):
        return itsdangerous.URLSafeTimedSerializer(secret_key, salt=salt,
                                                   signer=Signer)

    login(client, admin)
    real = flask_wtf.csrf.URLSafeTimedSerializer
    monkeypatch.setattr(flask_wtf.csrf, "URLSafeTimedSerializer", serializer)
    token = csrf_token(client, "/admin/users")  # the page left open for 61 min
    monkeypatch.setattr(flask_wtf.csrf, "URLSafeTimedSerializer", real)

    response = create_user_htmx(client, **{"X-CSRFToken": token})
    assert response.status_code == 400
    text = response.text
    assert "Økten er utløpt. Last inn siden på nytt – endringen ble ikke lagret." \
        in text
    assert "<html" not in text and 'role="alert"' in text
    assert users_created() == 0


def test_b29_a_token_from_another_session_gets_the_fragment(app, client, admin,
                                                            login, csrf_token):
    login(client, admin)
    foreign = csrf_token(app.test_client())
    response = create_user_htmx(client, **{"X-CSRFToken": foreign})
    assert response.status_code == 400
    assert "Økten er utløpt" in response.text
    assert users_created() == 0


def test_b29_a_plain_form_with_an_expired_token_gets_a_page(client, admin, login):
    login(client, admin)
    response = client.post("/admin/users", data={**NEW_USER, "csrf_token": "gammel"})
    assert response.status_code == 400
    assert "<html" in response.text and "Økten er utløpt" in response.text


def test_b29_htmx_is_told_to_swap_400_and_422(app):
    script = (app.static_folder + "/dynamon.js")
    with open(script, encoding="utf-8") as handle:
        text = handle.read()
    assert '{code: "400", swap: true' in text and '{code: "422", swap: true' in text


# ==== B30: session expiry with htmx

def test_b30_htmx_post_without_a_session_redirects_the_whole_page(
        client, admin, login, csrf_token):
    login(client, admin)
    token = csrf_token(client, "/admin/users")
    client.delete_cookie("session")

    response = create_user_htmx(client, **{"X-CSRFToken": token})
    assert response.status_code == 401
    assert login_target(response.headers["HX-Redirect"]) == ("/login",
                                                             "/admin/users")
    assert users_created() == 0

    page = client.get(response.headers["HX-Redirect"]).text
    assert "Den siste endringen ble ikke lagret." in page
    assert 'name="next" type="hidden" value="/admin/users"' in page
    response = login(client, admin, next="/admin/users")
    assert response.headers["Location"] == "/admin/users"


def test_b30_htmx_request_after_idle_logout(client, admin, login, clock):
    login(client, admin)
    clock.advance(IDLE + 1)
    response = client.get("/admin/users", headers=htmx(
        "http://localhost/admin/users?side=2"))
    assert response.status_code == 401
    assert login_target(response.headers["HX-Redirect"]) == (
        "/login", "/admin/users?side=2")
    assert "fordi du ikke har vært aktiv" in client.get("/login").text


def test_b30_a_foreign_current_url_is_not_used_as_next(client):
    response = client.post("/admin/users", data=NEW_USER,
                           headers=htmx("https://evil.example/admin/users"))
    assert response.status_code == 401
    assert response.headers["HX-Redirect"] == "/login"


def test_b30_plain_requests_get_a_redirect_with_next(client):
    response = client.get("/admin/users?side=2")
    assert response.status_code == 302
    assert login_target(response.headers["Location"]) == ("/login",
                                                          "/admin/users?side=2")


# ==== In a real browser: the idle warning (B27), htmx with CSRF (B29) and
# with an expired session (B30). The session cookie comes from a test client.

CHROMIUM = "/usr/bin/chromium"
HTMX_PROBE = """() => {
  const out = document.createElement("div");
  out.id = "probe-out";
  const button = document.createElement("button");
  button.id = "probe";
  button.textContent = "Prøv";
  button.setAttribute("hx-post", "/session");
  button.setAttribute("hx-target", "#probe-out");
  document.querySelector("main").append(button, out);
  htmx.process(button);
}"""


@pytest.fixture
def browser_page(app, client, make_user, login, live_server):
    """A Chromium page logged in as an admin on the live server."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if not os.path.exists(CHROMIUM):
        pytest.skip("needs /usr/bin/chromium")
    user = make_user("admin@example.no", role="admin")
    login(client, user)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--no-first-run"])
        context = browser.new_context(locale="nb-NO")
        context.add_cookies([{"name": "session", "url": live_server,
                              "value": client.get_cookie("session").value}])
        page = context.new_page()
        page.set_default_timeout(10000)
        yield page, sync_api.expect, user
        browser.close()


@pytest.mark.app_config(IDLE_TIMEOUT_MINUTES=0.1, IDLE_WARNING_SECONDS=3)
def test_b27_browser_warns_before_the_idle_logout(browser_page, live_server):
    page, expect, _ = browser_page
    page.goto(live_server + "/admin/users")
    warning = page.locator("#idle-warning")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("blir snart logget ut")
    button = page.get_by_role("button", name="Fortsett økten")
    assert page.evaluate("document.activeElement.hasAttribute('data-idle-continue')")
    button.click()
    expect(warning).to_be_hidden()

    expect(warning).to_be_visible()  # ignored this time
    page.wait_for_url("**/login?**")
    assert login_target(page.url)[1] == "/admin/users"
    expect(page.locator(".flash")).to_contain_text("ikke har vært aktiv")


def test_b29_browser_shows_the_expired_message_in_the_target(browser_page,
                                                             live_server):
    page, expect, _ = browser_page
    page.goto(live_server + "/admin/users")
    page.evaluate(HTMX_PROBE)
    page.click("#probe")
    expect(page.locator("#probe-out")).to_contain_text("remaining")

    page.evaluate("""() => document.body.setAttribute(
        "hx-headers", '{"X-CSRFToken": "gammelt"}')""")
    page.click("#probe")
    expect(page.locator("#probe-out")).to_contain_text(
        "Økten er utløpt. Last inn siden på nytt – endringen ble ikke lagret.")


def test_b30_browser_goes_to_login_and_back(browser_page, live_server, totp_code):
    page, expect, user = browser_page
    page.goto(live_server + "/admin/users")
    page.evaluate(HTMX_PROBE)
    page.context.clear_cookies()
    page.click("#probe")
    page.wait_for_url("**/login?**")
    assert login_target(page.url)[1] == "/admin/users"
    expect(page.locator(".flash")).to_contain_text(
        "Den siste endringen ble ikke lagret.")
    assert page.locator("#next").input_value() == "/admin/users"

    page.fill("#email", user.email)
    page.fill("#password", user.password)
    page.get_by_role("button", name="Logg inn").click()
    page.fill("#code", totp_code(user, 1))  # the current step is used already
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_url(live_server + "/admin/users")
