# SPDX-License-Identifier: Apache-2.0
"""The agent's settings, kept in ``$CARDKIT_HOME/agent.toml`` (every key optional)::

    port = 8765                                   # on 127.0.0.1 only
    allowed_origins = ["https://his.benhvien.vn"] # web origins that may pair and call the agent
    max_body = 16384                              # bytes of a request body
    rate_per_second = 10                          # sustained requests per caller ...
    burst = 40                                    # ... and the burst above it
    face_max_age = 600                            # seconds the holder's face stays at its URL
    pair_timeout = 60                             # seconds a page waits for the desk to approve it

The station runs the same agent inside itself with ``agent = "on"`` in ``station.toml``; it then
also approves new origins on its screen (``POST /v1/pair/request``).

The card, registry and trust store come from the station's ``station.toml``
(:mod:`cardkit.station.config`), so the agent and the station read and journal alike.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit

from cardkit.errors import InputError
from cardkit.station.config import cardkit_home

DEFAULT_PORT = 8765
LOOPBACK = ("127.0.0.1", "::1")


def agent_config_path() -> Path:
    return cardkit_home() / "agent.toml"


def normalize_origin(text: str) -> str:
    """``scheme://host[:port]`` in lower case, default ports dropped (RFC 6454 §6.2 serialisation)."""
    u = urlsplit(text.strip())
    if u.scheme not in ("http", "https") or not u.hostname or u.path not in ("", "/") or u.query or u.fragment:
        raise InputError(f"not a web origin (scheme://host[:port]): {text!r}",
                         message_vi="Nguồn trang web không hợp lệ (dạng scheme://host[:port]).")
    try:
        port = u.port
    except ValueError:
        raise InputError(f"bad port in origin {text!r}", message_vi="Cổng trong nguồn trang web không hợp lệ.") from None
    host = f"[{u.hostname}]" if ":" in u.hostname else u.hostname
    default = {"http": 80, "https": 443}[u.scheme]
    return f"{u.scheme}://{host}" + (f":{port}" if port and port != default else "")


@dataclass(frozen=True)
class AgentConfig:
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    allowed_origins: tuple[str, ...] = field(default=())
    max_body: int = 16 * 1024
    rate_per_second: float = 10.0
    burst: int = 40
    face_max_age: float = 600.0
    pair_timeout: float = 60.0

    def __post_init__(self) -> None:
        if self.host not in LOOPBACK:
            raise InputError(f"the agent binds to loopback only (127.0.0.1 or ::1), not {self.host!r}",
                             message_vi="Dịch vụ chỉ được mở trên địa chỉ nội bộ 127.0.0.1 hoặc ::1.")
        if (not 0 <= int(self.port) <= 65535 or min(self.max_body, self.rate_per_second, self.burst) <= 0
                or min(self.face_max_age, self.pair_timeout) <= 0):
            raise InputError("agent config: port, max_body, rate_per_second, burst, face_max_age and pair_timeout "
                             "must be positive",
                             message_vi="Cấu hình dịch vụ đọc thẻ không hợp lệ.")
        object.__setattr__(self, "allowed_origins", tuple(dict.fromkeys(normalize_origin(o) for o in self.allowed_origins)))

    def with_(self, **changes: object) -> AgentConfig:
        return replace(self, **changes)

    def allowing(self, *origins: str) -> AgentConfig:
        return replace(self, allowed_origins=self.allowed_origins + tuple(origins))


def load_agent_config(path: str | Path | None = None) -> AgentConfig:
    p = Path(path) if path is not None else agent_config_path()
    if not p.is_file():
        return AgentConfig()
    try:
        data = tomllib.loads(p.read_text("utf-8"))
        kw: dict[str, float] = {k: int(data[k]) for k in ("port", "max_body", "burst") if k in data}
        kw.update({k: float(data[k]) for k in ("rate_per_second", "face_max_age", "pair_timeout") if k in data})
        origins = data.get("allowed_origins", [])
        if not isinstance(origins, list) or not all(isinstance(o, str) for o in origins):
            raise TypeError("allowed_origins must be a list of strings")
        return AgentConfig(allowed_origins=tuple(origins), **kw)
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError, TypeError, ValueError) as exc:
        raise InputError(f"cannot read agent config {p}: {exc}",
                         message_vi="Không đọc được tệp cấu hình dịch vụ đọc thẻ.") from None


def dumps(config: AgentConfig) -> str:
    import json

    return "\n".join([
        "# cardkit agent settings (see cardkit/agent/config.py)",
        f"port = {config.port}",
        f"allowed_origins = {json.dumps(list(config.allowed_origins))}",
        f"max_body = {config.max_body}",
        f"rate_per_second = {config.rate_per_second}",
        f"burst = {config.burst}",
        f"face_max_age = {config.face_max_age}",
        f"pair_timeout = {config.pair_timeout}",
    ]) + "\n"


def save_agent_config(config: AgentConfig, path: str | Path | None = None) -> Path:
    p = Path(path) if path is not None else agent_config_path()
    p.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = p.with_suffix(".tmp")
    tmp.write_text(dumps(config), "utf-8")
    tmp.replace(p)
    return p
