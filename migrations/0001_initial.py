"""0001: users, recovery codes, departments, managers, competences, shift types,
employees and staffing cells (frozen as of this migration)."""

import datetime as dt

import peewee as pw


def up(db):
    class Base(pw.Model):
        class Meta:
            database = db

    def now():
        return dt.datetime.now(dt.UTC).replace(tzinfo=None)

    class User(Base):
        email = pw.CharField(unique=True)
        password_hash = pw.CharField()
        role = pw.CharField(default="manager")
        totp_secret = pw.CharField(null=True)
        totp_confirmed = pw.BooleanField(default=False)
        totp_last_step = pw.BigIntegerField(default=0)
        session_epoch = pw.IntegerField(default=0)
        must_change_password = pw.BooleanField(default=False)
        active = pw.BooleanField(default=True)
        created_at = pw.DateTimeField(default=now)

        class Meta:
            table_name = "users"

    class RecoveryCode(Base):
        user = pw.ForeignKeyField(User, on_delete="CASCADE")
        code_hash = pw.CharField()
        used_at = pw.DateTimeField(null=True)

        class Meta:
            table_name = "recovery_codes"

    class Department(Base):
        name = pw.CharField()
        weeks = pw.IntegerField(default=6)
        start = pw.DateField()
        rule_set = pw.CharField(default="ks_sykehjem")
        rule_overrides = pw.TextField(default="{}")
        weights = pw.TextField(default="{}")
        active = pw.BooleanField(default=True)
        created_at = pw.DateTimeField(default=now)

        class Meta:
            table_name = "departments"

    class DepartmentManager(Base):
        user = pw.ForeignKeyField(User, on_delete="CASCADE")
        department = pw.ForeignKeyField(Department, on_delete="CASCADE")

        class Meta:
            table_name = "department_managers"
            indexes = ((("user", "department"), True),)

    class Competence(Base):
        department = pw.ForeignKeyField(Department, on_delete="CASCADE")
        code = pw.CharField()
        name = pw.CharField()

        class Meta:
            table_name = "competences"
            indexes = ((("department", "code"), True),)

    class ShiftType(Base):
        department = pw.ForeignKeyField(Department, on_delete="CASCADE")
        code = pw.CharField()
        name = pw.CharField()
        start = pw.CharField()
        end = pw.CharField()
        paid_hours = pw.FloatField()
        category = pw.CharField(null=True)
        position = pw.IntegerField(default=0)

        class Meta:
            table_name = "shift_types"
            indexes = ((("department", "code"), True),)

    class Employee(Base):
        department = pw.ForeignKeyField(Department, on_delete="CASCADE")
        key = pw.CharField(unique=True)
        number = pw.CharField()
        name = pw.CharField(null=True)
        email = pw.CharField(null=True)
        title = pw.CharField(default="")
        position_percent = pw.FloatField()
        desired_percent = pw.FloatField(null=True)
        competences = pw.TextField(default="[]")
        shift_types = pw.TextField(default="[]")
        weekend_rhythm = pw.IntegerField(null=True)
        fixed_days_off = pw.TextField(default="{}")
        wishes = pw.TextField(default="[]")
        limits = pw.TextField(default="{}")
        active = pw.BooleanField(default=True)
        position = pw.IntegerField(default=0)

        class Meta:
            table_name = "employees"
            indexes = ((("department", "number"), True),)

    class DemandCell(Base):
        department = pw.ForeignKeyField(Department, on_delete="CASCADE")
        shift_code = pw.CharField()
        weekday = pw.IntegerField()
        week = pw.IntegerField(null=True)
        minimum = pw.IntegerField(default=0)
        maximum = pw.IntegerField(null=True)
        competences = pw.TextField(default="{}")

        class Meta:
            table_name = "demand_cells"
            indexes = ((("department", "shift_code", "weekday", "week"), True),)

    db.create_tables([User, RecoveryCode, Department, DepartmentManager, Competence,
                      ShiftType, Employee, DemandCell])
