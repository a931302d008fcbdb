# SPDX-License-Identifier: Apache-2.0
"""The stored row has one owner (cardkit.registry.row): the other registry modules take its
columns and rules from there, so a column is added in the row's declaration (row.FIELDS +
Resident), the schema migration and the tests, and nowhere else; the three checkers of a record
(general, per-record fast, column-wise) are all made from that declaration."""

from __future__ import annotations

import ast
import re
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from cardkit.errors import InputError
from cardkit.person import DobPrecision, Sex
from cardkit.registry import row
from cardkit.registry.fastrow import FastRules
from cardkit.registry.load.frames import fast_mask
from cardkit.registry.row import CSV_COLUMNS, Resident
from cardkit.registry.rowparse import check_record

REGISTRY = Path(row.__file__).parent
PACKAGES = ("cardkit.registry", "cardkit.registry.load")
# The modules that may name every column: the row's declaration and the schema migrations. The
# others on the import/write path may only name columns that carry a rule of their own.
OWNERS = {"row.py", "schema.py"}
WRITE_PATH = ["fastrow.py", "rowparse.py", "importer.py", "store.py", "backend.py",
              *(f"load/{p.name}" for p in sorted((REGISTRY / "load").glob("*.py")))]


ALL = sorted(p.relative_to(REGISTRY).as_posix() for p in REGISTRY.rglob("*.py"))


def _tree(name: str) -> ast.Module:
    return ast.parse((REGISTRY / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", WRITE_PATH)
def test_write_path_names_no_plain_text_column(name):
    plain = {n for n in CSV_COLUMNS if row.KINDS[n] is row.Kind.TEXT}
    assert plain == {"place_of_origin", "residence", "ethnicity", "religion", "insurance_facility"}
    named = {node.value for node in ast.walk(_tree(name))
             if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in plain}
    assert named == set()


@pytest.mark.parametrize("name", [*WRITE_PATH, "row.py"])
def test_no_positional_unpack_of_a_row(name):
    """No ``a, b, c, ... = row`` of the stored or CSV columns (it breaks when a column is added)."""
    wide = [node.lineno for node in ast.walk(_tree(name))
            if isinstance(node, (ast.Tuple, ast.List)) and isinstance(getattr(node, "ctx", None), ast.Store)
            and len(node.elts) > 5]
    assert wide == []


@pytest.mark.parametrize("name", [n for n in ALL if n not in OWNERS])
def test_no_column_list_outside_the_owners(name):
    """No literal tuple or list holding more than half of the CSV columns outside the owners."""
    lists = [node.lineno for node in ast.walk(_tree(name)) if isinstance(node, (ast.Tuple, ast.List, ast.Set))
             and sum(isinstance(e, ast.Constant) and e.value in CSV_COLUMNS for e in node.elts) > len(CSV_COLUMNS) // 2]
    assert lists == []


@pytest.mark.parametrize("name", ALL)
def test_no_private_name_crosses_modules(name):
    """``from cardkit.registry.x import _y`` and ``obj._attr`` of another module's object are gone."""
    private = [(node.module, a.name) for node in ast.walk(_tree(name)) if isinstance(node, ast.ImportFrom)
               and (node.module or "").startswith("cardkit.") for a in node.names if a.name.startswith("_")]
    assert private == []


def test_rule_constants_defined_once():
    """MAX_TEXT, MIN_YEAR, the insurance pattern and the sex spellings are set in row.py only."""
    found = []
    for name in ALL:
        path = REGISTRY / name
        text = path.read_text(encoding="utf-8")
        pattern = r"(?m)^_?(MAX_TEXT|MIN_YEAR|MIN_ISO|INSURANCE(?:_PATTERN)?|SEX\w*) *="
        found += [(path.name, m) for m in re.findall(pattern, text)]
        found += [(path.name, "{10,15}")] * text.count("{10,15}")
    assert found == [("row.py", "MAX_TEXT"), ("row.py", "MIN_YEAR"), ("row.py", "MIN_ISO"),
                     ("row.py", "INSURANCE_PATTERN"), ("row.py", "INSURANCE"), ("row.py", "SEX_CODES"),
                     ("row.py", "{10,15}")]


def test_stored_columns_derive_from_the_csv_columns():
    assert row.STORED_COLUMNS == (
        "rkey", "id_number", "old_id_number", "full_name", "name_key", "date_of_birth", "dob_precision", "sex",
        "place_of_origin", "residence", "ethnicity", "religion", "card_issue_date", "card_expiry_date",
        "insurance_code", "insurance_valid_from", "insurance_valid_to", "insurance_facility",
        "content_hash", "updated_at",
    )
    assert row.frame_schema().keys() == {*row.STORED_COLUMNS, "ord"}


def test_resident_round_trip_and_hash():
    r = Resident(id_number=None, old_id_number="123456789", full_name="Lê Văn Tám", date_of_birth=date(1948, 1, 1),
                 sex=Sex.MALE, residence="Hà Nội", card_issue_date=date(2021, 3, 4),
                 insurance_code="DN4010123456789", dob_precision=DobPrecision.YEAR)
    stored = row.resident_to_row(r, "2026-01-01T00:00:00+00:00")
    assert stored == ("C123456789", None, "123456789", "Lê Văn Tám", "le van tam", "1948-01-01", "year", "M",
                      None, "Hà Nội", None, None, "2021-03-04", None, "DN4010123456789", None, None, None,
                      row.content_hash((None, "123456789", "Lê Văn Tám", "1948", "M", None, "Hà Nội", None, None,
                                        "2021-03-04", None, "DN4010123456789", None, None, None)),
                      "2026-01-01T00:00:00+00:00")
    back = row.row_to_resident(stored)
    assert back.to_dict() == {**r.to_dict(), "updated_at": "2026-01-01T00:00:00+00:00"}


def _registry_imports() -> dict[str, set[str]]:
    """Module -> registry modules it imports, lazy (function-level) imports included."""
    graph: dict[str, set[str]] = {}
    for name in ALL:
        module = "cardkit.registry." + name.removesuffix(".py").replace("/", ".").removesuffix(".__init__")
        deps = graph.setdefault(module, set())
        for node in ast.walk(_tree(name)):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("cardkit.registry"):
                deps |= {f"{node.module}.{a.name}" for a in node.names} if node.module in PACKAGES \
                    else {node.module}
            elif isinstance(node, ast.Import):
                deps |= {a.name for a in node.names if a.name.startswith("cardkit.registry.")}
    return graph


def test_no_import_circle_in_the_registry():
    graph = _registry_imports()
    assert graph["cardkit.registry.fastrow"] >= {"cardkit.registry.row"}
    assert "cardkit.registry.store" not in graph["cardkit.registry.fastrow"]
    cycles = []

    def visit(node: str, path: list[str]) -> None:
        for dep in graph.get(node, ()):
            if dep in path:
                cycles.append(path[path.index(dep):] + [dep])
            elif dep in graph:
                visit(dep, path + [dep])

    for start in graph:
        visit(start, [start])
    assert cycles == []


# -- a column added to (a copy of) the declaration is honoured by every checker -------------------
TODAY = date(2025, 6, 30)
BASE = {"id_number": "001090012345", "full_name": "Lê Văn An", "date_of_birth": "1990-02-03", "sex": "Nam"}
EMAIL = row.Field("email", row.Kind.CODE, code=r"[a-z]+@[a-z]+\.vn", normalise=str.lower,
                  label_vi="Thư điện tử", form="an e-mail address")
NICKNAME = row.Field("nickname")  # a plain text column
DECLARATION = (*row.FIELDS, EMAIL, NICKNAME)


def _fast(record: dict) -> list | None:
    return FastRules(DECLARATION).cells(tuple(record.get(f.name, "") for f in DECLARATION), TODAY.isoformat())


def _mask(records: list[dict]) -> list[bool]:
    df = pl.DataFrame({f.name: [r.get(f.name) or None for r in records] for f in DECLARATION},
                      schema={f.name: pl.String for f in DECLARATION})
    cols = {f.name: pl.col(f.name) for f in DECLARATION}
    return df.select(fast_mask(cols, TODAY.isoformat(), DECLARATION).alias("ok"))["ok"].to_list()


def test_an_added_column_is_checked_by_the_general_parser():
    got = check_record({**BASE, "email": "An@Hue.vn", "nickname": " Tí  Nị "}, TODAY, DECLARATION)
    assert (got["email"], got["nickname"]) == ("an@hue.vn", "Tí Nị")
    with pytest.raises(InputError) as err:
        check_record({**BASE, "email": "an at hue"}, TODAY, DECLARATION)
    assert (str(err.value), err.value.message_vi) == ("email: not an e-mail address", "Thư điện tử không hợp lệ")
    with pytest.raises(InputError) as err:
        check_record({**BASE, "nickname": "x" * (row.MAX_TEXT + 1)}, TODAY, DECLARATION)
    assert str(err.value) == "nickname: text too long"


def test_an_added_column_is_checked_by_both_fast_paths():
    clean = {**BASE, "email": "an@hue.vn", "nickname": "Tí Nị"}
    cells = _fast(clean)
    assert cells is not None and cells[-2:] == ["an@hue.vn", "Tí Nị"]
    # Not in the stored form (the general parser decides: normalises or rejects): both fast paths give up.
    odd = [{**clean, "email": "An@Hue.vn"}, {**clean, "email": "an at hue"}, {**clean, "nickname": " Tí"},
           {**clean, "nickname": "Tí  Nị"}, {**clean, "nickname": "x" * (row.MAX_TEXT + 1)}]
    assert [_fast(r) for r in odd] == [None] * len(odd)
    assert _mask([clean, *odd, {**clean, "email": "", "nickname": ""}]) == [True, *[False] * len(odd), True]
