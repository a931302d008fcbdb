# SPDX-License-Identifier: Apache-2.0
"""The modelled part of ``cardkit bench read``: each read's exchanges, timed by the ISO/IEC
14443-4 link model (:mod:`cardkit.transport.link`) at 106/212/424/848 kbit/s.

A read runs in process against the simulated card; every exchange is recorded (command and
response sizes, whether it reads a file) and the card's own CPU time is taken out. Modelled time
= the link time of every exchange + the host's CPU time. Floor = 8 * (file bytes read) / bitrate
+ the link time of the handshake (every exchange that is not a file SELECT or READ BINARY).
Time to identity = the modelled time when EF.SOD, DG1 and DG13 have been read. Baselines in the
same run, against the same card: 223-byte READs with a SELECT per file, and 160-byte READs.
Returning card: the same card read a second time with the face cache (:mod:`cardkit.facecache`: DG2, DG14, DG15,
in a scratch folder) warm from the first read; its ``vs_first_read`` is its modelled time over
the first read's in the same run (the floor counts only the bytes read from the chip).
"""

from __future__ import annotations

import io
import random
import statistics
import time
from dataclasses import dataclass, field

from cardkit.icao.lds.ef import DataGroup
from cardkit.transport.link import BITRATES, LinkModel

IDENTITY = frozenset({DataGroup.SOD, DataGroup.DG1, DataGroup.DG13})


@dataclass
class Exchange:
    command: int
    response: int
    file: bool  # a file SELECT (A4 02) or READ BINARY (B0/B1): not handshake


@dataclass
class Trace:
    exchanges: list[Exchange] = field(default_factory=list)
    card_cpu: float = 0.0
    identity_at: tuple[int, float] | None = None  # (exchanges so far, host CPU so far)


class RecordingCard:
    """The simulated card, recording each exchange and the CPU time spent inside it."""

    def __init__(self, card, trace: Trace) -> None:
        self.card, self.trace = card, trace

    def transmit(self, raw: bytes) -> bytes:
        c0 = time.process_time()
        out = self.card.transmit(raw)
        self.trace.card_cpu += time.process_time() - c0
        ins, p1 = (raw[1], raw[2]) if len(raw) > 2 else (0, 0)
        self.trace.exchanges.append(Exchange(len(raw), len(out), ins in (0xB0, 0xB1) or (ins == 0xA4 and p1 == 0x02)))
        return out

    def __getattr__(self, name: str):
        return getattr(self.card, name)


def _baseline_reader(block: int, use_sfi: bool):
    from cardkit.icao.files import FileReader

    class Baseline(FileReader):
        def __init__(self, send, **kwargs) -> None:
            super().__init__(send, extended=False, use_sfi=use_sfi)
            self.block = block

    return Baseline


STRATEGIES = {"cardkit": None, "cardkit-short": None, "223+select": (223, False), "160": (160, True), "returning": None}
# cardkit-short: cardkit's reader through a reader without extended length; returning: cardkit's
# reader, the second read of the card with the face cache warm


def read_once(image, access, trust, strategy: str, face_cache=None) -> tuple[Trace, float, str, int]:
    """One read: (trace, host CPU seconds, overall, file bytes read from the chip)."""
    from cardkit.icao import files as files_mod
    from cardkit.icao import session as session_mod
    from cardkit.icao.reading import read_and_verify
    from cardkit.sim.factory import make_card
    from cardkit.transport.inproc import InProcessConnection

    trace = Trace()
    card = RecordingCard(make_card(image), trace)
    seen: set[DataGroup] = set()
    cpu0 = time.process_time()

    def progress(event) -> None:
        if event.kind is session_mod.FileEventKind.DONE and event.file in IDENTITY:
            seen.add(event.file)
            if seen == IDENTITY and trace.identity_at is None:
                trace.identity_at = (len(trace.exchanges), time.process_time() - cpu0 - trace.card_cpu)

    files_mod.forget_learned()
    original = session_mod.FileReader
    if STRATEGIES[strategy] is not None:
        session_mod.FileReader = _baseline_reader(*STRATEGIES[strategy])  # the baselines' READ BINARY rule
    try:
        conn = InProcessConnection(card, name=f"bench {strategy}", extended_length=strategy != "cardkit-short")
        result = read_and_verify(conn, access, trust=trust, progress=progress, face_cache=face_cache)
    finally:
        session_mod.FileReader = original
    host_cpu = time.process_time() - cpu0 - trace.card_cpu
    chip = [v for k, v in result.read.files.items() if k not in result.read.from_cache]
    file_bytes = sum(len(v) for v in chip) + len(result.read.card_access or b"")
    return trace, host_cpu, result.overall.value, file_bytes


