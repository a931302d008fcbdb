# SPDX-License-Identifier: Apache-2.0
"""The library (reading, registry, station pipeline and exports) works without Textual."""

import subprocess
import sys


def test_library_and_station_import_without_textual():
    code = ("import sys; import cardkit.icao.reading, cardkit.registry.store, cardkit.registry.match, "
            "cardkit.registry.journal, cardkit.station.checkin, cardkit.station.export, cardkit.station.config, "
            "cardkit.station.access; print('\\n'.join(sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    mods = set(out.stdout.split())
    assert "cardkit.station.checkin" in mods
    assert not {m for m in mods if m == "textual" or m.startswith(("textual.", "textual_image", "cardkit.tui", "cardkit.sim"))}
