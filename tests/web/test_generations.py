"""Starting a generation through the Flask test client: the start form's
validation, a queue that does not answer, an invalid department, the snapshot
that stays as it was, and the progress stream's resume by Last-Event-ID (B26)
with events published to a real Redis."""

import json
import re
from types import SimpleNamespace

import pytest

from dynamon import queue as q
from dynamon.cli import example_text
from dynamon.web import runs
from dynamon.web.models import Employee
from dynamon.web.models import Generation
from dynamon.web.specs import import_spec


@pytest.fixture
def demo(app, client, make_user, login, csrf_token):
    dept = import_spec(json.loads(example_text("sykehjem")))
    login(client, make_user("leder@example.no", role="admin"))
    token = csrf_token(client, f"/departments/{dept.id}/runs/")

    def start(**fields):
        data = {"scenario": "Høst", "minutes": "1", "start": dept.start.isoformat(),
                "weeks": str(dept.weeks), "csrf_token": token}
        data.update(fields)
        return client.post(f"/departments/{dept.id}/runs/", data=data)

    return SimpleNamespace(dept=dept, client=client, start=start, token=token,
                           url=f"/departments/{dept.id}/runs")


@pytest.mark.parametrize("fields, message", [
    ({"scenario": "  "}, "Scenario: skriv et navn"),
    ({"scenario": "x" * 81}, "Scenario: høyst 80 tegn"),
    ({"minutes": "0"}, "Tidsgrense: et helt antall minutter fra 1 til 480"),
    ({"minutes": "481"}, "Tidsgrense: et helt antall minutter fra 1 til 480"),
    ({"minutes": "1,5"}, "Tidsgrense: et helt antall minutter fra 1 til 480"),
    ({"start": "2025-01-07"}, "Periodestart: må være en mandag"),
    ({"start": "7. januar"}, "Periodestart: skriv en dato"),
    ({"weeks": "0"}, "Antall uker: et helt tall fra 1 til 52"),
])
def test_bad_start_form_names_the_field_and_starts_nothing(demo, fields, message):
    response = demo.start(**fields)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page
    assert 'aria-invalid="true"' in page
    assert Generation.select().count() == 0


@pytest.mark.app_config(REDIS_URL="unix:///nonexistent/redis.sock")
def test_queue_down_gives_a_clear_message_and_stores_nothing(demo):
    response = demo.start()
    assert response.status_code == 503
    assert "køen (Redis) svarer ikke" in response.get_data(as_text=True)
    assert Generation.select().count() == 0


def test_invalid_department_is_explained_on_the_form(demo, redis_server):
    Employee.update(active=False).where(Employee.department == demo.dept).execute()
    response = demo.start()
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Generering ble ikke startet" in page
    assert Generation.select().count() == 0


def test_start_freezes_the_snapshot_and_queues_the_run(demo, redis_server):
    response = demo.start(scenario="Grunnturnus høst", minutes="2")
    assert response.status_code == 303
    run = Generation.get()
    assert response.headers["Location"].endswith(f"/runs/{run.id}")
    assert (run.scenario, run.time_limit, run.status) == ("Grunnturnus høst", 120,
                                                            "queued")
    before = run.snapshot
    # the department changes after the start; the run's snapshot does not
    first = Employee.select().where(Employee.department == demo.dept).first()
    first.position_percent = 50
    first.save()
    assert Generation.get_by_id(run.id).snapshot == before
    snapshot = json.loads(before)
    assert snapshot["period"]["weeks"] == demo.dept.weeks
    from rq.job import Job

    job = Job.fetch(run.token, connection=q.connect(redis_server.url))
    assert job.timeout == 120 + runs.JOB_MARGIN_SECONDS
    page = demo.client.get(f"{demo.url}/{run.id}").get_data(as_text=True)
    assert run.snapshot_hash[:12] in page
    assert "I kø" in page


def _events(body):
    """(id, event, data) of each SSE message in a response body."""
    out = []
    for block in body.split("\n\n"):
        lines = [line for line in block.split("\n")
                 if line and not line.startswith(":")]
        fields = {}
        for line in lines:
            name, _, value = line.partition(": ")
            fields.setdefault(name, []).append(value)
        if "event" in fields:
            out.append((fields.get("id", [None])[0], fields["event"][0],
                        "\n".join(fields.get("data", []))))
    return out


def test_stream_resumes_after_last_event_id_and_ends_once(demo, redis_server):
    """B26: a reconnect gets only what is newer; "end" comes once, last."""
    demo.start(minutes="1")
    run = Generation.get()
    conn = q.connect(redis_server.url)
    # this test plays the worker: events as the solve job publishes them
    rows = json.loads(json.dumps({e.key: ["F"] * 42 for e in
                                  Employee.select().where(
                                      Employee.department == demo.dept)}))
    payload = {"objective": 100.0, "bound": 50.0, "gap": 0.5, "elapsed": 1.0,
               "rows": rows, "figures": [], "totals": {"max_hours_off": 1,
                                                       "quick_returns": 0}}
    q.publish(conn, run.token, "status", {"status": "running"})
    q.beat(conn, run.token)
    first = q.publish(conn, run.token, "progress", payload)
    url = f"{demo.url}/{run.id}/events"

    # a fresh page gets the current state first, then the new events
    second = q.publish(conn, run.token, "progress", {**payload, "objective": 90.0})
    q.publish(conn, run.token, "end", {**payload, "status": "best_found",
                                       "objective": 90.0, "roster": True,
                                       "report": {"ok": True, "rules": []}})
    body = demo.client.get(url).get_data(as_text=True)
    got = _events(body)
    assert [kind for _id, kind, _d in got][-1] == "end"
    assert sum(kind == "end" for _id, kind, _d in got) == 1

    # a reconnect that saw the first progress event gets the rest only, once
    Generation.update(status="running", last_event=first, objective=100.0,
                      improvements=1, finished_at=None).where(
        Generation.id == run.id).execute()
    body = demo.client.get(url, headers={"Last-Event-ID": first}).get_data(
        as_text=True)
    got = _events(body)
    assert len(got) == 1
    event_id, kind, data = got[0]
    assert kind == "end" and runs._newer(event_id, second)
    assert re.search(r'data-objective="90(\.0)?"', data)
    stored = Generation.get_by_id(run.id)
    assert stored.status == "best_found" and stored.objective == 90.0
    assert stored.improvements == 2  # the first, counted once, and the second
