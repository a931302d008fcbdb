# SPDX-License-Identifier: Apache-2.0
"""``pip install cardkit`` is the card reader alone; a missing extra is one typed line naming it.

The CLI runs in a child process in which every module of every extra is made unimportable
(``sys.modules[name] = None``: ``import name`` raises ModuleNotFoundError and
``importlib.util.find_spec(name)`` is None, as when the package is not installed).
"""

import json
import re
import subprocess
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

from cardkit.extras import MODULES, NEEDS, Extra, MissingExtraError, missing, require

REPO = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
BLOCKED = sorted({m for names in MODULES.values() for m in names})

CHILD = """
import sys
for name in {blocked!r}:
    sys.modules[name] = None
from {module} import {func}
sys.exit({func}({argv!r}))
"""


def _run(argv: list[str], tmp_path, *, module="cardkit.cli", func="main") -> subprocess.CompletedProcess:
    code = CHILD.format(blocked=BLOCKED, module=module, func=func, argv=argv)
    env = {"PATH": "/usr/bin:/bin", "CARDKIT_HOME": str(tmp_path / "home"), "HOME": str(tmp_path)}
    return subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=120)


def _lines(err: str) -> list[str]:
    return err.splitlines()


def _message(extra: str, module: str) -> str:
    return (f"the optional extra '{extra}' is not installed (no module {module}): pip install 'cardkit[{extra}]'"
            f" | Chưa cài gói tùy chọn '{extra}' (thiếu mô-đun {module}): pip install 'cardkit[{extra}]'")


def _name(requirement: str) -> str:
    return re.split(r"[\[<>=!~; ]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def test_each_extra_lists_the_distributions_of_its_modules():
    by_module = packages_distributions()
    extras = PYPROJECT["optional-dependencies"]
    for extra, modules in MODULES.items():
        declared = {_name(r) for r in extras[extra.value] if not r.startswith("cardkit[")}
        provided = {_name(d) for m in modules for d in by_module[m]}
        assert provided == declared, extra
    assert extras["station"][0] == "cardkit[registry]" and extras["agent"][0] == "cardkit[station]"
    assert NEEDS == {Extra.STATION: (Extra.REGISTRY,), Extra.AGENT: (Extra.REGISTRY, Extra.STATION)}
    assert set(extras) == {e.value for e in Extra} | {"all", "test"}


def test_the_core_dependencies_are_the_card_reader_alone():
    assert [_name(r) for r in PYPROJECT["dependencies"]] == [
        "pyscard", "cryptography", "pycryptodome", "asn1crypto", "ecdsa", "pillow", "segno", "ldif"]


def test_require_names_the_extra_and_the_first_missing_module(monkeypatch):
    assert missing(Extra.STATION) is None
    require(Extra.QR)  # installed here: nothing raised
    monkeypatch.setitem(sys.modules, "textual_image", None)
    with pytest.raises(MissingExtraError) as exc:
        require(Extra.STATION)
    assert (exc.value.extra, exc.value.name) == (Extra.STATION, "textual_image")
    assert isinstance(exc.value, ImportError)
    assert f"{exc.value} | {exc.value.message_vi}" == _message("station", "textual_image")
    monkeypatch.setitem(sys.modules, "xxhash", None)
    assert missing(Extra.STATION) == "xxhash"  # the registry it needs comes first
    assert missing(Extra.REGISTRY, "polars") is None


@pytest.mark.parametrize("argv", [["--help"], ["read", "--help"], ["verify", "--help"], ["sim", "--help"],
                                  ["trust", "--help"], ["registry", "--help"]])
def test_help_works_without_any_extra(argv, tmp_path):
    out = _run(argv, tmp_path)
    assert (out.returncode, _lines(out.stderr)) == (0, [])
    assert out.stdout.startswith("usage: cardkit")


def test_a_card_is_made_and_verified_without_any_extra(tmp_path):
    made = _run(["sim", "make", "--person", "nguyen-van-an", "--out", "card", "--seed", "1", "--pki", "pki",
                 "--trust", "trust"], tmp_path)
    assert (made.returncode, _lines(made.stderr)) == (0, [])
    verified = _run(["verify", "card", "--trust", "trust", "--json"], tmp_path)
    assert verified.returncode == 0, verified.stderr
    assert json.loads(verified.stdout)["overall"] == "VALID"


@pytest.mark.parametrize(("argv", "extra", "module"), [
    (["registry", "import", "x.csv"], "registry", "polars"),
    (["registry", "match", "--id", "001090012345"], "registry", "polars"),
    (["journal", "list"], "registry", "polars"),
    (["qr", "decode", "x.png"], "qr", "cv2"),
])
def test_a_missing_extra_is_one_line_naming_it(argv, extra, module, tmp_path):
    out = _run(argv, tmp_path)
    assert (out.returncode, out.stdout, _lines(out.stderr)) == (2, "", [f"cardkit: error: {_message(extra, module)}"])


def test_the_station_without_its_extra_is_one_line(tmp_path):
    out = _run([], tmp_path, module="cardkit.tui.cli", func="run")
    assert (out.returncode, _lines(out.stderr)) == (2, [f"cardkit-station: error: {_message('station', 'polars')}"])
