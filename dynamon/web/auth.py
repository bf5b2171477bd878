"""Accounts and sessions: login, mandatory TOTP, idle logout, users, language.

Login takes three steps: e-mail and password, then the second factor (a TOTP app
enrolled at the first login, or a one-time recovery code), then, when the account
has a one-time password, a new password. Until all are done the session is
"half" logged in and only the next step is open.

``guard`` runs before every request (before the CSRF check, so an expired session
is sent to login rather than answered with a CSRF error). It denies by default:
every endpoint needs a fully logged-in user except the few listed in ``PUBLIC``
and ``PASSWORD_STEP``. It also ends a session idle for longer than
IDLE_TIMEOUT_MINUTES and a session whose ``epoch`` no longer matches the user's
(the password was changed or the second factor reset: logged out everywhere).

Sessions are Flask's signed cookies, with no remember-me cookie. A request with
the header ``X-Idle-Passive: 1`` (a poll, not the user) does not count as
activity.
"""

import functools
import hashlib
import hmac
import logging
import re
import secrets
import time
from urllib.parse import urlsplit
from urllib.parse import urlunsplit

import pyotp
import segno
from flask import Blueprint
from flask import abort
from flask import current_app
from flask import flash
from flask import make_response
from flask import redirect
from flask import render_template
from flask import request
from flask import session
from flask import url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager
from flask_login import UserMixin
from flask_login import current_user
from flask_login import login_user
from flask_login import logout_user
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFError
from wtforms import EmailField
from wtforms import HiddenField
from wtforms import PasswordField
from wtforms import SelectField
from wtforms import SelectMultipleField
from wtforms import StringField
from wtforms import widgets
from wtforms.fields import SelectChoice
from wtforms.validators import EqualTo
from wtforms.validators import InputRequired
from wtforms.validators import Length
from wtforms.validators import Regexp

from dynamon.web import limiter
from dynamon.web.access import admin_required
from dynamon.web.access import fully_authenticated
from dynamon.web.models import Department
from dynamon.web.models import DepartmentManager
from dynamon.web.models import RecoveryCode
from dynamon.web.models import User
from dynamon.web.models import db
from dynamon.web.models import now as db_now
from dynamon.web.security import hash_secret
from dynamon.web.security import one_time_password
from dynamon.web.security import verify_secret

log = logging.getLogger(__name__)

bp = Blueprint("auth", __name__)

# Endpoints open without login, and those open after the password step only.
OPEN_FILES = {"static", "vendor"}
PUBLIC = {"auth.login", "auth.language"}
PASSWORD_STEP = {"auth.enroll", "auth.code", "auth.logout"}
# What a user with a one-time password may do before choosing a new one.
BEFORE_NEW_PASSWORD = {"auth.password", "auth.logout", "auth.language",
                       "auth.session_status"}
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}

ISSUER = "Dynamon"
TOTP_DRIFT = 1  # time steps accepted either side of now (B28)
RECOVERY_CODES = 10
RECOVERY_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"  # no 0/o, 1/l/i
RECOVERY_LENGTH = 16  # about 79 bits: a fast hash is enough
MIN_PASSWORD = 12

LOGIN_PER_IP = "10 per minute"
LOGIN_FAILURES_PER_ACCOUNT = "10 per 15 minutes"
CODE_PER_IP = "10 per minute"
CODE_FAILURES_PER_ACCOUNT = "10 per 15 minutes;30 per day"

ROLES = {"manager": _l("Leder"), "admin": _l("Administrator")}
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


def timestamp():
    """The current Unix time (the TOTP steps and the idle limit; tests replace it)."""
    return time.time()


class Account(User, UserMixin):
    """A user as Flask-Login sees it: the same table and fields."""

    class Meta:
        table_name = "users"

    @property
    def is_active(self):
        return self.active


# ==== Forms

class LoginForm(FlaskForm):
    email = EmailField(_l("E-postadresse"), validators=[
        InputRequired(_l("Skriv e-postadressen din.")), Length(max=254)],
        render_kw={"autocomplete": "username"})
    password = PasswordField(_l("Passord"), validators=[
        InputRequired(_l("Skriv passordet ditt.")), Length(max=256)],
        render_kw={"autocomplete": "current-password"})
    next = HiddenField()


