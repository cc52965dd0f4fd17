"""Seeded fuzzing: damaged raw files (CSV and XLSX), CLI arguments and news text end in critmin errors.

Every case either succeeds or raises a :class:`~critmin.errors.CritminError`; any other exception is
a defect. The default run is a few thousand cases (seconds); the long mode is
``CRITMIN_FUZZ_CASES=25000`` (cases per family, split over its readers; 100,000 in all) with
``CRITMIN_FUZZ_SEED``.
"""

from __future__ import annotations

import io
import os
import random
import zipfile
from pathlib import Path

import pytest

from critmin.errors import CritminError

pytestmark = pytest.mark.slow  # the fast loop is pytest -m 'not slow'

SEED = int(os.environ.get("CRITMIN_FUZZ_SEED", "20261203"))
CASES = int(os.environ.get("CRITMIN_FUZZ_CASES", "0")) or None  # per family; None: the defaults below

BAD_VALUES = [
    "",
    " ",
    "nan",
    "NaN",
    "inf",
    "-inf",
    "1e308",
    "-1",
    "-0",
    "2024.6",
    "740311.6",
    "9" * 30,
    "ZZZ",
    "'",
    '"',
    '""',
    "\x00",
    "é",
    "\ufeff",
    "0x1F",
    ";",
    ",,,",
    "\t",
    "None",
    "null",
    "X" * 5000,
    "1,5",
    "١٢٣",
    "2024-13-45",
    "TRUE",
]


def _cases(default: int) -> int:
    return CASES or default


# --------------------------------------------------------------------------- mutations
def mutate_text(data: bytes, rng: random.Random) -> tuple[str, bytes]:
    """One damaged copy of a CSV file's bytes and the name of the damage."""
    lines = data.split(b"\n")
    kind = rng.choice(
        [
            "truncate",
            "flip",
            "insert",
            "field",
            "field",
            "field",
            "drop_column",
            "dup_line",
            "header_only",
            "empty",
            "utf16",
            "long_field",
            "shuffle_header",
            "blank_lines",
            "delimiter",
        ]
    )
    if kind == "truncate":
        return kind, data[: rng.randrange(len(data) + 1)]
    if kind == "flip":
        b = bytearray(data)
        for _ in range(rng.randint(1, 8)):
            if b:
                b[rng.randrange(len(b))] = rng.randrange(256)
        return kind, bytes(b)
    if kind == "insert":
        pos = rng.randrange(len(data) + 1)
        return kind, data[:pos] + bytes(rng.randrange(256) for _ in range(rng.randint(1, 16))) + data[pos:]
    if kind in ("field", "long_field"):
        if len(lines) < 2:
            return kind, data
        i = rng.randrange(1, len(lines))
        sep = b";" if lines[0].count(b";") > lines[0].count(b",") else b","
        fields = lines[i].split(sep)
        value = ("Y" * 20000) if kind == "long_field" else rng.choice(BAD_VALUES)
        fields[rng.randrange(len(fields))] = value.encode("utf-8")
        lines[i] = sep.join(fields)
        return kind, b"\n".join(lines)
    if kind == "drop_column":
        sep = b";" if lines[0].count(b";") > lines[0].count(b",") else b","
        head = lines[0].split(sep)
        if len(head) > 1:
            head.pop(rng.randrange(len(head)))
        lines[0] = sep.join(head)
        return kind, b"\n".join(lines)
    if kind == "dup_line":
        i = rng.randrange(len(lines))
        lines.insert(i, lines[i])
        return kind, b"\n".join(lines)
    if kind == "header_only":
        return kind, lines[0] + b"\n"
    if kind == "empty":
        return kind, b""
    if kind == "utf16":
        return kind, data.decode("utf-8", "replace").encode("utf-16")
    if kind == "shuffle_header":
        sep = b";" if lines[0].count(b";") > lines[0].count(b",") else b","
        head = lines[0].split(sep)
        rng.shuffle(head)
        lines[0] = sep.join(head)
        return kind, b"\n".join(lines)
    if kind == "blank_lines":
        return kind, b"\n\n\n".join(lines)
    return kind, data.replace(b",", b";")  # delimiter


