"""Scenario names that would make reports nobody can open: another command's files, or a device
name on Windows."""

from __future__ import annotations

import pytest

import finmodel


@pytest.fixture(scope="module")
def base():
    return finmodel.load("base")


@pytest.mark.parametrize("name", ["CON", "con", "Nul.v2", "com1", "LPT9", "aux.reading"])
def test_a_windows_device_name_is_refused(base, name):
    with pytest.raises(finmodel.InputError, match="names a device on Windows"):
        finmodel.with_overrides(base, {"name": name})


@pytest.mark.parametrize("name", ["console", "com10", "lpt0", "nul_reading", "my.con"])
def test_names_that_only_look_like_devices_are_fine(base, name):
    assert finmodel.with_overrides(base, {"name": name}).name == name