class CodeForm(FlaskForm):
    code = StringField(_l("Kode"), validators=[
        InputRequired(_l("Skriv koden.")), Length(max=40)],
        render_kw={"autocomplete": "one-time-code", "spellcheck": "false",
                   "autocapitalize": "off", "autofocus": True})


class PasswordForm(FlaskForm):
    current = PasswordField(_l("Nåværende passord"),
                            render_kw={"autocomplete": "current-password"})
    new = PasswordField(_l("Nytt passord"), validators=[
        InputRequired(_l("Skriv et nytt passord.")),
        Length(min=MIN_PASSWORD, max=256,
               message=_l("Passordet må ha minst %(min)d tegn.")),
        Regexp(r"(?s).*\S.*\S.*\S.*\S",
               message=_l("Passordet må ha minst fire tegn som ikke er mellomrom."))],
        render_kw={"autocomplete": "new-password"})
    repeat = PasswordField(_l("Gjenta det nye passordet"), validators=[
        InputRequired(_l("Skriv det nye passordet en gang til.")),
        EqualTo("new", _l("Passordene er ikke like."))],
        render_kw={"autocomplete": "new-password"})


class UserForm(FlaskForm):
    email = EmailField(_l("E-postadresse"), validators=[
        InputRequired(_l("Skriv e-postadressen.")), Length(max=254),
        Regexp(EMAIL_PATTERN, message=_l("Skriv en gyldig e-postadresse."))],
        render_kw={"autocomplete": "off"})
    role = SelectField(_l("Rolle"), default="manager", choices=[
        SelectChoice(value, label) for value, label in ROLES.items()])
    departments = SelectMultipleField(
        _l("Avdelinger (for ledere)"), coerce=int,
        widget=widgets.ListWidget(prefix_label=False),
        option_widget=widgets.CheckboxInput())


# ==== Helpers

def is_htmx():
    return request.headers.get("HX-Request") == "true"


def safe_next(target, login_pages=False):
    """``target`` when it is a path on this site, else None.

    The login pages are refused unless ``login_pages``: nobody is sent back into
    a login step after logging in.
    """
    if not target or not isinstance(target, str) or len(target) > 2000:
        return None
    if not target.startswith("/") or target.startswith("//"):
        return None
    if any(char in target for char in "\\\r\n\t"):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    if not login_pages and parts.path.startswith("/login"):
        return None
    return target


def _page_path(url, login_pages=False):
    """The path and query of ``url`` when it points at this site, else None."""
    parts = urlsplit(url or "")
    if parts.netloc and parts.netloc != request.host:
        return None
    return safe_next(urlunsplit(("", "", parts.path, parts.query, "")), login_pages)


def _home():
    return url_for("departments.index")


def _send_to(url, htmx_status=401):
    """Redirect; an HTMX request gets the whole page sent there (HX-Redirect)."""
    if is_htmx():
        response = make_response(_("Du må logge inn."), htmx_status)
        response.headers["HX-Redirect"] = url
        return response
    return redirect(url)


def _idle_seconds():
    return current_app.config["IDLE_TIMEOUT_MINUTES"] * 60


def _reason_message(reason):
    if reason == "idle":
        minutes = format_decimal(current_app.config["IDLE_TIMEOUT_MINUTES"])
        return _("Du ble logget ut fordi du ikke har vært aktiv på %(minutes)s "
                 "minutter.", minutes=minutes)
    if reason == "ended":
        return _("Økten din er avsluttet: du har logget ut et annet sted, eller "
                 "passordet eller tofaktorinnloggingen er endret. Logg inn på "
                 "nytt.")
    return None


def to_login(reason=None):
    """Send a request without a valid session to the login page.

    An HTMX request gets 401 with HX-Redirect to the page it came from (the
    change is not applied); others a redirect with ``next``. The login page then
    says why, and whether a change was lost (B30).
    """
    unsaved = request.method not in SAFE_METHODS
    messages = []
    if reason:
        messages.append(_reason_message(reason))
    elif unsaved:
        messages.append(_("Du er logget ut."))
    if unsaved:
        messages.append(_("Den siste endringen ble ikke lagret."))
    if messages:
        flash(" ".join(messages), "warning")

    if is_htmx():
        target = _page_path(request.headers.get("HX-Current-URL"))
        return _send_to(url_for("auth.login", next=target))
    if request.endpoint == "auth.session_status":
        return {"remaining": 0}, 401
    if unsaved:
        target = _page_path(request.referrer)
    else:
        target = safe_next(request.full_path.rstrip("?"))
    return redirect(url_for("auth.login", next=target))


