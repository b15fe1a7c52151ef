"""`run` and `serve` refuse bad input before creating any state: one line, exit 2, no database."""

from __future__ import annotations

import socket

import yaml

from tests.runtime.conftest import write_config


def test_run_with_a_refused_adapter_setting_exits_2_at_its_line_and_creates_nothing(
        tmp_path, sn, cli):
    config = write_config(tmp_path, sn)
    data = yaml.safe_load(config.read_text())
    data["adapters"][0]["settings"]["auth"] = {"type": "basic", "username": "admin",
                                               "password": "admin"}  # literal: refused
    config.write_text(yaml.safe_dump(data, sort_keys=False))
    settings_line = next(i for i, line in enumerate(config.read_text().splitlines(), 1)
                         if line.strip() == "settings:")

    done = cli("run", "--config", str(config), "--once")
    assert done.code == 2
    lines = done.err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.err
    assert lines[0].startswith(f"{config}:{settings_line}:")
    assert "adapter servicenow:" in lines[0] and "password" in lines[0]
    assert not (tmp_path / "state.db").exists()


def test_serve_on_a_busy_port_exits_2_with_one_line_and_creates_nothing(tmp_path, sn, cli):
    config = write_config(tmp_path, sn)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = cli("serve", "--config", str(config), "--port", str(port))
    assert done.code == 2
    assert done.err.strip() == (f"csi-rules: error: cannot listen on 127.0.0.1:{port}: "
                                "Address already in use")
    assert not (tmp_path / "state.db").exists()
