"""Every workbook the CLI writes prints: rendered by LibreOffice, no page is blank, each
tornado party block is one page, no histogram of a party that does not vary (issue 13, 4)."""

import shutil
import subprocess

import openpyxl
import pytest

from finmodel.cli import main
from finmodel.studies.compare import DEFAULT_SET

needed = [shutil.which(t) for t in ("soffice", "pdftotext", "pdfinfo")]
pytestmark = pytest.mark.skipif(
    not all(needed), reason="LibreOffice (soffice) and poppler-utils (pdftotext) not installed"
)

COMMANDS = [
    ["run"],
    ["sweep", "--vary", "vehicles.us_led_fund.return.rate=0.04:0.12:0.02"],
    ["simulate", "-n", "200", "--seed", "3"],
    ["tornado"],
    ["compare"],  # both baselines and every shipped reading
]


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory):
    out = tmp_path_factory.mktemp("printed")
    for args in COMMANDS:
        assert main([*args, "--out", str(out)]) == 0
    profile = f"-env:UserInstallation=file://{out / 'lo_profile'}"
    for xlsx in sorted(out.glob("*.xlsx")):
        command = ["soffice", profile, "--headless", "--convert-to", "pdf", "--outdir", str(out)]
        subprocess.run([*command, str(xlsx)], check=True, capture_output=True, timeout=600)
    return out


def _pages(pdf) -> list[str]:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    n = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages")))
    pages = []
    for i in range(1, n + 1):
        command = ["pdftotext", "-f", str(i), "-l", str(i), str(pdf), "-"]
        pages.append(subprocess.run(command, capture_output=True, text=True).stdout)
    return pages


@pytest.mark.parametrize(
    "name", ["base", "base.sweep", "base.simulation", "base.tornado", "compare"]
)
def test_no_page_is_blank(pdfs, name):
    pages = _pages(pdfs / f"{name}.pdf")
    assert pages
    for i, text in enumerate(pages, start=1):
        assert len("".join(text.split())) >= 20, f"{name}.pdf page {i} is blank"


def test_each_tornado_party_prints_on_its_own_page(pdfs):
    # five parties in the base case, each table with its chart below it on one page
    pages = _pages(pdfs / "base.tornado.pdf")
    assert len(pages) == 5
    for page, name in zip(pages, ["United States", "Ukraine", "Russia", "EU and European",
                                  "World Bank"]):  # fmt: skip
        assert f"NPV of {name}" in page


def test_no_histogram_of_a_party_that_does_not_vary(pdfs):
    # the World Bank lends nothing in the base case: its NPV is 0 in every scenario
    ws = openpyxl.load_workbook(pdfs / "base.simulation.xlsx")["Histograms"]
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert any(t.startswith("No histogram for") and "World Bank (IBRD)" in t for t in texts)
    assert "World Bank (IBRD)" not in texts  # no block titled with its name


#: Pages of each workbook, printed: at most these (measured after the Assumptions and
#: per-reading sheets were fitted to the page's width and no sheet left a few rows on a page
#: of their own: base 156, compare 129 with 14 readings; before, 179 and 397; with the plant's
#: units, the reconstruction table and a 15th reading, base 160 and compare 165; with the
#: Inputs sheet's rows named in words before their key paths, some on two lines, base 171).
#: compare.xlsx has a sheet per reading: twelve pages a reading of compare's default set.
PAGE_BOUNDS = {"base": 180, "compare": 12 * len(DEFAULT_SET)}


@pytest.mark.parametrize("name", ["base", "compare"])
def test_no_page_is_nearly_blank(pdfs, name):
    # before: a Calc sheet's last two rows (IRR, NPV: 45-50 characters) printed alone on a
    # page, and the Checks sheet's last row too; a page of a table holds hundreds
    for i, text in enumerate(_pages(pdfs / f"{name}.pdf"), start=1):
        assert len("".join(text.split())) >= 200, f"{name}.pdf page {i} is nearly blank"


@pytest.mark.parametrize("name", sorted(PAGE_BOUNDS))
def test_page_count_is_bounded(pdfs, name):
    assert len(_pages(pdfs / f"{name}.pdf")) <= PAGE_BOUNDS[name]


def test_no_compare_chart_is_split_by_a_page_break(pdfs):
    # each chart of the Compare sheet starts a page: that page holds its title, every
    # reading's label and the legend's last entry, so none of it went to the next page
    import finmodel

    names = [finmodel.load(s).name for s in DEFAULT_SET]
    pages = _pages(pdfs / "compare.pdf")
    # a page that starts with a chart's title (LibreOffice also puts a chart's text, unseen,
    # in the text of the page before it, which therefore cannot tell)
    charted = [p for p in pages if p.strip().startswith("Change in each party's")]
    assert len(charted) == 2
    for page in charted:
        words = set(page.split())
        assert all(n in words for n in names), [n for n in names if n not in words]
        assert "investors" in words  # "Private investors", the legend's last entry