def _end_session():
    """Log out and clear the session; only the language choice is kept."""
    lang = session.get("lang")
    logout_user()
    session.clear()
    if lang:
        session["lang"] = lang


def _start_session(user, next_page):
    """A fresh session after the password step: no state carried over."""
    _end_session()
    login_user(user, remember=False)
    session["epoch"] = user.session_epoch
    session["second_factor"] = False
    session["last_seen"] = timestamp()
    if next_page:
        session["next"] = next_page


def _step_url():
    if current_user.totp_confirmed:
        return url_for("auth.code")
    return url_for("auth.enroll")


def _fresh(user):
    return Account.get_by_id(user.id)


# ==== The gate before every request

# Requests made by the page, not the user: a progress stream is not activity.
PASSIVE_ENDPOINTS = {"auth.session_status", "generations.events"}


def _expire_stale_session():
    """End a session that is idle too long or no longer valid; returns why."""
    if "_user_id" not in session:
        return None
    if not current_user.is_authenticated:
        reason = "ended"
    elif timestamp() - session.get("last_seen", 0) > _idle_seconds():
        reason = "idle"
    else:
        passive = (request.headers.get("X-Idle-Passive") == "1"
                   or (request.endpoint in PASSIVE_ENDPOINTS
                       and request.method == "GET"))
        if not passive:
            session["last_seen"] = timestamp()
        return None

    log.info("session of user %s: ended (%s)", session.get("_user_id"), reason)
    _end_session()
    return reason


@bp.before_app_request
def guard():
    """Deny by default: every endpoint needs a full login unless listed."""
    endpoint = request.endpoint
    if endpoint is None or endpoint in OPEN_FILES or endpoint.endswith(".static"):
        return None
    reason = _expire_stale_session()

    if endpoint in PUBLIC:
        if reason:
            flash(_reason_message(reason), "warning")
        return None
    if not current_user.is_authenticated:
        return to_login(reason)
    if not session.get("second_factor"):
        return None if endpoint in PASSWORD_STEP else _send_to(_step_url())
    if current_user.must_change_password and endpoint not in BEFORE_NEW_PASSWORD:
        return _send_to(url_for("auth.password"))
    return None


@bp.after_app_request
def no_store(response):
    """Pages may hold personal data or secrets: never cache them."""
    if request.endpoint not in OPEN_FILES:
        response.headers.setdefault("Cache-Control", "no-store")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


# ==== Second factor

