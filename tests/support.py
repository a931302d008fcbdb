# SPDX-License-Identifier: Apache-2.0
"""Test support (importable as ``support``): a minimal card image, waiting for pcscd readers."""

from __future__ import annotations

import io
import json
import os
import random
import threading
import time
from datetime import date
from pathlib import Path

from cardkit.apdu import CommandApdu, ResponseApdu
from cardkit.icao.lds.com import build_com
from cardkit.icao.lds.dg1 import build_dg1
from cardkit.icao.lds.dg2 import build_dg2
from cardkit.icao.lds.dg13 import build_dg13
from cardkit.icao.lds.ef import DataGroup
from cardkit.person import PersonData, Sex
from cardkit.sim.image import CardImage
from cardkit.tlv import encode_tlv

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("CARDKIT_SHARED", REPO.parent / "shared"))
CCCD_CARD_ACCESS = bytes.fromhex(
    "3134300D06080400 7F00070202020201 01300F060A04007F 0007020203020202 "
    "0101301206 0A04007F00070202 0402020201020201 0D".replace(" ", "")
)
MINIMAL_MRZ = ("IDVNM0900123450001090012345<<1", "9001011M3001019VNM<<<<<<<<<<<2", "NGUYEN<<VAN<A<<<<<<<<<<<<<<<<<")


def _jpeg_like(size: int, seed: int) -> bytes:
    """A real JPEG padded with a COM segment to about ``size`` bytes (the DG2 size of real cards)."""
    from PIL import Image

    img = Image.new("RGB", (240, 320), (200, 180, 160))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=90)
    data = buf.getvalue()
    rnd = random.Random(seed)
    filler = bytes(rnd.getrandbits(8) for _ in range(max(0, size - len(data) - 4)))
    pieces = (filler[i : i + 60000] for i in range(0, len(filler), 60000))
    chunks = b"".join(b"\xff\xfe" + (len(c) + 2).to_bytes(2, "big") + c for c in pieces)
    return data[:2] + chunks + data[2:]


def minimal_image(*, card_access: bool = False, dg2_size: int = 20_000) -> CardImage:
    """Files of issue 2's minimal card: EF.COM, DG1, DG2 (~20 KB), DG13, a placeholder EF.SOD."""
    person = PersonData(
        id_number="001090012345", full_name="Nguyễn Văn A", date_of_birth=date(1990, 1, 1), sex=Sex.MALE,
        nationality="Việt Nam", residence="Số 1 Phố Huế, Hai Bà Trưng, Hà Nội", issue_date=date(2021, 5, 1),
        expiry_date=date(2030, 1, 1),
    )
    dgs = [DataGroup.DG1, DataGroup.DG2, DataGroup.DG3, DataGroup.DG13]
    app = {
        DataGroup.COM.fid: build_com(dgs),
        DataGroup.DG1.fid: build_dg1(MINIMAL_MRZ),
        DataGroup.DG2.fid: build_dg2(_jpeg_like(dg2_size, 7)),
        DataGroup.DG3.fid: encode_tlv(0x63, b"\x00" * 64),
        DataGroup.DG13.fid: build_dg13(person),
        DataGroup.SOD.fid: encode_tlv(0x77, encode_tlv(0x30, b"\x00" * 32)),
    }
    mf = {DataGroup.CARD_ACCESS.fid: CCCD_CARD_ACCESS} if card_access else {}
    meta = {"id": "001090012345", "dob": "1990-01-01", "expiry": "2030-01-01", "can": "012345", "mrz": list(MINIMAL_MRZ)}
    return CardImage(app, mf, meta)


def wait_for_card(reader_substring: str, present: bool = True, timeout: float = 10.0) -> None:
    from cardkit.transport.pcsc import list_readers

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            for r in list_readers():
                if reader_substring in r.name and r.card_present() == present:
                    return
        except Exception:  # noqa: BLE001 - pcscd still coming up
            pass
        time.sleep(0.1)
    raise TimeoutError(f"reader {reader_substring!r} card_present={present} not seen in {timeout}s")


class ServedCard:
    """A simulated card attached to a vpcd slot of the running pcscd."""

    def __init__(self, card, slot: int = 0) -> None:
        from cardkit.sim.vpcd import VpcdBridge

        self.card = card
        self.slot = slot
        self.reader_name = f"Virtual PCD 00 {slot:02d}"
        self.bridge = VpcdBridge(card, port=35963 + slot)
        self.thread = threading.Thread(target=self.bridge.serve_forever, daemon=True)

    def __enter__(self) -> ServedCard:
        self.thread.start()
        wait_for_card(self.reader_name, True)
        return self

    def __exit__(self, *exc: object) -> None:
        self.bridge.stop()
        self.thread.join(5)
        wait_for_card(self.reader_name, False)




def transcripts(kind: str) -> list[Path]:
    """Every replay transcript of ``kind`` in test_vectors/transcripts (TRANSCRIPTS.md)."""
    folder = REPO / "test_vectors" / "transcripts"
    return sorted(p for p in folder.glob("*.json") if json.loads(p.read_text())["kind"] == kind)


class ScriptedConnection:
    """Returns the recorded responses; asserts each command is byte-identical."""

    def __init__(self, exchanges):
        self.exchanges = list(exchanges)
        self.i = 0

    def __call__(self, cmd: CommandApdu) -> ResponseApdu:
        assert self.i < len(self.exchanges), "reader sent more commands than recorded"
        want = self.exchanges[self.i]["command"]
        got = cmd.encode().hex()
        assert got == want, f"command {self.i}:\n sent     {got}\n recorded {want}"
        resp = self.exchanges[self.i]["response"]
        self.i += 1
        return ResponseApdu.decode(bytes.fromhex(resp))

    def done(self) -> bool:
        return self.i == len(self.exchanges)
