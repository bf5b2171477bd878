"""Database models (peewee): users, departments and everything a department is.

The database is SQLite in the data folder by default, PostgreSQL by DATABASE_URL.
The schema is made by the numbered scripts in ``migrations/``, never by
``create_tables`` on these classes.
"""

import datetime as dt
import json

import peewee as pw
from playhouse.db_url import connect

db = pw.DatabaseProxy()


def open_database(url):
    """Connect to ``url``; SQLite gets WAL and a busy timeout (B31)."""
    if url.startswith("sqlite:"):
        database = connect(url, pragmas={
            "journal_mode": "wal", "busy_timeout": 10000, "foreign_keys": 1,
            "synchronous": "normal"})
    else:
        database = connect(url)
    db.initialize(database)
    return database


def now():
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class JSONField(pw.TextField):
    """JSON kept as text, the same on SQLite and PostgreSQL."""

    def db_value(self, value):
        return None if value is None else json.dumps(value, ensure_ascii=False)

    def python_value(self, value):
        return None if value is None else json.loads(value)


class BaseModel(pw.Model):
    class Meta:
        database = db


class User(BaseModel):
    email = pw.CharField(unique=True)
    password_hash = pw.CharField()
    role = pw.CharField(default="manager")  # "admin" or "manager"
    totp_secret = pw.CharField(null=True)
    totp_confirmed = pw.BooleanField(default=False)
    totp_last_step = pw.BigIntegerField(default=0)
    session_epoch = pw.IntegerField(default=0)  # bumped on password or 2FA reset
    must_change_password = pw.BooleanField(default=False)
    active = pw.BooleanField(default=True)
    created_at = pw.DateTimeField(default=now)

    class Meta:
        table_name = "users"

    @property
    def is_admin(self):
        return self.role == "admin"


class RecoveryCode(BaseModel):
    user = pw.ForeignKeyField(User, backref="recovery_codes", on_delete="CASCADE")
    code_hash = pw.CharField()
    used_at = pw.DateTimeField(null=True)

    class Meta:
        table_name = "recovery_codes"


class Department(BaseModel):
    name = pw.CharField()
    weeks = pw.IntegerField(default=6)
    start = pw.DateField()
    rule_set = pw.CharField(default="ks_sykehjem")
    rule_overrides = JSONField(default=dict)
    weights = JSONField(default=dict)
    active = pw.BooleanField(default=True)
    created_at = pw.DateTimeField(default=now)

    class Meta:
        table_name = "departments"


class DepartmentManager(BaseModel):
    user = pw.ForeignKeyField(User, backref="department_links", on_delete="CASCADE")
    department = pw.ForeignKeyField(Department, backref="manager_links",
                                    on_delete="CASCADE")

    class Meta:
        table_name = "department_managers"
        indexes = ((("user", "department"), True),)


class Competence(BaseModel):
    department = pw.ForeignKeyField(Department, backref="competences",
                                    on_delete="CASCADE")
    code = pw.CharField()
    name = pw.CharField()

    class Meta:
        table_name = "competences"
        indexes = ((("department", "code"), True),)


class ShiftType(BaseModel):
    department = pw.ForeignKeyField(Department, backref="shift_types",
                                    on_delete="CASCADE")
    code = pw.CharField()
    name = pw.CharField()
    start = pw.CharField()  # "HH:MM"
    end = pw.CharField()
    paid_hours = pw.FloatField()
    category = pw.CharField(null=True)  # None: derived from the times
    position = pw.IntegerField(default=0)

    class Meta:
        table_name = "shift_types"
        indexes = ((("department", "code"), True),)


class Employee(BaseModel):
    department = pw.ForeignKeyField(Department, backref="employees",
                                    on_delete="CASCADE")
    key = pw.CharField(unique=True)  # pseudonymous; the only id the engine sees
    number = pw.CharField()  # employee number (ansattnummer)
    name = pw.CharField(null=True)
    email = pw.CharField(null=True)
    title = pw.CharField(default="")
    position_percent = pw.FloatField()
    desired_percent = pw.FloatField(null=True)
    competences = JSONField(default=list)
    shift_types = JSONField(default=list)
    weekend_rhythm = pw.IntegerField(null=True)  # None: the rule set's default
    fixed_days_off = JSONField(default=dict)
    wishes = JSONField(default=list)
    limits = JSONField(default=dict)
    active = pw.BooleanField(default=True)
    position = pw.IntegerField(default=0)

    class Meta:
        table_name = "employees"
        indexes = ((("department", "number"), True),)


class DemandCell(BaseModel):
    """Staffing of one shift on one weekday, for all weeks or one week of the cycle."""

    department = pw.ForeignKeyField(Department, backref="demand", on_delete="CASCADE")
    shift_code = pw.CharField()
    weekday = pw.IntegerField()  # 0 = Monday
    week = pw.IntegerField(null=True)  # None: every week; 1..N: this week only
    minimum = pw.IntegerField(default=0)
    maximum = pw.IntegerField(null=True)
    competences = JSONField(default=dict)  # competence code -> minimum

    class Meta:
        table_name = "demand_cells"
        indexes = ((("department", "shift_code", "weekday", "week"), True),)


MODELS = [User, RecoveryCode, Department, DepartmentManager, Competence, ShiftType,
          Employee, DemandCell]


class Generation(BaseModel):
    """One generation run: its frozen snapshot and, as it runs, its best roster.

    ``snapshot`` is the engine spec (JSON text, pseudonymous keys) exactly as sent to
    the worker; it never changes after the run is created. ``people`` maps the keys
    to the employee number and name at the start (kept here, never sent). ``rows``
    is the best roster so far in display codes (F1/F for free days), with its key
    figures in ``figures``/``totals`` and its legal check in ``report``.
    """

    department = pw.ForeignKeyField(Department, backref="generations",
                                    on_delete="CASCADE")
    token = pw.CharField(unique=True)  # RQ job id and Redis key part
    scenario = pw.CharField()
    created_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    created_at = pw.DateTimeField(default=now)
    period_start = pw.DateField()
    weeks = pw.IntegerField()
    time_limit = pw.IntegerField()  # seconds
    snapshot = pw.TextField()
    snapshot_hash = pw.CharField()
    people = JSONField(default=dict)
    continued_from = pw.ForeignKeyField("self", null=True, on_delete="SET NULL")
    status = pw.CharField(default="queued")
    stop_requested = pw.BooleanField(default=False)
    started_at = pw.DateTimeField(null=True)
    finished_at = pw.DateTimeField(null=True)
    last_event = pw.CharField(default="0")  # id of the last stream event stored
    objective = pw.FloatField(null=True)
    bound = pw.FloatField(null=True)
    gap = pw.FloatField(null=True)
    elapsed = pw.FloatField(null=True)
    first_roster_after = pw.FloatField(null=True)
    improvements = pw.IntegerField(default=0)
    rows = JSONField(null=True)
    figures = JSONField(null=True)
    totals = JSONField(null=True)
    by_family = JSONField(null=True)
    report = JSONField(null=True)
    explanation = JSONField(null=True)
    message = pw.TextField(null=True)
    approved_at = pw.DateTimeField(null=True)
    approved_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL",
                                     backref="approvals")

    class Meta:
        table_name = "generations"