def _matching_step(secret, code, at):
    """The time step within the drift whose TOTP code is ``code``, else None."""
    if not secret or not (len(code) == 6 and code.isascii() and code.isdigit()):
        return None
    totp = pyotp.TOTP(secret)
    current = int(at // totp.interval)
    for step in range(current - TOTP_DRIFT, current + TOTP_DRIFT + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _claim_step(user_id, step, **changes):
    """Record ``step`` as used, atomically: False when it (or a later one) was."""
    updated = (User
               .update(totp_last_step=step, **changes)
               .where((User.id == user_id) & (User.totp_last_step < step))
               .execute())
    return updated == 1


def verify_totp(user, code, at=None):
    """True when ``code`` is valid now and its time step was not used before."""
    at = timestamp() if at is None else at
    step = _matching_step(user.totp_secret, code, at)
    if step is None:
        return False
    if not _claim_step(user.id, step):
        log.warning("user %s: TOTP code for step %s used again, refused",
                    user.id, step)
        return False
    return True


def _confirm_enrollment(user, secret, code):
    step = _matching_step(secret, code, timestamp())
    if step is None:
        return False
    updated = (User
               .update(totp_last_step=step, totp_confirmed=True)
               .where((User.id == user.id)
                      & (User.totp_secret == secret)
                      & ~User.totp_confirmed
                      & (User.totp_last_step < step))
               .execute())
    return updated == 1


def _enrollment_secret(user):
    """The user's TOTP secret, made once and kept until confirmed."""
    if not user.totp_secret:
        (User
         .update(totp_secret=pyotp.random_base32())
         .where((User.id == user.id) & User.totp_secret.is_null())
         .execute())
    return _fresh(user).totp_secret


def _qr_svg(user, secret):
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)
    return segno.make(uri, error="m").svg_inline(
        scale=5, title=_("QR-kode for tofaktorinnlogging i Dynamon"))


def _code_digest(text):
    return "sha256$" + hashlib.sha256(text.encode("ascii")).hexdigest()


def _normal_code(text):
    return re.sub(r"[\s-]", "", text or "").lower()


def _new_recovery_codes(user):
    """Replace the user's recovery codes; returns them as shown, once."""
    plain = ["".join(secrets.choice(RECOVERY_ALPHABET)
                     for _ in range(RECOVERY_LENGTH))
             for _ in range(RECOVERY_CODES)]
    with db.atomic():
        RecoveryCode.delete().where(RecoveryCode.user == user.id).execute()
        for code in plain:
            RecoveryCode.create(user=user.id, code_hash=_code_digest(code))
    return ["-".join(code[i:i + 4] for i in range(0, RECOVERY_LENGTH, 4))
            for code in plain]


def use_recovery_code(user, text):
    """Spend one unused recovery code of ``user``; False when there is none."""
    code = _normal_code(text)
    if len(code) != RECOVERY_LENGTH or not code.isalnum() or not code.isascii():
        return False
    row = (RecoveryCode
           .select()
           .where((RecoveryCode.user == user.id)
                  & (RecoveryCode.code_hash == _code_digest(code))
                  & RecoveryCode.used_at.is_null())
           .first())
    if row is None:
        return False
    updated = (RecoveryCode
               .update(used_at=db_now())
               .where((RecoveryCode.id == row.id) & RecoveryCode.used_at.is_null())
               .execute())
    return updated == 1


def _recovery_left(user):
    return (RecoveryCode
            .select()
            .where((RecoveryCode.user == user.id) & RecoveryCode.used_at.is_null())
            .count())


# ==== Rate limits: every attempt per IP, failures per account

def _failed(response):
    return response.status_code == 422


def _form_email():
    """The e-mail of a login attempt, hashed: no addresses in the limit store."""
    email = (request.form.get("email") or "-").strip().lower()
    return "login:" + hashlib.sha256(email.encode()).hexdigest()[:24]


def _session_user():
    return "user:" + str(session.get("_user_id", "-"))


# ==== Views: login steps

@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(LOGIN_PER_IP, methods=["POST"])
@limiter.limit(LOGIN_FAILURES_PER_ACCOUNT, methods=["POST"], key_func=_form_email,
               deduct_when=_failed)
def login():
    """Step 1: e-mail and password."""
    if request.method == "GET" and fully_authenticated():
        return redirect(safe_next(request.args.get("next")) or _home())
    form = LoginForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next")) or ""

    error = None
    if form.validate_on_submit():
        user = _check_password(form.email.data, form.password.data)
        if user is not None:
            _start_session(user, safe_next(form.next.data))
            log.info("user %s: password accepted", user.id)
            return redirect(_step_url())
        error = _("Feil e-postadresse eller passord.")

    status = 422 if form.is_submitted() else 200
    return render_template("auth/login.html", form=form, error=error), status


@functools.cache
def _dummy_hash():
    return hash_secret(secrets.token_hex(8))


def _check_password(email, password):
    """The active account with this e-mail and password, else None."""
    user = Account.get_or_none(Account.email == email.strip().lower())
    if user is None or not user.active:
        verify_secret(_dummy_hash(), password)  # as slow as a real check
        log.info("login: unknown or inactive account refused")
        return None
    if not verify_secret(user.password_hash, password):
        log.info("user %s: wrong password", user.id)
        return None
    return user


@bp.route("/login/enroll", methods=["GET", "POST"])
@limiter.limit(CODE_PER_IP, methods=["POST"])
@limiter.shared_limit(CODE_FAILURES_PER_ACCOUNT, scope="code-failures",
                      methods=["POST"], key_func=_session_user, deduct_when=_failed)
def enroll():
    """Step 2 at the first login: set up the TOTP app, then show recovery codes."""
    if current_user.totp_confirmed:
        return redirect(url_for("auth.code"))
    secret = _enrollment_secret(current_user)
    form = CodeForm()

    if form.validate_on_submit():
        if _confirm_enrollment(current_user, secret, _normal_code(form.code.data)):
            session["second_factor"] = True
            codes = _new_recovery_codes(current_user)
            log.info("user %s: TOTP enrolled, %d recovery codes made",
                     current_user.id, len(codes))
            return render_template("auth/recovery_codes.html", codes=codes)
        form.code.errors.append(_("Koden stemmer ikke. Skriv den koden appen "
                                  "viser nå."))

    status = 422 if form.is_submitted() else 200
    key = " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))
    return render_template("auth/enroll.html", form=form, key=key,
                           qr=_qr_svg(current_user, secret)), status


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit(CODE_PER_IP, methods=["POST"])
@limiter.shared_limit(CODE_FAILURES_PER_ACCOUNT, scope="code-failures",
                      methods=["POST"], key_func=_session_user, deduct_when=_failed)
def code():
    """Step 2: a code from the TOTP app, or a recovery code."""
    if not current_user.totp_confirmed:
        return redirect(url_for("auth.enroll"))
    if session.get("second_factor"):
        return redirect(url_for("auth.finish"))
    form = CodeForm()

    if form.validate_on_submit():
        text = _normal_code(form.code.data)
        if text.isdigit() and len(text) == 6:
            passed = verify_totp(current_user, text)
        else:
            passed = use_recovery_code(current_user, text)
            if passed:
                left = _recovery_left(current_user)
                log.info("user %s: recovery code used, %d left", current_user.id,
                         left)
                flash(_("Du brukte en gjenopprettingskode. Du har %(left)s igjen.",
                        left=left), "warning")
        if passed:
            session["second_factor"] = True
            log.info("user %s: logged in", current_user.id)
            return redirect(url_for("auth.finish"))
        log.info("user %s: wrong code", current_user.id)
        form.code.errors.append(_("Koden stemmer ikke, eller den er brukt før. "
                                  "Vent på neste kode fra appen."))

    status = 422 if form.is_submitted() else 200
    return render_template("auth/code.html", form=form), status


@bp.route("/login/finish")
def finish():
    """After the second factor: a new password if needed, then the page asked for."""
    if current_user.must_change_password:
        return redirect(url_for("auth.password"))
    return redirect(session.pop("next", None) or _home())


@bp.route("/password", methods=["GET", "POST"])
def password():
    """Choose a new password; all other sessions of the user end."""
    forced = current_user.must_change_password
    form = PasswordForm()

    if form.validate_on_submit():
        if not forced and not verify_secret(current_user.password_hash,
                                            form.current.data or ""):
            form.current.errors.append(_("Feil passord."))
        elif verify_secret(current_user.password_hash, form.new.data):
            form.new.errors.append(_("Velg et annet passord enn det du har nå."))
        else:
            session["epoch"] = _set_password(current_user, form.new.data)
            flash(_("Passordet er endret."), "info")
            return redirect(session.pop("next", None) or _home())

    status = 422 if form.is_submitted() else 200
    return render_template("auth/password.html", form=form, forced=forced), status


def _set_password(user, new_password):
    """Store the new password and bump the epoch; returns the new epoch."""
    (User
     .update(password_hash=hash_secret(new_password), must_change_password=False,
             session_epoch=User.session_epoch + 1)
     .where(User.id == user.id)
     .execute())
    log.info("user %s: password changed, other sessions ended", user.id)
    return _fresh(user).session_epoch


@bp.route("/logout", methods=["POST"])
def logout():
    """Log out: the session is cleared, and copies of its cookie stop working.

    Sessions are signed cookies, so a copy taken before logout would otherwise
    live on until it idles out; bumping the epoch ends every session of the user
    (on all devices), which is the safe side for a tool holding staff data.
    """
    user_id = session.get("_user_id")
    log.info("user %s: logged out", user_id)
    if user_id is not None:
        (User
         .update(session_epoch=User.session_epoch + 1)
         .where(User.id == int(user_id))
         .execute())
    _end_session()
    flash(_("Du er logget ut."), "info")
    return _send_to(url_for("auth.login"), htmx_status=200)


@bp.route("/session", methods=["GET", "POST"])
def session_status():
    """Seconds left before idle logout; a POST ("Fortsett økten") resets them."""
    left = _idle_seconds() - (timestamp() - session.get("last_seen", 0))
    return {"remaining": max(0, int(left))}


@bp.route("/language", methods=["POST"])
def language():
    lang = request.form.get("lang")
    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
    back = (safe_next(request.form.get("next"), login_pages=True)
            or _page_path(request.referrer, login_pages=True))
    return redirect(back or _home())


# ==== Views: users (admin)

@bp.route("/admin/users", methods=["GET", "POST"])
@admin_required
def users():
    """All users, and a form to add one with a one-time password."""
    departments = list(Department
                       .select()
                       .where(Department.active)
                       .order_by(Department.name))
    choices = [SelectChoice(dept.id, dept.name) for dept in departments]
    form = UserForm()
    form.departments.choices = choices

    created = None
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        if User.select().where(User.email == email).exists():
            form.email.errors.append(_("Det finnes alt en bruker med denne "
                                       "e-postadressen."))
        else:
            created = _create_user(email, form.role.data, form.departments.data)
            form = UserForm(formdata=None)
            form.departments.choices = choices

    status = 422 if form.is_submitted() and form.errors else 200
    return render_template("auth/users.html", form=form, users=_user_rows(),
                           created=created, roles=ROLES), status


def _create_user(email, role, department_ids):
    """Create the user; returns (e-mail, one-time password) to show once."""
    password = one_time_password()
    with db.atomic():
        user = User.create(email=email, role=role, must_change_password=True,
                           password_hash=hash_secret(password))
        if role == "manager":
            for dept_id in department_ids:
                DepartmentManager.create(user=user, department=dept_id)
    log.info("user %s: created by user %s (%s)", user.id, current_user.id, role)
    return {"email": email, "password": password}


def _user_rows():
    links = (DepartmentManager
             .select(DepartmentManager, Department)
             .join(Department)
             .order_by(Department.name))
    names = {}
    for link in links:
        names.setdefault(link.user_id, []).append(link.department.name)
    return [(user, names.get(user.id, []))
            for user in User.select().order_by(User.email)]


@bp.route("/admin/users/<int:user_id>/reset-2fa", methods=["POST"])
@admin_required
def reset_two_factor(user_id):
    """Clear the user's TOTP and recovery codes; their sessions end."""
    user = User.get_or_none(User.id == user_id)
    if user is None:
        abort(404)
    with db.atomic():
        (User
         .update(totp_secret=None, totp_confirmed=False,
                 session_epoch=User.session_epoch + 1)
         .where(User.id == user.id)
         .execute())
        RecoveryCode.delete().where(RecoveryCode.user == user.id).execute()
    log.info("user %s: second factor reset by user %s", user.id, current_user.id)
    flash(_("Tofaktorinnloggingen til %(email)s er tilbakestilt. Brukeren setter "
            "den opp på nytt ved neste innlogging.", email=user.email), "info")
    return redirect(url_for("auth.users"))


# ==== Errors

def csrf_failed(error):
    """A missing, wrong or expired CSRF token: nothing was changed (B29)."""
    log.info("csrf: %s %s refused: %s", request.method, request.path,
             error.description)
    if is_htmx():
        return render_template("auth/_expired.html"), 400
    return render_template("auth/expired.html"), 400


def too_many(error):
    log.warning("rate limit: %s %s from %s refused (%s)", request.method,
                request.path, request.remote_addr, error.description)
    if is_htmx():
        return render_template("auth/_too_many.html"), 429
    return render_template("auth/too_many.html"), 429


def init_app(app):
    manager = LoginManager(app)
    manager.login_view = "auth.login"

    @manager.user_loader
    def load_user(user_id):
        """The session's user, unless its epoch is outdated (B27)."""
        try:
            user = Account.get_or_none(Account.id == int(user_id))
        except (TypeError, ValueError):
            return None
        if user is None or not user.active:
            return None
        if session.get("epoch") != user.session_epoch:
            return None
        return user

    app.register_blueprint(bp)
    app.register_error_handler(CSRFError, csrf_failed)
    app.register_error_handler(429, too_many)
