# SPDX-License-Identifier: Apache-2.0
"""Serve a simulated card to pcscd through the vsmartcard ``vpcd`` driver.

vpcd listens on 127.0.0.1:35963 (slot 0), 35964 (slot 1)...; a virtual card connects to it.
Wire format (vsmartcard ``vpcd.h``): every message is a 2-byte big-endian length and a payload.
A 1-byte payload from vpcd is a control message: 0 power off, 1 power on, 2 reset, 4 get ATR
(answered with the ATR); anything longer is a command APDU, answered with the response APDU.
Closing the socket is "card removed"; connecting is "card inserted".

TCP_NODELAY and TCP_QUICKACK (re-armed after each recv) avoid ~40 ms delayed-ACK stalls per APDU.
"""

from __future__ import annotations

import logging
import socket
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from cardkit.errors import CardRemovedError

logger = logging.getLogger(__name__)

DEFAULT_PORT = 35963
CTRL_OFF, CTRL_ON, CTRL_RESET, CTRL_ATR = 0, 1, 2, 4
# vpcd must see a slot empty before a card comes back: reconnecting within ~1 s of a disconnect
# in the middle of an APDU leaves the slot dead (seen with vsmartcard-vpcd 3.3 / pcsc-lite 1.9).
MIN_ABSENT_SECONDS = 1.2


def _pull_marker(port: int) -> Path:
    """Shared by every process serving this port (a test may pull in one, insert in another)."""
    return Path(tempfile.gettempdir()) / f"cardkit-vpcd-{port}.pulled"


def _mark_pulled(port: int) -> None:
    try:
        _pull_marker(port).touch()
    except OSError:
        pass


def _absent_wait(port: int) -> float:
    try:
        pulled = _pull_marker(port).stat().st_mtime
    except OSError:
        return 0.0
    return pulled + MIN_ABSENT_SECONDS - time.time()


class VirtualCard(Protocol):
    atr: bytes

    def transmit(self, apdu: bytes) -> bytes: ...

    def reset(self) -> None: ...


def _quickack(sock: socket.socket) -> None:
    if hasattr(socket, "TCP_QUICKACK"):
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
        except OSError:
            pass


def _recv_exact(sock: socket.socket, n: int) -> bytes | None:
    buf = bytearray()
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        _quickack(sock)
        if not chunk:
            return None
        buf += chunk
    return bytes(buf)


class VpcdBridge:
    """Connect one card to one vpcd slot; ``inserted`` toggles presence."""

    def __init__(
        self,
        card: VirtualCard,
        *,
        host: str = "127.0.0.1",
        port: int = DEFAULT_PORT,
        delay: Callable[[bytes, bytes], float] | None = None,
    ) -> None:
        self.card = card
        self.host = host
        self.port = port
        self.delay = delay  # seconds to wait before answering (latency emulation)
        self._sock: socket.socket | None = None
        self._want_inserted = threading.Event()
        self._want_inserted.set()
        self._stop = threading.Event()
        self.connected = threading.Event()
        self.apdus = 0
        self._busy = False

    # -- control ----------------------------------------------------------------------
    def insert(self) -> None:
        self._want_inserted.set()

    def remove(self) -> None:
        self._want_inserted.clear()
        self._close()

    def toggle(self) -> bool:
        if self._want_inserted.is_set():
            self.remove()
            return False
        self.insert()
        return True

    def stop(self) -> None:
        self._stop.set()
        self._want_inserted.set()
        self._close()

    def _close(self) -> None:
        sock, self._sock = self._sock, None
        self.connected.clear()
        if sock is None:
            return
        if self._busy:  # pulled in the middle of an APDU
            _mark_pulled(self.port)
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        sock.close()

    # -- serving ----------------------------------------------------------------------
    def serve_forever(self) -> None:
        while not self._stop.is_set():
            self._want_inserted.wait()
            if self._stop.is_set():
                break
            wait = _absent_wait(self.port)
            if wait > 0:
                time.sleep(wait)
                continue
            try:
                sock = socket.create_connection((self.host, self.port), timeout=2)
            except OSError:
                time.sleep(0.2)  # pcscd (vpcd) not listening yet
                continue
            sock.settimeout(None)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self._sock = sock
            self.connected.set()
            logger.info("card inserted in vpcd slot on port %d", self.port)
            try:
                self._serve(sock)
            except CardRemovedError:
                logger.info("card pulled (fault) on port %d", self.port)
                self._want_inserted.clear()
            except OSError:
                pass
            finally:
                self._close()
                self._busy = False
            self.card.reset()

    def _serve(self, sock: socket.socket) -> None:
        while True:
            header = _recv_exact(sock, 2)
            if header is None:
                return
            size = int.from_bytes(header, "big")
            payload = _recv_exact(sock, size)
            if payload is None:
                return
            if size == 1:
                ctrl = payload[0]
                if ctrl in (CTRL_OFF, CTRL_RESET, CTRL_ON):
                    self.card.reset()
                elif ctrl == CTRL_ATR:
                    self._send(sock, self.card.atr)
                continue
            self.apdus += 1
            self._busy = True
            response = self.card.transmit(payload)
            if self.delay is not None:
                time.sleep(self.delay(payload, response))
            self._send(sock, response)
            self._busy = False

    @staticmethod
    def _send(sock: socket.socket, payload: bytes) -> None:
        sock.sendall(len(payload).to_bytes(2, "big") + payload)


def parse_latency(spec: str) -> Callable[[bytes, bytes], float]:
    """``BITRATE[:T_APDU]`` (e.g. ``424k:5ms``): the ISO/IEC 14443-4 link model of
    :mod:`cardkit.transport.link` (framing, chaining, turnaround) as a delay per exchange."""
    from cardkit.transport.link import parse_link

    return parse_link(spec).delay
