"""Independent clients written against real instances drive the emulator (issue 13).

`pysnc` is ServiceNow's own client (GlideRecord over the Table API, Attachment and Batch APIs,
OAuth through requests-oauthlib); `pysnow` is the long-standing community client. Neither was
written for this emulator: what they send and expect is the platform's contract. pysnc refuses
plain http:// instances, so its emulator serves HTTPS with a throwaway self-signed certificate
made by the `openssl` command.
"""

from __future__ import annotations

import shutil
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from csi_rules_servicenow.emulator import ServiceNowEmulator

pysnc = pytest.importorskip("pysnc", reason="pysnc is in the servicenow test extra")
pysnow = pytest.importorskip("pysnow", reason="pysnow is in the servicenow test extra")

INC = "ef43c6d40a0a0b5700c77f9bf387afe3"


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is needed to make a loopback certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    return cert, key


@pytest.fixture
def tls_emulator(clock, certificate, monkeypatch) -> Iterator[ServiceNowEmulator]:
    # requests lets these override a session's `verify` (pysnc keeps the CA file there)
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    emulator = ServiceNowEmulator(clock=clock.now, ssl_context=context)
    emulator.start()
    yield emulator
    emulator.stop()


@pytest.fixture
def snc(tls_emulator, certificate):
    return pysnc.ServiceNowClient(tls_emulator.url, ("admin", "admin"),
                                  verify=str(certificate[0]))


def test_pysnc_glide_record_pages_through_a_query(snc):
    gr = snc.GlideRecord("incident", batch_size=10)
    gr.add_query("priority", "IN", "1,2,3,4,5")
    gr.order_by("number")
    gr.query()
    numbers = [record.number.get_value() for record in gr]
    assert gr.get_row_count() == 67 and len(numbers) == 67  # seven pages of ten
    assert numbers == sorted(numbers) and len(set(numbers)) == 67


def test_pysnc_insert_update_delete(snc):
    gr = snc.GlideRecord("incident")
    gr.initialize()
    gr.short_description = "written by pysnc"
    gr.impact = "1"
    gr.urgency = "1"
    sys_id = gr.insert()
    assert sys_id and gr.priority.get_value() == "1"  # the priority lookup ran
    again = snc.GlideRecord("incident")
    assert again.get(sys_id) and again.short_description.get_value() == "written by pysnc"
    again.urgency = "3"
    again.update()
    check = snc.GlideRecord("incident")
    assert check.get(sys_id) and check.priority.get_value() == "3"  # impact 1 x urgency 3
    assert check.delete()
    assert not snc.GlideRecord("incident").get(sys_id)


def test_pysnc_display_values(snc):
    gr = snc.GlideRecord("incident")
    assert gr.get(INC)
    assert gr.state.get_value() == "2" and gr.state.get_display_value() == "In Progress"
    assert gr.priority.get_display_value() == "1 - Critical"
    group = snc.GlideRecord("sys_user_group")
    assert group.get(gr.assignment_group.get_value())
    assert gr.assignment_group.get_display_value() == group.name.get_value()


def test_pysnc_attachments(snc):
    attachment = snc.Attachment("incident")
    location = attachment.add_attachment(INC, "notes.txt", b"first line\nsecond line",
                                         "text/plain")
    assert location.endswith(tuple("0123456789abcdef"))
    listed = snc.Attachment("incident")
    listed.add_query("table_sys_id", INC)
    listed.query()
    assert listed.next() and listed.file_name == "notes.txt"
    assert listed.readlines() == ["first line", "second line"]
    listed.delete()
    empty = snc.Attachment("incident")
    empty.add_query("table_sys_id", INC)
    empty.query()
    assert not empty.next()


def test_pysnc_batch_delete_multiple(snc, tls_emulator):
    for text in ("batch one", "batch two"):
        gr = snc.GlideRecord("incident")
        gr.initialize()
        gr.short_description = text
        gr.insert()
    doomed = snc.GlideRecord("incident")
    doomed.add_query("short_description", "STARTSWITH", "batch ")
    doomed.query()
    assert doomed.get_row_count() == 2
    assert doomed.delete_multiple()  # one Batch API call with a DELETE per record
    assert tls_emulator.count("POST", "/api/now/v1/batch") == 1
    gone = snc.GlideRecord("incident")
    gone.add_encoded_query("short_descriptionSTARTSWITHbatch ")
    gone.query()
    assert gone.get_row_count() == 0


def test_pysnc_oauth_password_flow_sends_the_client_as_http_basic(tls_emulator, certificate):
    flow = pysnc.ServiceNowPasswordGrantFlow("itil", "itil", "csi-rules-demo", "demo-secret")
    client = pysnc.ServiceNowClient(tls_emulator.url, flow, verify=str(certificate[0]))
    gr = client.GlideRecord("incident")
    assert gr.get(INC) and gr.number.get_value()
    assert tls_emulator.security.grants["password"] == 1


def test_pysnow_query_and_update(emulator):
    client = pysnow.Client(host=emulator.url.split("://")[1], user="admin", password="admin",
                           use_ssl=False)
    incidents = client.resource(api_path="/table/incident")
    query = pysnow.QueryBuilder().field("priority").equals("1").AND().field("active") \
        .equals("true").AND().field("number").order_ascending()
    rows: list[dict] = []
    while True:  # pysnow pages by offset, the caller's loop
        page = list(incidents.get(query=query, limit=3, offset=len(rows), stream=True).all())
        rows += page
        if len(page) < 3:
            break
    expected = emulator.store.rows("incident")
    expected = sorted(r["number"] for r in expected
                      if r["priority"] == "1" and r["active"] == "true")
    assert [r["number"] for r in rows] == expected and len(expected) > 3  # paged by 3
    updated = incidents.update(query={"number": "INC0000060"},
                               payload={"short_description": "updated by pysnow"})
    assert updated["short_description"] == "updated by pysnow"
    again = incidents.get(query={"number": "INC0000060"}).one()
    assert again["short_description"] == "updated by pysnow"


# pysnow's upload reads the file without closing it: the warning is pysnow's, not ours
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_pysnow_attachment_upload_and_list(emulator, tmp_path):
    client = pysnow.Client(host=emulator.url.split("://")[1], user="admin", password="admin",
                           use_ssl=False)
    notes = tmp_path / "notes.txt"
    notes.write_bytes(b"first line\n")
    incidents = client.resource(api_path="/table/incident")
    made = incidents.attachments.upload(INC, str(notes))          # POST /attachment/file
    assert made["file_name"] == "notes.txt" and made["table_sys_id"] == INC
    assert [a["file_name"] for a in incidents.attachments.get(INC)] == ["notes.txt"]
    assert emulator.apis.attachments.content[made["sys_id"]] == b"first line\n"
