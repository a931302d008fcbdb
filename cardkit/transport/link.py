# SPDX-License-Identifier: Apache-2.0
"""One model of the contactless link (ISO/IEC 14443-4 block transmission), shared by
``cardkit sim serve --latency`` and ``cardkit bench read``.

Per APDU: ``t_apdu + 8 * (bytes on air) / bitrate + t_frame * (chained frames)``. Each direction
is split into I-blocks of at most FSC bytes (ISO/IEC 14443-4 §7.1: FSC counts the whole frame),
each carrying ``framing`` bytes of its own (PCB + CRC_A = 3): a frame holds FSC - 3 bytes of
APDU. Every frame after the first of a direction is a chained frame and costs ``t_frame`` (the
R(ACK) turnaround). Defaults: FSC 256, t_apdu 5 ms, t_frame 0.3 ms; bitrates 106, 212, 424 and
848 kbit/s (ISO/IEC 14443-2).

The floor of a read is what no reader strategy can beat: ``8 * (file bytes read) / bitrate`` plus
the modelled time of the handshake (every exchange that is not a file SELECT or READ BINARY:
PACE, CA, AA, ...), see :meth:`LinkModel.floor`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypedDict

from cardkit.errors import InputError

BITRATES = (106_000, 212_000, 424_000, 848_000)


@dataclass(frozen=True)
class LinkModel:
    bitrate: int = 424_000  # bit/s
    t_apdu: float = 0.005  # s per command/response pair (reader + card turnaround)
    fsc: int = 256  # largest frame, framing included (ISO/IEC 14443-4 FSC / FSD)
    framing: int = 3  # PCB + CRC_A per frame
    t_frame: float = 0.0003  # s per chained frame

    def __post_init__(self) -> None:
        if self.bitrate <= 0 or self.t_apdu < 0 or self.t_frame < 0 or self.fsc <= self.framing:
            raise InputError(f"impossible link model {self}")

    def frames(self, n: int) -> int:
        """I-blocks needed for ``n`` APDU bytes (an empty direction still takes one frame)."""
        per = self.fsc - self.framing
        return max(1, -(-n // per))

    def air_bytes(self, n: int) -> int:
        return n + self.framing * self.frames(n)

    def exchange(self, command: int, response: int) -> float:
        """Seconds for one APDU of ``command`` bytes answered by ``response`` bytes."""
        air = self.air_bytes(command) + self.air_bytes(response)
        chained = self.frames(command) - 1 + self.frames(response) - 1
        return self.t_apdu + 8 * air / self.bitrate + self.t_frame * chained

    def delay(self, command: bytes, response: bytes) -> float:
        """The ``VpcdBridge`` hook: how long this exchange would take on the air."""
        return self.exchange(len(command), len(response))

    def floor(self, file_bytes: int, handshake: float) -> float:
        """Lower bound of a read: the files' bits at the bitrate plus the modelled handshake."""
        return 8 * file_bytes / self.bitrate + handshake


def _seconds(text: str) -> float:
    if text.endswith("ms"):
        return float(text[:-2]) / 1e3
    if text.endswith("us"):
        return float(text[:-2]) / 1e6
    return float(text.removesuffix("s"))


class _LinkFields(TypedDict, total=False):
    """The LinkModel fields a link spec may set."""

    bitrate: int
    t_apdu: float
    fsc: int
    t_frame: float


def parse_link(spec: str) -> LinkModel:
    """``BITRATE[:T_APDU][,fsc=N][,frame=T]``, e.g. ``424k``, ``424k:5ms``, ``106k:5ms,fsc=64``."""
    try:
        head, *options = spec.lower().replace(" ", "").split(",")
        rate_s, _, t_s = head.partition(":")
        mult = {"k": 1e3, "m": 1e6}.get(rate_s[-1:], 1)
        kwargs: _LinkFields = {"bitrate": int(float(rate_s.rstrip("km")) * mult)}
        if t_s:
            kwargs["t_apdu"] = _seconds(t_s)
        for opt in options:
            key, _, value = opt.partition("=")
            if key == "fsc":
                kwargs["fsc"] = int(value)
            elif key == "frame":
                kwargs["t_frame"] = _seconds(value)
            else:
                raise ValueError(key)
        return LinkModel(**kwargs)
    except (ValueError, IndexError):
        raise InputError(f"bad link model {spec!r}: use BITRATE[:T_APDU][,fsc=N][,frame=T] like 424k:5ms") from None
