from __future__ import annotations

import socket

import pytest


def test_a_port_out_of_range_is_a_usage_error(cli, capsys):
    with pytest.raises(SystemExit) as exc:
        cli("emulate", "servicenow", "--port", "99999")
    assert exc.value.code == 2
    assert "port 99999 is outside 0-65535" in capsys.readouterr().err


def test_a_busy_port_is_one_line_not_a_traceback(cli):
    pytest.importorskip("csi_rules_servicenow")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = cli("emulate", "servicenow", "--port", str(port))
    assert result.code == 2
    assert result.err.startswith(f"csi-rules: error: cannot listen on 127.0.0.1:{port}:")
    assert "Traceback" not in result.err
