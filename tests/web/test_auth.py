"""Accounts and sessions: login steps, recovery codes, passwords, users, limits."""

import re

import pyotp
import pytest

import dynamon.web as web
from dynamon.web import auth
from dynamon.web.models import DepartmentManager
from dynamon.web.models import RecoveryCode
from dynamon.web.models import User

WRONG_LOGIN = "Feil e-postadresse eller passord."


def post_password(client, user, password=None):
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    return client.post("/login", data={
        "email": user.email, "password": password or user.password,
        "csrf_token": token})


def post_code(client, code, csrf_token, step="/login/code"):
    return client.post(step, data={"code": code,
                                   "csrf_token": csrf_token(client, step)})


def logout(client, csrf_token):
    return client.post("/logout", data={"csrf_token": csrf_token(client,
                                                                   "/password")})


def test_first_login_enrolls_totp_and_shows_recovery_codes(client, make_user,
                                                           csrf_token):
    user = make_user("kari@example.no")

    response = post_password(client, user)
    assert response.status_code == 302
    assert response.headers["Location"] == "/login/enroll"
    assert client.get("/").headers["Location"] == "/login/enroll"

    page = client.get("/login/enroll").get_data(as_text=True)
    secret = User.get_by_id(user.id).totp_secret
    assert "<svg" in page and "QR-kode" in page
    assert secret[:4] in page  # the key in text too
    code = pyotp.TOTP(secret).now()
    response = post_code(client, code, csrf_token, "/login/enroll")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "Jeg har tatt vare på kodene" in text
    codes = text.count('class="recovery-code"')
    assert codes == 10

    rows = list(RecoveryCode.select().where(RecoveryCode.user == user.id))
    assert len(rows) == 10
    assert all(row.code_hash.startswith("sha256$") for row in rows)
    assert User.get_by_id(user.id).totp_confirmed

    response = client.get("/login/finish")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/").status_code == 200


def test_second_login_asks_for_a_code(client, make_user, login, clock, csrf_token,
                                      totp_code):
    user = make_user("kari@example.no")
    login(client, user)
    logout(client, csrf_token)
    clock.advance(30)

    response = post_password(client, user)
    assert response.headers["Location"] == "/login/code"
    response = post_code(client, totp_code(user), csrf_token)
    assert response.headers["Location"] == "/login/finish"
    assert client.get("/login/finish").headers["Location"] == "/"
    assert client.get("/").status_code == 200


@pytest.mark.parametrize("email, password", [
    ("kari@example.no", "feil passord her"),
    ("ukjent@example.no", "riktig hest batteri stift"),
])
def test_wrong_password_is_refused(client, make_user, email, password):
    user = make_user("kari@example.no")
    user.email = email

    response = post_password(client, user, password)
    assert response.status_code == 422
    assert WRONG_LOGIN in response.get_data(as_text=True)
    assert client.get("/").headers["Location"].startswith("/login")
    assert client.get("/login/code").headers["Location"] == "/login"


def test_email_is_matched_without_case(client, make_user):
    user = make_user("kari@example.no")
    user.email = "  Kari@Example.NO "
    assert post_password(client, user).headers["Location"] == "/login/enroll"


def test_inactive_user_cannot_log_in(client, make_user):
    user = make_user("kari@example.no")
    User.update(active=False).where(User.id == user.id).execute()
    assert post_password(client, user).status_code == 422


