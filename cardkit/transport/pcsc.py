# SPDX-License-Identifier: Apache-2.0
"""PC/SC through pyscard: the ONLY module of cardkit that imports ``smartcard``."""

from __future__ import annotations

import logging
import time
from types import ModuleType
from typing import TYPE_CHECKING

from cardkit.errors import CardRemovedError, NoCardError, NoReaderError, TransportError
from cardkit.transport.base import Connection, Reader

if TYPE_CHECKING:  # pyscard ships no types: these name its classes for the reader of this code
    from smartcard.CardConnection import CardConnection
    from smartcard.reader.Reader import Reader as ScardReader

logger = logging.getLogger(__name__)


def _smartcard() -> tuple[ModuleType, ModuleType]:
    try:
        import smartcard.Exceptions as exc
        import smartcard.System as system
    except ImportError as e:  # pragma: no cover - pyscard is a hard dependency
        raise TransportError("pyscard is not installed") from e
    return system, exc


class PcscConnection(Connection):
    def __init__(self, connection: CardConnection, name: str, reader: PcscReader | None = None) -> None:
        self._conn = connection
        self.name = name
        self._reader = reader
        self._atr = bytes(connection.getATR())

    @property
    def atr(self) -> bytes:
        return self._atr

    @property
    def supports_extended_length(self) -> bool:
        # pcsc-lite passes extended APDUs when the IFD handler does; vpcd and CCID T=1 readers
        # do. A reader that does not answers 6700, and the file reader steps down.
        return True

    def transmit(self, apdu: bytes) -> bytes:
        _, exc = _smartcard()
        try:
            data, sw1, sw2 = self._conn.transmit(list(apdu))
        except exc.CardConnectionException as e:
            msg = str(e).lower()
            if any(w in msg for w in ("removed", "reset", "no smart card", "unpowered")) or self._card_gone():
                raise CardRemovedError("card removed during the exchange") from e
            raise TransportError(f"PC/SC transmit failed: {e}") from e
        return bytes(data) + bytes((sw1, sw2))

    def _card_gone(self, wait: float = 1.5) -> bool:
        """After a failed transmit: has the card left the reader? (pcscd notices within ~1 s.)"""
        if self._reader is None:
            return False
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if not self._reader.card_present():
                return True
            time.sleep(0.1)
        return False

    def close(self) -> None:
        _release(self._conn)


def _release(conn: CardConnection) -> None:
    """Disconnect and release the PC/SC context now, not in a finaliser after pcscd is gone."""
    for step in ("disconnect", "release"):
        try:
            getattr(conn, step, lambda: None)()
        except Exception:  # noqa: BLE001 - a gone card or daemon must not mask the real error
            logger.debug("PC/SC %s failed", step, exc_info=True)


class PcscReader(Reader):
    def __init__(self, reader: ScardReader) -> None:
        self._reader = reader
        self.name = str(reader)

    def _probe(self) -> CardConnection | None:
        _, exc = _smartcard()
        conn = self._reader.createConnection()
        try:
            conn.connect()
        except (exc.NoCardException, exc.CardConnectionException):
            _release(conn)
            return None
        return conn

    def card_present(self) -> bool:
        return self.atr() is not None

    def atr(self) -> bytes | None:
        conn = self._probe()
        if conn is None:
            return None
        try:
            return bytes(conn.getATR())
        finally:
            _release(conn)

    def connect(self) -> PcscConnection:
        _, exc = _smartcard()
        conn = self._reader.createConnection()
        try:
            conn.connect()
        except exc.NoCardException as e:
            raise NoCardError(f"no card in reader {self.name}") from e
        except exc.CardConnectionException as e:
            raise NoCardError(f"cannot connect to the card in {self.name}: {e}") from e
        return PcscConnection(conn, self.name, self)


def list_readers() -> list[PcscReader]:
    system, _ = _smartcard()
    try:
        return [PcscReader(r) for r in system.readers()]
    except Exception as e:  # noqa: BLE001 - pyscard raises assorted types when pcscd is absent
        raise NoReaderError(f"cannot list PC/SC readers (is pcscd running?): {e}") from e


def find_reader(name: str | None = None, *, require_card: bool = True) -> PcscReader:
    """The reader named (substring match), or the first one holding a card."""
    readers = list_readers()
    if not readers:
        raise NoReaderError("no PC/SC reader found")
    if name:
        matches = [r for r in readers if name.lower() in r.name.lower()]
        if not matches:
            raise NoReaderError(f"no reader matching {name!r}")
        return matches[0]
    if require_card:
        for r in readers:
            if r.card_present():
                return r
        raise NoCardError("no card in any reader")
    return readers[0]


def card_states() -> dict[str, bool]:
    """Whether each reader holds a card, from pcscd's own reader state (SCardGetStatusChange with
    no wait). No connection is made: asking never powers off or resets a card another connection
    is using (a connect-and-disconnect probe does: pyscard disconnects with SCARD_UNPOWER_CARD)."""
    from smartcard import scard

    hr, ctx = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    if hr != scard.SCARD_S_SUCCESS:
        raise NoReaderError(f"cannot reach pcscd: {scard.SCardGetErrorMessage(hr)}")
    try:
        hr, readers = scard.SCardListReaders(ctx, [])
        if hr == scard.SCARD_E_NO_READERS_AVAILABLE or (hr == scard.SCARD_S_SUCCESS and not readers):
            return {}
        if hr != scard.SCARD_S_SUCCESS:
            raise NoReaderError(f"cannot list PC/SC readers: {scard.SCardGetErrorMessage(hr)}")
        hr, states = scard.SCardGetStatusChange(ctx, 0, [(r, scard.SCARD_STATE_UNAWARE) for r in readers])
        if hr != scard.SCARD_S_SUCCESS:
            raise TransportError(f"cannot read PC/SC reader states: {scard.SCardGetErrorMessage(hr)}")
        return {name: bool(state & scard.SCARD_STATE_PRESENT) and not state & scard.SCARD_STATE_MUTE
                for name, state, _ in states}
    finally:
        scard.SCardReleaseContext(ctx)
