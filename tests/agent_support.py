# SPDX-License-Identifier: Apache-2.0
"""Constants shared by the desk agent's tests (tests/agent)."""

HIS = "https://his.benhvien.vn"
OTHER = "https://other.benhvien.vn"
PORT = 8765
BASE = f"http://127.0.0.1:{PORT}"
WS = f"ws://127.0.0.1:{PORT}/v1/events"
