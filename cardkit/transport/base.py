# SPDX-License-Identifier: Apache-2.0
"""Transport interfaces: a byte-level :class:`Connection` and the :class:`ApduProtocol` on top.

Like yubikit's ``SmartCardConnection``: one ``transmit`` of raw bytes; APDU encoding and the
ISO/IEC 7816-4 transport quirks (``61xx`` GET RESPONSE, ``6Cxx`` re-send with the right Le) live in
the protocol object, not in each adapter.
"""

from __future__ import annotations

import abc
import logging
import time
from dataclasses import dataclass

from cardkit.apdu import CommandApdu, ResponseApdu
from cardkit.errors import TransportError
from cardkit.log import traffic

logger = logging.getLogger(__name__)


class Connection(abc.ABC):
    """A live link to one card."""

    @property
    @abc.abstractmethod
    def atr(self) -> bytes: ...

    @abc.abstractmethod
    def transmit(self, apdu: bytes) -> bytes:
        """Send a command APDU, return the response APDU (data + SW). Raise TransportError."""

    def close(self) -> None:  # noqa: B027 - optional
        pass

    @property
    def supports_extended_length(self) -> bool:
        """Whether the reader side can carry extended-length APDUs (the card is asked separately)."""
        return False

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@dataclass
class Stats:
    apdus: int = 0
    bytes_sent: int = 0
    bytes_received: int = 0
    seconds: float = 0.0


class ApduProtocol:
    """Send :class:`CommandApdu` objects over a :class:`Connection`, handling 61xx and 6Cxx."""

    MAX_GET_RESPONSE = 64  # a hostile card could answer 61xx forever

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.stats = Stats()

    def _raw(self, raw: bytes) -> ResponseApdu:
        traffic(logger, ">> %s", raw.hex())
        t0 = time.perf_counter()
        out = self.connection.transmit(raw)
        self.stats.seconds += time.perf_counter() - t0
        self.stats.apdus += 1
        self.stats.bytes_sent += len(raw)
        self.stats.bytes_received += len(out)
        traffic(logger, "<< %s", out.hex())
        return ResponseApdu.decode(out)

    def send(self, cmd: CommandApdu) -> ResponseApdu:
        resp = self._raw(cmd.encode())
        if resp.sw1 == 0x6C and cmd.le is not None:
            # ISO/IEC 7816-3 §12.2.3 (T=0): wrong Le; the card tells the exact one.
            resp = self._raw(cmd.with_(le=resp.sw2 or 256, extended=False).encode())
        data = bytearray(resp.data)
        rounds = 0
        while resp.sw1 == 0x61:  # ISO/IEC 7816-4 §5.3.4: more data via GET RESPONSE
            rounds += 1
            if rounds > self.MAX_GET_RESPONSE:
                raise TransportError("card keeps answering 61xx: too many GET RESPONSE rounds")
            resp = self._raw(CommandApdu(0x00, 0xC0, 0x00, 0x00, le=resp.sw2 or 256).encode())
            data += resp.data
        return ResponseApdu(bytes(data), resp.sw)

    __call__ = send


class Reader(abc.ABC):
    """A card reader slot."""

    name: str

    @abc.abstractmethod
    def card_present(self) -> bool: ...

    @abc.abstractmethod
    def atr(self) -> bytes | None: ...

    @abc.abstractmethod
    def connect(self) -> Connection: ...