def mutate_xlsx(data: bytes, rng: random.Random) -> tuple[str, bytes]:
    """One damaged copy of a workbook: damaged zip, or damaged XML parts inside a sound zip."""
    kind = rng.choice(
        [
            "truncate",
            "flip_file",
            "flip_xml",
            "flip_xml",
            "cut_xml",
            "drop_part",
            "value",
            "value",
            "value",
            "string",
            "garbage_part",
            "utf16_part",
            "bad_ref",
            "empty_sheet",
        ]
    )
    if kind == "truncate":
        return kind, data[: rng.randrange(len(data) + 1)]
    if kind == "flip_file":
        b = bytearray(data)
        for _ in range(rng.randint(1, 4)):
            b[rng.randrange(len(b))] = rng.randrange(256)
        return kind, bytes(b)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    xml = [n for n in parts if n.endswith(".xml") or n.endswith(".rels")]
    sheets = [n for n in parts if n.startswith("xl/worksheets/")] or xml
    target = rng.choice(
        sheets
        if kind in ("value", "bad_ref", "empty_sheet")
        else ["xl/sharedStrings.xml"]
        if kind == "string" and "xl/sharedStrings.xml" in parts
        else xml
    )
    body = parts[target]
    if kind == "flip_xml":
        b = bytearray(body)
        for _ in range(rng.randint(1, 6)):
            b[rng.randrange(len(b))] = rng.choice(b"<>&\"'/=\x00\xff ab1")
        parts[target] = bytes(b)
    elif kind == "cut_xml":
        parts[target] = body[: rng.randrange(len(body) + 1)]
    elif kind == "drop_part":
        del parts[target]
    elif kind in ("value", "string"):
        tag = b"<v>" if kind == "value" else b"<t"
        starts = [i for i in range(len(body)) if body.startswith(tag, i)][:2000]
        if starts:
            i = rng.choice(starts)
            j = body.find(b"<", i + 2)
            k = body.find(b">", i) + 1
            if j > k > 0:
                value = rng.choice(BAD_VALUES).replace("&", "&amp;").replace("<", "&lt;").replace("\x00", "")
                parts[target] = body[:k] + value.encode("utf-8") + body[j:]
    elif kind == "garbage_part":
        parts[target] = bytes(rng.randrange(256) for _ in range(rng.randint(0, 200)))
    elif kind == "utf16_part":
        parts[target] = body.decode("utf-8", "replace").encode("utf-16")
    elif kind == "bad_ref":
        parts[target] = body.replace(b' r="A', b' r="A99999999999', 1).replace(b' r="B', b' r="?', 1)
    elif kind == "empty_sheet":
        parts[target] = (
            b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
            b'spreadsheetml/2006/main"><sheetData/></worksheet>'
        )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, content in parts.items():
            z.writestr(name, content)
    return kind, out.getvalue()


# --------------------------------------------------------------------------- inputs
def _head_csv(path: Path, lines: int = 60) -> bytes:
    import gzip

    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as f:
        out = []
        for _ in range(lines):
            line = f.readline()
            if not line:
                break
            out.append(line)
    return b"".join(out)


def _small_workbook(path: Path, rows: int = 40) -> bytes:
    """The first ``rows`` rows of every sheet of a real workbook, as a new small workbook."""
    import openpyxl

    src = openpyxl.load_workbook(path, read_only=True, data_only=True)
    dst = openpyxl.Workbook()
    dst.remove(dst.active)
    for ws in src.worksheets:
        out = dst.create_sheet(ws.title)
        ws.reset_dimensions()  # some publishers' workbooks store a wrong dimension (NZ Customs: A1)
        for row in ws.iter_rows(max_row=rows, values_only=True):
            out.append(list(row))
    src.close()
    buf = io.BytesIO()
    dst.save(buf)
    return buf.getvalue()


def _csv_readers():
    from critmin.sources import baci, desta, fx, geodist, tariffs, tradestat, usgs, wits_mfn

    return {
        "baci/country_codes_V202601.csv": baci.read_country_codes,
        "desta/DESTA.csv": desta.read_desta,
        "fx/usd_to_xxx_by_month.csv": fx.read_fx,
        "cepii/dist_cepii.csv": geodist.read_dist,
        "cepii/geo_cepii.csv": geodist.read_geo,
        "usgs/MCS2026_Commodities_Data.csv": usgs.read_mcs,
        "wits/JobID-70504_MFN_H6_IND_2022.CSV": tariffs.read_wits_tariffs,
        "wits/JobID-70505_MFN_H6_IND_2023.CSV": wits_mfn.read_wits_mfn,
        "tradestat/india_imports_hs2603_by_partner_cy2024_cy2025.csv": tradestat.read_tradestat,
    }


def _xlsx_readers():
    from critmin.sources import nz_tariff, pinksheet, wgi, wto_rta

    return {
        "wgi/wgidataset.xlsx": wgi.read_wgi,
        "worldbank/CMO-Historical-Data-Monthly.xlsx": pinksheet.read_pinksheet,
        "wto/AllRTAs.xlsx": wto_rta.read_rtas,
        "nzcustoms/Tariff_Rates_May2021_v1.xlsx": nz_tariff.read_nz_tariff_rates,
    }


def _run(reader, path: Path, what: str, failures: list) -> None:
    try:
        reader(path)
    except CritminError as exc:
        if len(str(exc)) > 2_000:
            failures.append(f"{what}: message of {len(str(exc)):,} characters")
    except Exception as exc:  # noqa: BLE001 - the point of the test
        failures.append(f"{what}: {type(exc).__name__}: {str(exc)[:200]}")


def _report(failures: list, cases: int) -> None:
    assert not failures, f"{len(failures)} unhandled of {cases} cases; first: " + "\n".join(failures[:8])


