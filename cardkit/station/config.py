# SPDX-License-Identifier: Apache-2.0
"""The station's settings, kept in ``$CARDKIT_HOME/station.toml`` (CARDKIT_HOME defaults to
``~/.local/share/cardkit``, as for the registry and the trust store).

Every key is optional; a missing file means the defaults. The file is flat TOML::

    reader = ""                 # PC/SC reader name (substring); "" = the first reader holding a card
    camera = ""                 # QR camera: "" = none, "0" = first camera, or a video/image path
    registry_url = "/home/me/.local/share/cardkit/registry.sqlite3"   # or postgresql://...
    trust_path = "/home/me/.local/share/cardkit/trust"
    mode = "clinic"             # "clinic" (insurance panel) or "counter"
    operator = ""               # recorded in the journal with every check-in
    operator_id = ""            # the operator's ID number (cccdCb of the BHXH gateway lookups)
    station = "desk-1"          # this desk's name in the journal
    language = "vi"             # "vi" or "en"
    photo = "auto"              # "auto" (Kitty/Sixel when the terminal can), "halfblock", "none"
    insurance = "registry"      # BHYT source: "registry" (the registry file) or "gateway"
    insurance_account = ""      # gateway account file (0600 TOML); "" = $CARDKIT_HOME/bhyt.toml
    insurance_timeout = "4"     # seconds per gateway request
    retention_days = "0"        # journal entries and receipts older than this are purged; 0 = keep
    agent = "off"               # "on": the desk agent (cardkit agent) runs inside the station, on its reader
    agent_port = ""             # the agent's port on 127.0.0.1; "" = agent.toml's (default 8765)
    face_cache = "off"          # "on": returning cards' DG2 (face), DG14, DG15 from the encrypted face cache
    face_cache_days = "30"      # a cached entry is dropped this many days after it was stored
"""

from __future__ import annotations

import socket
import tomllib
from dataclasses import asdict, dataclass, fields, replace
from enum import Enum
from pathlib import Path

from cardkit.errors import InputError
from cardkit.home import cardkit_home, ensure_parent, write_private

MODES = ("clinic", "counter")
LANGUAGES = ("vi", "en")
PHOTO_MODES = ("auto", "halfblock", "none")
INSURANCE_SOURCES = ("registry", "gateway")


class Switch(str, Enum):
    """An on/off setting of station.toml (``agent``, ``face_cache``)."""

    OFF = "off"
    ON = "on"


SWITCH = tuple(s.value for s in Switch)  # what ``face_cache`` takes
# ``agent`` also takes the words people write for on and off
_SWITCH_WORDS = {"on": Switch.ON, "true": Switch.ON, "yes": Switch.ON,
                 "off": Switch.OFF, "false": Switch.OFF, "no": Switch.OFF, "": Switch.OFF}



def config_path() -> Path:
    return cardkit_home() / "station.toml"


def _default_registry() -> str:
    return str(cardkit_home() / "registry.sqlite3")


def _default_trust() -> str:
    from cardkit.trustdir import default_trust_dir  # one definition of the default folder

    return str(default_trust_dir())


@dataclass(frozen=True)
class StationConfig:
    reader: str = ""
    camera: str = ""
    registry_url: str = ""
    trust_path: str = ""
    mode: str = "clinic"
    operator: str = ""
    operator_id: str = ""
    station: str = ""
    language: str = "vi"
    photo: str = "auto"
    insurance: str = "registry"
    insurance_account: str = ""
    insurance_timeout: str = "4"
    retention_days: str = "0"
    agent: str = "off"
    agent_port: str = ""
    face_cache: str = "off"
    face_cache_days: str = "30"

    def __post_init__(self) -> None:
        # Empty locations mean "the default under CARDKIT_HOME", resolved when the config is made.
        if not self.registry_url:
            object.__setattr__(self, "registry_url", _default_registry())
        if not self.trust_path:
            object.__setattr__(self, "trust_path", _default_trust())
        if not self.station:
            object.__setattr__(self, "station", socket.gethostname() or "station")
        if not self.insurance_account:
            object.__setattr__(self, "insurance_account", str(cardkit_home() / "bhyt.toml"))
        for name, allowed in (("mode", MODES), ("language", LANGUAGES), ("photo", PHOTO_MODES),
                              ("insurance", INSURANCE_SOURCES), ("face_cache", SWITCH)):
            if getattr(self, name) not in allowed:
                raise InputError(f"station config: {name} must be one of {', '.join(allowed)}",
                                 message_vi=f"Cấu hình trạm: giá trị '{name}' không hợp lệ.")

        switch = _SWITCH_WORDS.get(self.agent.strip().lower())
        if switch is None:
            raise InputError("station config: agent must be on or off",
                             message_vi="Cấu hình trạm: giá trị 'agent' phải là on hoặc off.")
        object.__setattr__(self, "agent", switch.value)
        if self.agent_port and not (self.agent_port.isdigit() and 0 < int(self.agent_port) <= 65535):
            raise InputError("station config: agent_port must be a port number (1-65535) or empty",
                             message_vi="Cấu hình trạm: 'agent_port' phải là số cổng (1-65535) hoặc để trống.")
        for name in ("insurance_timeout", "retention_days", "face_cache_days"):
            try:
                ok = float(getattr(self, name)) >= 0
            except ValueError:
                ok = False
            if not ok:
                raise InputError(f"station config: {name} must be a number >= 0",
                                 message_vi=f"Cấu hình trạm: giá trị '{name}' phải là số không âm.")

    @property
    def clinic(self) -> bool:
        return self.mode == "clinic"

    @property
    def hosts_agent(self) -> bool:
        return Switch(self.agent) is Switch.ON

    @property
    def face_cache_on(self) -> bool:
        return Switch(self.face_cache) is Switch.ON

    def with_(self, **changes: str) -> StationConfig:
        return replace(self, **changes)

    def to_dict(self) -> dict[str, str]:
        return asdict(self)


def load_config(path: str | Path | None = None) -> StationConfig:
    """The config at ``path`` (default :func:`config_path`); defaults when the file is absent."""
    p = Path(path) if path is not None else config_path()
    if not p.is_file():
        return StationConfig()
    try:
        data = tomllib.loads(p.read_text("utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read station config {p}: {exc}",
                         message_vi="Không đọc được tệp cấu hình trạm.") from None
    known = {f.name for f in fields(StationConfig)}
    values = {k: str(v) for k, v in data.items() if k in known}
    return StationConfig(**values)


def _toml_string(value: str) -> str:
    out = value.replace("\\", "\\\\").replace('"', '\\"')
    out = "".join(c if c >= " " else f"\\u{ord(c):04x}" for c in out)
    return f'"{out}"'


def dumps(config: StationConfig) -> str:
    lines = ["# cardkit station settings (see cardkit/station/config.py)"]
    lines += [f"{k} = {_toml_string(v)}" for k, v in config.to_dict().items()]
    return "\n".join(lines) + "\n"


def save_config(config: StationConfig, path: str | Path | None = None) -> Path:
    p = ensure_parent(Path(path) if path is not None else config_path())
    tmp = p.with_suffix(".tmp")
    write_private(tmp, dumps(config))  # operator and station names: 0600 like the journal
    tmp.replace(p)
    return p
