"""0002: generation runs (frozen as of this migration)."""

import datetime as dt

import peewee as pw


def up(db):
    class Base(pw.Model):
        class Meta:
            database = db

    def now():
        return dt.datetime.now(dt.UTC).replace(tzinfo=None)

    class User(Base):
        class Meta:
            table_name = "users"

    class Department(Base):
        class Meta:
            table_name = "departments"

    class Generation(Base):
        department = pw.ForeignKeyField(Department, on_delete="CASCADE")
        token = pw.CharField(unique=True)
        scenario = pw.CharField()
        created_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
        created_at = pw.DateTimeField(default=now)
        period_start = pw.DateField()
        weeks = pw.IntegerField()
        time_limit = pw.IntegerField()
        snapshot = pw.TextField()
        snapshot_hash = pw.CharField()
        people = pw.TextField(default="{}")
        continued_from = pw.ForeignKeyField("self", null=True, on_delete="SET NULL")
        status = pw.CharField(default="queued")
        stop_requested = pw.BooleanField(default=False)
        started_at = pw.DateTimeField(null=True)
        finished_at = pw.DateTimeField(null=True)
        last_event = pw.CharField(default="0")
        objective = pw.FloatField(null=True)
        bound = pw.FloatField(null=True)
        gap = pw.FloatField(null=True)
        elapsed = pw.FloatField(null=True)
        first_roster_after = pw.FloatField(null=True)
        improvements = pw.IntegerField(default=0)
        rows = pw.TextField(null=True)
        figures = pw.TextField(null=True)
        totals = pw.TextField(null=True)
        by_family = pw.TextField(null=True)
        report = pw.TextField(null=True)
        explanation = pw.TextField(null=True)
        message = pw.TextField(null=True)
        approved_at = pw.DateTimeField(null=True)
        approved_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL",
                                         backref="approvals")

        class Meta:
            table_name = "generations"
            indexes = ((("department", "created_at"), False),)

    db.create_tables([Generation])
