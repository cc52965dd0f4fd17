"""One option vocabulary: the CLI, the services and the web API accept and reject the same values."""

from __future__ import annotations

import subprocess
import sys
from typing import get_args

import pytest

from critmin import vocabulary
from critmin.errors import ConfigError, OptionError


def test_every_vocabulary_is_its_literal():
    assert vocabulary.options("backend") == get_args(vocabulary.Backend) == ("duckdb", "pyspark")
    assert vocabulary.options("stage") == get_args(vocabulary.Stage)
    for name, values in vocabulary.VOCABULARIES.items():
        assert values and len(set(values)) == len(values), name


def test_check_names_the_option_the_value_and_the_choices():
    assert vocabulary.check("method", "geodep") == "geodep"
    with pytest.raises(OptionError, match=r"^unknown method 'jrc'; expected eu, geopolrisk or geodep$"):
        vocabulary.check("method", "jrc")
    assert issubclass(OptionError, ConfigError)  # a bad option is a settings error: exit 2, HTTP 400


def test_the_shared_types_are_the_vocabulary():
    from critmin.classify import products
    from critmin.engine import BACKENDS
    from critmin.periods import Basis
    from critmin.services import criticality, gravity

    assert BACKENDS == vocabulary.options("backend")
    assert products.Stage is vocabulary.Stage and Basis is vocabulary.PeriodBasis
    assert criticality.METHODS == vocabulary.options("method") and gravity.COST_MODELS == vocabulary.options("costs")


@pytest.mark.parametrize(
    "args, message",
    [
        (["criticality", "--method", "jrc"], "unknown method 'jrc'; expected eu, geopolrisk or geodep"),
        (["criticality", "--parameters", "eu2020"], "unknown parameters 'eu2020'; expected eu2023 or eu2017"),
        (["dependence", "-r", "IND", "--mineral", "copper", "--backend", "polars"], "unknown backend 'polars'"),
    ],
)
def test_cli_rejects_a_mistyped_option_in_one_line(built_settings, args, message):
    out = subprocess.run(
        [sys.executable, "-m", "critmin", *args, "--home", str(built_settings.home)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 2 and message in out.stderr, out.stderr
    assert "Traceback" not in out.stderr and len(out.stderr.strip().splitlines()) == 1


def test_cli_help_lists_the_vocabulary():
    out = subprocess.run(
        [sys.executable, "-m", "critmin", "criticality", "--help"], capture_output=True, text=True, timeout=60
    )
    assert "eu2023 or eu2017" in " ".join(out.stdout.split())