def model(trace: Trace, host_cpu: float, file_bytes: int, link: LinkModel) -> dict[str, float]:
    times = [link.exchange(e.command, e.response) for e in trace.exchanges]
    handshake = sum(t for t, e in zip(times, trace.exchanges, strict=False) if not e.file)
    modelled = sum(times) + host_cpu
    floor = link.floor(file_bytes, handshake)
    n, cpu = trace.identity_at or (len(times), host_cpu)
    return {"modelled_ms": modelled * 1e3, "floor_ms": floor * 1e3, "ratio": modelled / floor,
            "time_to_identity_ms": (sum(times[:n]) + cpu) * 1e3}


def face_jpeg(size: int, seed: int = 16) -> bytes:
    """A JPEG of about ``size`` bytes (noise, so it does not compress), for the 20 KB-face profile."""
    from PIL import Image

    rng = random.Random(seed)
    side = 96
    while True:
        img = Image.frombytes("RGB", (side, side * 4 // 3), bytes(rng.getrandbits(8) for _ in range(side * side * 4)))
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=60)
        if len(buf.getvalue()) >= size:
            return buf.getvalue()
        side += 8


def profiles():
    """(name, image, access): the CCCD with a 20 KB face (PACE-CAN, RSA AA) and a
    passport-like card (cancuoc2024 layout, ECDSA AA) read with PACE."""
    from cardkit.icao.keys import cccd_can
    from cardkit.icao.session import AccessSpec
    from cardkit.sim.issuer import personalise
    from cardkit.sim.pki import TestPki
    from cardkit.sim.population import person

    who = person("bui-quang-vinh")
    pki = TestPki()
    out = []
    for name, profile, photo in (("cccd-20k-face", "cccd2021", face_jpeg(20_000)), ("cancuoc2024", "cancuoc2024", None)):
        image = personalise(who.data(profile), profile=profile, pki=pki, seed=16, photo=photo)
        out.append((name, image, AccessSpec(can=cccd_can(image.meta["id"]))))
    return out


def run_model(runs: int, trust, link_base: LinkModel) -> dict[str, object]:
    report: dict[str, object] = {"link": {"t_apdu_ms": link_base.t_apdu * 1e3, "fsc": link_base.fsc,
                                          "framing": link_base.framing, "t_frame_ms": link_base.t_frame * 1e3}}
    for name, image, access in profiles():
        entry: dict[str, object] = {"dg2_bytes": len(image.app_files[0x0102])}
        for strategy in STRATEGIES:
            rows = [_returning(image, access, trust) if strategy == "returning" else
                    read_once(image, access, trust, strategy) for _ in range(runs)]
            trace, _, overall, file_bytes = rows[0]
            cpu = statistics.median(r[1] for r in rows)
            per_rate = {}
            for rate in BITRATES:
                link = LinkModel(rate, link_base.t_apdu, link_base.fsc, link_base.framing, link_base.t_frame)
                vals = [model(r[0], r[1], r[3], link) for r in rows]
                per_rate[f"{rate // 1000}k"] = {k: round(statistics.median(v[k] for v in vals), 3) for k in vals[0]}
            entry[strategy] = {
                "apdus": len(trace.exchanges), "file_bytes": file_bytes,
                "bytes_on_air": sum(link_base.air_bytes(e.command) + link_base.air_bytes(e.response) for e in trace.exchanges),
                "host_cpu_ms": round(cpu * 1e3, 2), "overall": sorted({r[2] for r in rows}), "by_bitrate": per_rate,
            }
        for strategy in ("cardkit", "cardkit-short"):
            ours = entry[strategy]["by_bitrate"]  # type: ignore[index]
            for rate in ours:
                base = entry["223+select"]["by_bitrate"][rate]["modelled_ms"]  # type: ignore[index]
                ours[rate]["vs_223_select"] = round(ours[rate]["modelled_ms"] / base, 3)
        back = entry["returning"]["by_bitrate"]  # type: ignore[index]
        for rate in back:
            first = entry["cardkit"]["by_bitrate"][rate]["modelled_ms"]  # type: ignore[index]
            back[rate]["vs_first_read"] = round(back[rate]["modelled_ms"] / first, 3)
        report[name] = entry
    return report


def _returning(image, access, trust) -> tuple[Trace, float, str, int]:
    """The second read of the card, its face cached by the first (a fresh cache each run)."""
    import tempfile
    from pathlib import Path

    from cardkit.facecache import FileFaceCache

    with tempfile.TemporaryDirectory() as tmp:
        cache = FileFaceCache(Path(tmp) / "face-cache", Path(tmp) / "face-cache.key")
        read_once(image, access, trust, "cardkit", cache)
        return read_once(image, access, trust, "returning", cache)