def wrong_code(user):
    """A six-digit code that is not valid in any accepted step."""
    totp = pyotp.TOTP(User.get_by_id(user.id).totp_secret)
    step = int(auth.timestamp() // 30)
    valid = {totp.generate_otp(step + offset) for offset in range(-2, 3)}
    return next(code for code in ("000000", "123456", "999999", "424242")
                if code not in valid)


def test_wrong_code_is_refused(client, make_user, login, clock, csrf_token):
    user = make_user("kari@example.no")
    login(client, user)
    logout(client, csrf_token)
    clock.advance(30)
    post_password(client, user)

    response = post_code(client, wrong_code(user), csrf_token)
    assert response.status_code == 422
    assert "Koden stemmer ikke" in response.get_data(as_text=True)
    assert client.get("/").headers["Location"] == "/login/code"


def test_wrong_code_at_enrollment_is_refused(client, make_user, csrf_token):
    user = make_user("kari@example.no")
    post_password(client, user)
    client.get("/login/enroll")

    response = post_code(client, "abc", csrf_token, "/login/enroll")
    assert response.status_code == 422
    assert not User.get_by_id(user.id).totp_confirmed
    assert RecoveryCode.select().count() == 0
    assert client.get("/").headers["Location"] == "/login/enroll"


def test_enrollment_key_stays_until_confirmed(client, make_user):
    user = make_user("kari@example.no")
    post_password(client, user)
    client.get("/login/enroll")
    first = User.get_by_id(user.id).totp_secret
    client.get("/login/enroll")
    assert User.get_by_id(user.id).totp_secret == first


def test_recovery_code_works_once(client, make_user, login, csrf_token):
    user = make_user("kari@example.no")
    login(client, user)
    assert len(user.recovery_codes) == 10
    code = user.recovery_codes[3]
    logout(client, csrf_token)

    post_password(client, user)
    typed = " " + code.upper().replace("-", " ") + " "
    response = post_code(client, typed, csrf_token)
    assert response.headers["Location"] == "/login/finish"
    page = client.get("/login/finish", follow_redirects=True)
    assert "Du har 9 igjen" in page.get_data(as_text=True)
    logout(client, csrf_token)

    post_password(client, user)
    response = post_code(client, code, csrf_token)
    assert response.status_code == 422
    assert client.get("/").headers["Location"] == "/login/code"


def test_must_change_password_first(client, make_user, login, csrf_token):
    user = make_user("kari@example.no")
    User.update(must_change_password=True).where(User.id == user.id).execute()

    response = login(client, user, next="/admin/users")
    assert response.headers["Location"] == "/password"
    assert client.get("/").headers["Location"] == "/password"

    token = csrf_token(client, "/password")
    for new, repeat, message in [
        ("kort", "kort", "minst 12 tegn"),
        ("et langt nytt passord", "et annet langt passord", "ikke like"),
        (user.password, user.password, "et annet passord"),
    ]:
        response = client.post("/password", data={
            "new": new, "repeat": repeat, "csrf_token": token})
        assert response.status_code == 422
        assert message in response.get_data(as_text=True)

    epoch = User.get_by_id(user.id).session_epoch
    response = client.post("/password", data={
        "new": "et langt nytt passord", "repeat": "et langt nytt passord",
        "csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/users"  # next kept
    changed = User.get_by_id(user.id)
    assert not changed.must_change_password
    assert changed.session_epoch == epoch + 1
    assert client.get("/").status_code == 200

    logout(client, csrf_token)
    assert post_password(client, user).status_code == 422
    user.password = "et langt nytt passord"
    assert post_password(client, user).status_code == 302


def test_voluntary_password_change_needs_the_current_password(client, make_user,
                                                              login, csrf_token):
    user = make_user("kari@example.no")
    login(client, user)
    token = csrf_token(client, "/password")

    response = client.post("/password", data={
        "current": "gjettet", "new": "et langt nytt passord",
        "repeat": "et langt nytt passord", "csrf_token": token})
    assert response.status_code == 422 and "Feil passord" in response.text

    response = client.post("/password", data={
        "current": user.password, "new": "et langt nytt passord",
        "repeat": "et langt nytt passord", "csrf_token": token})
    assert response.status_code == 302


def test_logout_clears_the_session(client, make_user, login, csrf_token):
    user = make_user("kari@example.no")
    login(client, user)

    assert client.post("/logout").status_code == 400  # no token: still in
    assert client.get("/").status_code == 200

    response = logout(client, csrf_token)
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    with client.session_transaction() as session:
        assert "_user_id" not in session and "second_factor" not in session
        assert "epoch" not in session and "last_seen" not in session
    assert client.get("/").headers["Location"].startswith("/login")
    assert "Du er logget ut" in client.get("/login").get_data(as_text=True)


@pytest.mark.parametrize("target, expected", [
    ("/admin/users", "/admin/users"),
    ("/admin/users?x=1", "/admin/users?x=1"),
    ("https://evil.example/", "/"),
    ("//evil.example/", "/"),
    ("/\\evil.example/", "/"),
    ("/login/code", "/"),
])
def test_next_accepts_only_paths_on_this_site(client, make_user, login, target,
                                              expected):
    user = make_user("kari@example.no", role="admin")
    response = login(client, user, next=target)
    assert response.headers["Location"] == expected


def test_session_cookie_is_httponly_and_lax(client):
    cookie = client.get("/login").headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Expires" not in cookie  # a browser-session cookie


def test_pages_are_not_cached(client):
    response = client.get("/login")
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_language_switch(client, csrf_token, monkeypatch):
    monkeypatch.setattr(web, "has_catalogue", lambda lang: True)
    token = csrf_token(client)
    assert client.post("/language", data={"lang": "en"}).status_code == 400

    response = client.post("/language", data={
        "lang": "en", "next": "/login?next=%2F", "csrf_token": token})
    assert response.headers["Location"] == "/login?next=%2F"
    assert '<html lang="en">' in client.get("/login").get_data(as_text=True)

    client.post("/language", data={"lang": "xx", "csrf_token": token})
    assert '<html lang="en">' in client.get("/login").get_data(as_text=True)
    client.post("/language", data={"lang": "nb", "csrf_token": token})
    assert '<html lang="nb">' in client.get("/login").get_data(as_text=True)


def test_page_language_is_nb_unless_the_user_chooses_english(client, csrf_token,
                                                             monkeypatch):
    """Norwegian first: an English browser does not switch the language."""
    page = client.get("/login", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert '<html lang="nb">' in page.text
    token = csrf_token(client, "/login")
    client.post("/language", data={"lang": "en", "csrf_token": token})
    assert '<html lang="en">' in client.get("/login").text
    monkeypatch.setattr(web, "has_catalogue", lambda lang: lang == "nb")
    assert '<html lang="nb">' in client.get("/login").text


# ==== Users (admin)

def test_admin_creates_a_user_with_a_one_time_password(app, client, make_user, login,
                                                       department, csrf_token):
    admin = make_user("admin@example.no", role="admin")
    login(client, admin)
    token = csrf_token(client, "/admin/users")

    response = client.post("/admin/users", data={
        "email": "Ny@Example.no", "role": "manager",
        "departments": [department.id], "csrf_token": token})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    password = page.split('class="one-time-password">')[1].split("<")[0]
    assert len(password) >= 12

    created = User.get(User.email == "ny@example.no")
    assert created.must_change_password and created.role == "manager"
    assert DepartmentManager.get(DepartmentManager.user == created).department_id \
        == department.id
    assert password not in client.get("/admin/users").get_data(as_text=True)

    again = client.post("/admin/users", data={
        "email": "ny@example.no", "role": "manager", "csrf_token": token})
    assert again.status_code == 422 and "finnes alt" in again.text

    other = app.test_client()
    created.password = password
    assert login(other, created).headers["Location"] == "/password"


def test_admin_form_checks_its_fields(client, make_user, login, csrf_token):
    login(client, make_user("admin@example.no", role="admin"))
    response = client.post("/admin/users", data={
        "email": "ikke-en-adresse", "role": "keiser",
        "csrf_token": csrf_token(client, "/admin/users")})
    assert response.status_code == 422
    assert User.select().count() == 1


def test_managers_cannot_open_the_admin_pages(client, make_user, login, department,
                                             csrf_token):
    manager = make_user("leder@example.no", departments=[department])
    login(client, manager)
    assert client.get("/admin/users").status_code == 403
    response = client.post(f"/admin/users/{manager.id}/reset-2fa",
                           data={"csrf_token": csrf_token(client, "/password")})
    assert response.status_code == 403
    assert User.get_by_id(manager.id).totp_confirmed


def test_reset_two_factor_logs_the_user_out(app, client, make_user, login,
                                            csrf_token):
    admin = make_user("admin@example.no", role="admin")
    user = make_user("kari@example.no")
    login(client, admin)
    other = app.test_client()
    login(other, user)
    assert other.get("/").status_code == 200

    response = client.post(f"/admin/users/{user.id}/reset-2fa",
                           data={"csrf_token": csrf_token(client, "/admin/users")})
    assert response.status_code == 302
    reset = User.get_by_id(user.id)
    assert reset.totp_secret is None and not reset.totp_confirmed
    assert RecoveryCode.select().where(RecoveryCode.user == user.id).count() == 0

    assert other.get("/").headers["Location"].startswith("/login")
    assert "Økten din er avsluttet" in other.get("/login").text
    assert post_password(other, user).headers["Location"] == "/login/enroll"
    assert client.post("/admin/users/999/reset-2fa", data={
        "csrf_token": csrf_token(client, "/admin/users")}).status_code == 404


def test_demo_admin_must_change_password(app):
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert User.get(User.email == "demo@dynamon.local").must_change_password


# ==== Rate limits

@pytest.mark.app_config(RATELIMIT_ENABLED=True)
def test_login_attempts_are_limited_per_address(client, make_user):
    user = make_user("kari@example.no")
    for _ in range(10):
        assert post_password(client, user, "feil passord").status_code == 422
    response = post_password(client, user, "feil passord")
    assert response.status_code == 429
    assert "For mange forsøk" in response.get_data(as_text=True)


@pytest.mark.app_config(RATELIMIT_ENABLED=True)
def test_login_failures_are_counted_per_account(app, make_user):
    user = make_user("kari@example.no")
    for number in range(10):
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"10.0.0.{number}"
        assert post_password(client, user, "feil passord").status_code == 422

    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "10.0.1.1"
    assert post_password(client, user).status_code == 429  # even the right one
    other = make_user("ola@example.no")
    assert post_password(client, other).status_code == 302


@pytest.mark.app_config(RATELIMIT_ENABLED=True)
def test_code_attempts_are_limited(client, make_user, csrf_token):
    user = make_user("kari@example.no")
    post_password(client, user)
    client.get("/login/enroll")
    for _ in range(10):
        assert post_code(client, "000000", csrf_token,
                         "/login/enroll").status_code == 422
    response = post_code(client, "000000", csrf_token, "/login/enroll")
    assert response.status_code == 429
    assert "For mange forsøk" in response.get_data(as_text=True)


def test_a_password_of_spaces_is_refused(client, make_user, login, csrf_token):
    user = make_user("mellomrom@example.no", "manager", "et godt passord 123")
    login(client, user)
    response = client.post("/password", data={
        "current": "et godt passord 123", "new": " " * 12, "repeat": " " * 12,
        "csrf_token": csrf_token(client, "/password")})
    assert response.status_code == 422
    assert "minst fire tegn som ikke er mellomrom" in response.text
