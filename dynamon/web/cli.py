"""Flask commands: ``flask --app app db upgrade | user create | demo``."""

import json
import logging

import click
from flask import current_app

from dynamon.web import migrate
from dynamon.web.models import Department
from dynamon.web.models import DepartmentManager
from dynamon.web.models import User
from dynamon.web.models import db
from dynamon.web.security import hash_secret
from dynamon.web.security import one_time_password

log = logging.getLogger(__name__)

DEMO_EMAIL = "demo@dynamon.local"


def init_app(app):
    app.cli.add_command(db_group)
    app.cli.add_command(user_group)
    app.cli.add_command(demo)


@click.group("db", help="Database schema.")
def db_group():
    pass


@db_group.command("upgrade", help="Apply the numbered migrations not yet applied.")
def db_upgrade():
    applied = migrate.upgrade(db)
    click.echo(f"{len(applied)} migration(s) applied" + (
        ": " + ", ".join(applied) if applied else ""))


@click.group("user", help="Users.")
def user_group():
    pass


def create_user(email, password, role="manager"):
    with db.atomic():
        return User.create(email=email.strip().lower(), role=role,
                           password_hash=hash_secret(password))


@user_group.command("create", help="Create a user (the first admin, for one).")
@click.argument("email")
@click.option("--admin", is_flag=True, help="give the admin role")
@click.option("--password", help="the password (default: a one-time password is "
              "printed, to be changed at first login)")
@click.option("--department", "departments", multiple=True, type=int,
              help="give this department to the manager (repeatable)")
def user_create(email, admin, password, departments):
    migrate.upgrade(db)
    if User.select().where(User.email == email.strip().lower()).exists():
        raise click.ClickException(f"a user with e-mail {email} exists already")
    generated = password is None
    password = password or one_time_password()
    user = create_user(email, password, "admin" if admin else "manager")
    if generated:
        user.must_change_password = True
        user.save()
    for dept_id in departments:
        DepartmentManager.create(user=user, department=Department.get_by_id(dept_id))
    click.echo(f"user {user.email} created ({user.role})")
    if generated:
        click.echo(f"one-time password (shown once): {password}")


@click.command("demo", help="Set up the demo department and a demo admin once.")
def demo():
    from dynamon.cli import example_text
    from dynamon.web.specs import import_spec

    migrate.upgrade(db)
    if not Department.select().exists():
        dept = import_spec(json.loads(example_text("sykehjem")))
        click.echo(f"demo department created: {dept.name}")
    if not User.select().where(User.email == DEMO_EMAIL).exists():
        password = one_time_password()
        user = create_user(DEMO_EMAIL, password, "admin")
        user.must_change_password = True
        user.save()
        click.echo(f"demo admin: {DEMO_EMAIL}")
        click.echo(f"one-time password (shown once): {password}")
        log.info("demo: admin %s created", user.email)
    else:
        click.echo(f"demo admin {DEMO_EMAIL} exists already "
                   f"(data in {current_app.config['DATA_DIR']})")
