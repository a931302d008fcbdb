# SPDX-License-Identifier: Apache-2.0
"""Which BHYT source the desk uses and the gateway account, from configuration.

The account lives in a TOML file readable by its owner only (0600; anything wider is refused)::

    host = "https://..."        # the production or the training host: configuration, never code
    username = "..."
    password = "..."            # sent only as its MD5 hex
    md5_case = "upper"          # "upper" (official guide) or "lower"
    name = "gateway"            # "stand-in" when it points at the local stand-in

The gateway only answers from the server IP the facility registered with BHXH: that is the
user's concern (see README).
"""

from __future__ import annotations

import os
import stat
import tomllib
from dataclasses import dataclass
from pathlib import Path

from cardkit.errors import InputError
from cardkit.insurance.gateway import GatewayClient, Md5Case


@dataclass(frozen=True)
class GatewayAccount:
    host: str
    username: str
    password: str
    md5_case: Md5Case = Md5Case.UPPER
    name: str = "gateway"

    def client(self, *, timeout: float = 4.0) -> GatewayClient:
        if not self.host:
            raise InputError("no gateway host configured", message_vi="Chưa cấu hình địa chỉ cổng BHXH.")
        return GatewayClient(self.host, self.username, self.password, md5_case=self.md5_case, timeout=timeout,
                             name=self.name)


def _private(path: Path) -> None:
    mode = path.stat().st_mode
    if os.name == "posix" and mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise InputError(f"{path} must be readable by its owner only (chmod 600)",
                         message_vi="Tệp tài khoản BHXH phải chỉ chủ sở hữu đọc được (chmod 600).")


def load_account(path: str | Path, *, host: str = "", username: str = "", password: str = "") -> GatewayAccount:
    """The account file; explicit ``host``/``username``/``password`` override it."""
    p = Path(path)
    data: dict = {}
    if p.is_file():
        _private(p)
        try:
            data = tomllib.loads(p.read_text("utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise InputError(f"cannot read the gateway account file {p}: {type(exc).__name__}",
                             message_vi="Không đọc được tệp tài khoản BHXH.") from None
    elif not (username and password):
        raise InputError(f"no gateway account: {p} does not exist",
                         message_vi="Chưa có tài khoản cổng BHXH (tệp cấu hình không tồn tại).")
    try:
        case = Md5Case(str(data.get("md5_case", "upper")).lower())
    except ValueError:
        raise InputError("md5_case must be upper or lower", message_vi="md5_case phải là upper hoặc lower.") from None
    return GatewayAccount(host=host or str(data.get("host", "")), username=username or str(data.get("username", "")),
                          password=password or str(data.get("password", "")), md5_case=case,
                          name=str(data.get("name", "gateway")))


def write_account(path: str | Path, account: GatewayAccount) -> Path:
    """Write the account file 0600 in a 0700 folder (the demo writes the stand-in's)."""
    p = Path(path)
    p.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    q = lambda s: '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'  # noqa: E731
    text = (f"host = {q(account.host)}\nusername = {q(account.username)}\npassword = {q(account.password)}\n"
            f"md5_case = {q(account.md5_case.value)}\nname = {q(account.name)}\n")
    fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    os.chmod(p, 0o600)
    return p
