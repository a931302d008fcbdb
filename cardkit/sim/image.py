# SPDX-License-Identifier: Apache-2.0
"""A card image: the files a simulated chip holds and the keys it needs, saved as a folder.

Folder layout (what ``cardkit sim make`` writes and ``cardkit sim serve DIR`` reads):
``EF_COM.bin``, ``EF_SOD.bin``, ``DG1.bin`` ... (the names of ../shared/conformance),
``EF_CardAccess.bin`` (absent: the card offers BAC only), ``EF_CardSecurity.bin``, and
``card.json`` with the access data and the chip's private keys (PEM), which a real card keeps
secret and a test fixture must not.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from cardkit.errors import InputError
from cardkit.icao.lds.ef import DataGroup

FID_CARD_ACCESS = DataGroup.CARD_ACCESS.fid
MF_FILES = (DataGroup.CARD_ACCESS, DataGroup.CARD_SECURITY)


@dataclass
class CardImage:
    app_files: dict[int, bytes] = field(default_factory=dict)  # eMRTD application: FID -> bytes
    mf_files: dict[int, bytes] = field(default_factory=dict)  # master file: EF.CardAccess, EF.CardSecurity
    meta: dict = field(default_factory=dict)  # card.json: id, dob, expiry, can, mrz, keys (PEM), ...

    @property
    def can(self) -> str | None:
        return self.meta.get("can")

    def save(self, folder: str | Path) -> Path:
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        by_fid = {dg.fid: dg for dg in DataGroup if not dg.in_mf}
        for fid, data in self.app_files.items():
            (folder / by_fid[fid].filename).write_bytes(data)
        for dg in MF_FILES:
            if dg.fid in self.mf_files:
                (folder / dg.filename).write_bytes(self.mf_files[dg.fid])
        (folder / "card.json").write_text(json.dumps(self.meta, ensure_ascii=False, indent=2), "utf-8")
        return folder

    @classmethod
    def load(cls, folder: str | Path) -> CardImage:
        folder = Path(folder)
        meta_path = folder / "card.json"
        if not meta_path.is_file():
            raise InputError(f"{folder} is not a card folder (no card.json)", message_vi="Thư mục không chứa thẻ mô phỏng.")
        img = cls(meta=json.loads(meta_path.read_text("utf-8")))
        for dg in DataGroup:
            path = folder / dg.filename
            if path.is_file():
                (img.mf_files if dg.in_mf else img.app_files)[dg.fid] = path.read_bytes()
        return img
