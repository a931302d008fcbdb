# SPDX-License-Identifier: Apache-2.0
"""``with_`` is typed by a TypedDict of the dataclass's fields: the two name the same fields."""

from dataclasses import fields

from cardkit.apdu import CommandApdu, CommandChanges
from cardkit.person import PersonChanges, PersonData


def test_command_changes_name_every_field_of_the_apdu():
    assert set(CommandChanges.__annotations__) == {f.name for f in fields(CommandApdu)}
    assert CommandChanges.__required_keys__ == frozenset()


def test_person_changes_name_every_field_of_the_person():
    assert set(PersonChanges.__annotations__) == {f.name for f in fields(PersonData)}
    assert PersonChanges.__required_keys__ == frozenset()


def test_with_changes_only_what_it_is_given():
    cmd = CommandApdu(0x00, 0xB0, 0x00, 0x00, le=256)
    assert cmd.with_(le=0x20, extended=True) == CommandApdu(0x00, 0xB0, 0x00, 0x00, le=0x20, extended=True)
    assert PersonData(full_name="A", nationality="VN").with_(full_name="B") == PersonData(full_name="B", nationality="VN")