# --------------------------------------------------------------------------- tests
def test_fuzz_csv_readers(mirror, tmp_path):
    rng = random.Random(SEED)
    readers = _csv_readers()
    seeds = {rel: _head_csv(mirror / rel) for rel in readers}
    failures: list[str] = []
    n = _cases(2000)
    for i in range(n):
        rel = rng.choice(sorted(readers))
        kind, data = mutate_text(seeds[rel], rng)
        path = tmp_path / f"{i % 8}" / Path(rel).name
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(data)
        _run(readers[rel], path, f"case {i} {rel} {kind}", failures)
    _report(failures, n)


@pytest.fixture(scope="module")
def small_workbooks(mirror):
    return {rel: _small_workbook(mirror / rel) for rel in _xlsx_readers()}


def test_fuzz_xlsx_readers(small_workbooks, tmp_path):
    rng = random.Random(SEED + 1)
    readers = _xlsx_readers()
    failures: list[str] = []
    n = _cases(600)
    for i in range(n):
        rel = rng.choice(sorted(readers))
        kind, data = mutate_xlsx(small_workbooks[rel], rng)
        path = tmp_path / f"{i % 8}" / Path(rel).name
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(data)
        _run(readers[rel], path, f"case {i} {rel} {kind}", failures)
    _report(failures, n)


CLI_COMMANDS = [
    ["trade", "--reporter", "{c}", "--year", "{y}"],
    ["dependence", "--reporter", "{c}", "--mineral", "{m}", "--year", "{y}"],
    ["production", "--mineral", "{m}", "--year", "{y}"],
    ["fta", "--reporter", "{c}", "--partner", "{c}", "--year", "{y}"],
    ["route", "--from", "{s}", "--to", "{s}"],
    ["negotiations", "-r", "{c}", "-p", "{c}"],
    ["data", "build", "{s}"],
]
CLI_VALUES = {
    "c": ["IND", "PER", "ind", "", "ZZZ", "India", "EU27", "X" * 300, "IND,IND", "-1", "'", "\x7f"],
    "y": [
        "2024",
        "2022",
        "99999999999999999999",
        "-99999999999999999999",
        "0",
        "-1",
        "2024.5",
        "abc",
        "",
        "1e9",
        "9999",
        "10000",
    ],
    "m": ["copper", "COPPER", "", "unobtainium", "cu", "lithium", "X" * 300, "rare earths"],
    "s": ["Callao", "", "nowhere", "baci", "--help", "X" * 300, "Visakhapatnam", "wgi,baci"],
}


def test_fuzz_cli_arguments(built_settings):
    """Every argument mix ends with exit code 0/1/2 and at most one line of error, never a traceback."""
    from typer.testing import CliRunner

    from critmin.cli import app
    from critmin.cli._common import check_year_args

    rng = random.Random(SEED + 2)
    runner = CliRunner()
    failures = []
    n = _cases(150)
    home = ["--home", str(built_settings.home)]
    for i in range(n):
        template = rng.choice(CLI_COMMANDS)
        args = [a.format(**{k: rng.choice(v) for k, v in CLI_VALUES.items()}) if "{" in a else a for a in template]
        if args[:2] == ["data", "build"]:
            args = ["data", "sources"]  # never rebuild the shared warehouse
        try:
            check_year_args(args)
        except CritminError:
            continue  # refused before the command runs (tested in test_reliability_cli)
        res = runner.invoke(app, args + home + ["--json"] if args[0] != "data" else args)
        exc = res.exception
        if exc is not None and not isinstance(exc, (CritminError, SystemExit, ValueError)):
            failures.append(f"case {i} {args}: {type(exc).__name__}: {str(exc)[:200]}")
    _report(failures, n)


def test_fuzz_news_text(tmp_path):
    """Random article text (signs, currencies, unknown names, long sentences) is extracted without error."""
    from critmin.domain.news import extract as news_extract
    from critmin.domain.news.clean import clean_text

    rng = random.Random(SEED + 3)
    words = [
        "India",
        "Peru",
        "Chile",
        "imports",
        "copper",
        "concentrate",
        "US$",
        "-1.2",
        "bn",
        "billion",
        "crore",
        "Rs",
        "%",
        "per cent",
        "2024",
        "FY2024-25",
        "fell",
        "rose",
        "to",
        "from",
        "Narnia",
        "—",
        "−3.5",
        "(",
        ")",
        ".",
        ",",
        "tonnes",
        "kt",
        "lakh",
        "FTA",
        "CEPA",
        "round",
        "signed",
        "\u200b",
        "١٢",
        "1e308",
        "inf",
        "nan",
        "-",
        "$",
        "USD",
    ]
    extract = news_extract.extract_facts
    failures = []
    n = _cases(400)
    for i in range(n):
        text = " ".join(rng.choice(words) for _ in range(rng.randint(0, 120)))
        try:
            extract(clean_text(text, article_id=f"fuzz{i}"))
        except CritminError:
            pass
        except Exception as exc:  # noqa: BLE001
            failures.append(f"case {i}: {type(exc).__name__}: {str(exc)[:200]} in {text[:120]!r}")
    _report(failures, n)
