"""Who may see what: a logged-in user with a verified second factor, and access
to the department in the URL (admins: all; managers: the ones given to them)."""

import functools

from flask import abort
from flask import g
from flask_login import current_user

from dynamon.web.models import Department
from dynamon.web.models import DepartmentManager


def fully_authenticated():
    """Logged in and the second factor verified in this session."""
    from flask import session

    return current_user.is_authenticated and session.get("second_factor") is True


def login_required(view):
    """The view needs a logged-in user with a verified second factor."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if not fully_authenticated():
            from dynamon.web.auth import to_login

            return to_login()
        return view(*args, **kwargs)

    return wrapped


def departments_for(user):
    query = Department.select().where(Department.active).order_by(Department.name)
    if user.is_admin:
        return query
    return (query
            .join(DepartmentManager)
            .where(DepartmentManager.user == user))


def department_view(view):
    """Loads ``dept_id`` into ``g.department``; 404 when the user has no access."""

    @functools.wraps(view)
    @login_required
    def wrapped(dept_id, *args, **kwargs):
        dept = departments_for(current_user).where(Department.id == dept_id).first()
        if dept is None:
            abort(404)
        g.department = dept
        return view(dept_id, *args, **kwargs)

    return wrapped


def admin_required(view):
    @functools.wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped
