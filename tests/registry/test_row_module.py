# SPDX-License-Identifier: Apache-2.0
"""The stored row has one owner (cardkit.registry.row): the other registry modules take its
columns and rules from there, so a plain text column is added in the row's declaration
(models.CSV_COLUMNS + Resident), the schema migration and the tests, and nowhere else."""

from __future__ import annotations

import ast
import re
from datetime import date
from pathlib import Path

import pytest

from cardkit.person import DobPrecision, Sex
from cardkit.registry import row
from cardkit.registry.models import CSV_COLUMNS, Resident

REGISTRY = Path(row.__file__).parent
PACKAGES = ("cardkit.registry", "cardkit.registry.load")
# The modules that may name every column: the row's declaration and the schema migrations. The
# others on the import/write path may only name columns that carry a rule of their own.
OWNERS = {"row.py", "models.py", "schema.py"}
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


@pytest.mark.parametrize("name", [*WRITE_PATH, "row.py", "models.py"])
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
        found += [(path.name, m) for m in re.findall(r"(?m)^_?(MAX_TEXT|MIN_YEAR|MIN_ISO|INSURANCE(?:_PATTERN)?|SEX\w*) *=", text)]
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
