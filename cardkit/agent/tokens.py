# SPDX-License-Identifier: Apache-2.0
"""Pairings: a web origin approved once gets a bearer token it sends with every request.

Only the SHA-256 of each token is stored (tokens are 256-bit random, so a plain hash suffices:
nothing to brute-force), in ``$CARDKIT_HOME/agent-pairings.json``, mode 0600 in a 0700 home.
The running agent re-reads the file when it changes, so ``cardkit agent revoke`` in another
process takes effect on the next request.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from cardkit.agent.config import normalize_origin
from cardkit.errors import InputError
from cardkit.station.config import cardkit_home

PREFIX = "ck_"


def pairings_path() -> Path:
    return cardkit_home() / "agent-pairings.json"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Pairing:
    pairing_id: str
    origin: str
    token_sha256: str
    created: str

    def public(self) -> dict[str, str]:
        return {"pairing_id": self.pairing_id, "origin": self.origin, "created": self.created}


class TokenStore:
    def __init__(self, path: str | Path | None = None, *, random_token: Callable[[], str] | None = None,
                 clock: Callable[[], datetime] | None = None) -> None:
        self.path = Path(path) if path is not None else pairings_path()
        self.random_token = random_token or (lambda: secrets.token_urlsafe(32))
        self.clock = clock or (lambda: datetime.now(UTC))
        self._cache: tuple[tuple[int, int] | None, list[Pairing]] = (None, [])

    # -- reading ------------------------------------------------------------------------
    def _stamp(self) -> tuple[int, int] | None:
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return None
        return st.st_mtime_ns, st.st_size

    def pairings(self) -> list[Pairing]:
        stamp = self._stamp()
        if stamp == self._cache[0]:
            return self._cache[1]
        items: list[Pairing] = []
        if stamp is not None:
            try:
                raw = json.loads(self.path.read_text("utf-8"))
                items = [Pairing(**p) for p in raw.get("pairings", [])]
            except (OSError, ValueError, TypeError) as exc:
                raise InputError(f"pairings file {self.path} is unreadable: {exc}",
                                 message_vi="Không đọc được tệp ghép nối của dịch vụ đọc thẻ.") from None
        self._cache = (stamp, items)
        return items

    def check(self, token: str) -> Pairing | None:
        """The pairing the token belongs to, or None (constant-time comparison of the digests)."""
        if not token.startswith(PREFIX):
            return None
        digest = _digest(token)
        found = None
        for p in self.pairings():
            if hmac.compare_digest(p.token_sha256, digest):
                found = p
        return found

    # -- changing -----------------------------------------------------------------------
    def pair(self, origin: str) -> tuple[Pairing, str]:
        """A new pairing of ``origin`` (``scheme://host[:port]``, or ``app:NAME`` for a program
        that sends no Origin, e.g. curl or a .NET client); returns it with its token, shown once."""
        label = origin.strip() if origin.strip().startswith("app:") else normalize_origin(origin)
        if label == "app:":
            raise InputError("app: needs a name, e.g. app:his-client", message_vi="Cần đặt tên ứng dụng, ví dụ app:his-client.")
        token = PREFIX + self.random_token()
        p = Pairing(pairing_id=_digest(token)[:12], origin=label, token_sha256=_digest(token),
                    created=self.clock().isoformat(timespec="seconds"))
        self._write([*self.pairings(), p])
        return p, token

    def revoke(self, what: str) -> list[Pairing]:
        """Revoke by pairing id or by origin (every pairing of it); returns what was revoked."""
        key = what.strip()
        try:
            origin = normalize_origin(key) if not key.startswith("app:") else key
        except InputError:
            origin = None
        gone = [p for p in self.pairings() if p.pairing_id == key or p.origin == origin]
        if gone:
            self._write([p for p in self.pairings() if p not in gone])
        return gone

    def _write(self, items: list[Pairing]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = self.path.with_name(self.path.name + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump({"version": 1, "pairings": [asdict(p) for p in items]}, f, indent=1)
        os.chmod(tmp, 0o600)
        tmp.replace(self.path)
        self._cache = (None, [])
