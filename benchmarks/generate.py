"""Seeded generator of realistic MBR intake logs for the benchmarks.

    python benchmarks/generate.py 50000            # benchmarks/data/log-50000.{xlsx,csv}
    python benchmarks/generate.py 2000 --yaml      # ... and a folder of YAML entries

The rows look like samples/intake.xlsx: a title row and a blank row above an
alias header ("Submitted by", "Section"), real date cells spread over six
years (a few typed as text), categories written the way people type them,
and about one row in five carrying a mistake a rule reports (too long or too
short, a missing field, an unknown team or category, an unreadable date,
an undefined acronym, a vague word, a date in the future).

Output depends only on N and the seed, so two runs give the same data.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
from collections.abc import Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
CONFIG = HERE / "mbr.toml"  # the sample org's config, without roster/sources
TODAY = dt.date(2026, 11, 27)
FIRST_DAY = dt.date(2021, 1, 1)
HEADERS = (
    "Date", "Submitted by", "Team", "Section", "Customer",
    "Headline", "Summary", "Service", "Metric", "Link",
)
TITLE = "Field Engineering EMEA — MBR intake"

AUTHORS = (
    ("Priya Raman", "Enterprise East"), ("Marcus Webb", "Enterprise West"),
    ("Aisha Bello", "Digital Natives"), ("Ewan MacLeod", "Public Sector"),
    ("Sofia Lindqvist", "Enterprise West"), ("Chloé Martin", "Digital Natives"),
    ("Henrik Sørensen", "Public Sector"), ("Daniel Okafor", "Enterprise East"),
    ("Lena Fischer", "Enterprise East"), ("Tomás Herrera", "Digital Natives"),
)
SECTIONS = (
    "Win", "Wins", "win", "Customer Impact", "customer impact", "Launch", "Go-live",
    "Lowlight", "Risk", "Ask", "Highlight",
)
CUSTOMERS = (
    "Northwind Logistics", "Litware Bank", "Relecloud", "Northmere City Council",
    "Woodgrove Bank", "Southridge Video", "Coho Winery", "Margie's Travel",
    "Fabrikam Health", "Contoso Retail", "Tailspin Toys", "Adatum Energy",
)
CUSTOMER_KINDS = ("Logistics", "Bank", "Health", "Energy", "Retail", "Insurance", "Media",
                  "Foods", "Telecom", "Council", "University", "Airlines")
SERVICES = (
    "Amazon EKS", "Amazon Aurora", "Amazon CloudFront", "AWS Lambda", "Amazon S3",
    "Amazon DynamoDB", "Amazon Redshift", "AWS Glue", "Amazon SageMaker",
)
VERBS = ("moved", "rebuilt", "migrated", "consolidated", "re-platformed", "automated")
WORKLOADS = (
    "its route-planning service", "its card-authorisation platform", "its live-event pipeline",
    "its parking-permit service", "its data warehouse", "its customer portal",
    "its nightly batch jobs", "its recommendation engine",
)
OUTCOMES = (
    "Nightly batch runs now finish in {a} minutes instead of {b} hours.",
    "Monthly infrastructure spend fell from ${b}k to ${a}k.",
    "Start-up latency at p99 fell from {b}0 ms to {a} ms during peak hours.",
    "Call-centre volume fell by {a}% in the first {b} weeks.",
    "The team closed {a} support tickets in {b} days without a single escalation.",
    "Deployment time dropped from {b} hours to {a} minutes per release.",
)
FOLLOW_UPS = (
    "The next {b} workloads move in Q{q}.",
    "The customer plans to extend the design to {b} more business units next year.",
    "Our team runs a review with the customer's architects on {d}.",
    "A three-year renewal worth ${b}.{a}M is under discussion.",
    "{name} goes live for the {city} office on {d}.",
)
ROOT_CAUSES = (
    "The root cause was a connection pool sized for the primary region only.",
    "It was caused by an expired certificate on the internal load balancer.",
    "",  # a lowlight without its root cause: MBR201
)


def rows(count: int, seed: int = 2026) -> Iterator[tuple[object, ...]]:
    """`count` rows in HEADERS order, as cell values (dates as dt.date)."""
    rng = random.Random(seed)
    span = (TODAY - FIRST_DAY).days
    recent: list[tuple[object, str, str, str, str, str, str]] = []
    for number in range(count):
        author, team = rng.choice(AUTHORS)
        section = rng.choice(SECTIONS)
        customer = (
            rng.choice(CUSTOMERS)
            if rng.random() < 0.3
            else f"{_name(rng)} {rng.choice(CUSTOMER_KINDS)}"
        )
        service = rng.choice(SERVICES)
        day = FIRST_DAY + dt.timedelta(days=rng.randrange(span))
        summary = _summary(rng, customer, service, section)
        headline = f"{customer} {rng.choice(VERBS)} {rng.choice(WORKLOADS)[4:]} to {service}"
        date: object = day
        mistake = rng.random()
        if recent and mistake < 0.01:  # pasted again (MBR005), sometimes edited (MBR006)
            date, author, team, section, customer, headline, summary = rng.choice(recent)
            if rng.random() < 0.5:
                summary += " Figures were updated on Friday."
        elif mistake < 0.21:
            date, author, team, section, summary = _mistake(
                rng, number, date, author, team, section, summary
            )
        elif rng.random() < 0.03:
            date = day.strftime("%d %b %Y")  # typed as text: dateparser's path
        recent = [*recent[-20:], (date, author, team, section, customer, headline, summary)]
        link = f"https://wiki.example.com/fe-emea/{number}" if rng.random() < 0.4 else ""
        metric = f"{rng.randrange(5, 80)}% lower spend" if rng.random() < 0.5 else ""
        yield (date, author, team, section, customer, headline, summary, service, metric, link)


SYLLABLES = ("kes", "tral", "mo", "ri", "van", "del", "sor", "pa", "lin", "quo", "bex", "ter",
             "na", "gor", "fi", "lum", "ost", "ra", "cen", "dax")
CITIES = ("Leeds", "Lyon", "Gdansk", "Porto", "Malmö", "Utrecht", "Brno", "Cork", "Turin",
          "Graz", "Bilbao", "Aarhus", "Ghent", "Tartu", "Split", "Nantes")
OUTCOME_SENTENCES = (
    *OUTCOMES,
    "Error rates on the {name} checkout fell from {c}.{a}% to 0.{b}% of requests.",
    "The {city} data centre closes in {month}, {b} months ahead of plan.",
    "Engineers in {city} now ship {c} changes a week instead of {a}.",
    "Storage for the {name} archive shrank by {c} TB after tiering.",
    "The {name} pilot served {c},{a}00 users in {city} without an incident.",
    "Support costs fell by ${c}k a quarter once the {name} runbooks were automated.",
)
SHORT = (
    "Good progress on {name} this month.",
    "{name} is on track, {n} tasks left.",
    "Kicked off {name} with the customer.",
    "{name}: waiting for sign-off ({n} days).",
)
FIRST_NAMES = ("Ana", "Bram", "Chidi", "Dana", "Elif", "Femi", "Greta", "Hugo", "Ines", "Jonas",
               "Kaja", "Luis", "Mira", "Nils", "Oona", "Pavel", "Rosa", "Sami", "Tove", "Yara")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")


def _name(rng: random.Random) -> str:
    """A project code name: real logs are full of words no other entry uses."""
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randrange(2, 4))).capitalize()


def _summary(rng: random.Random, customer: str, service: str, section: str) -> str:
    def fill(template: str) -> str:
        return template.format(
            a=rng.randrange(12, 99), b=rng.randrange(2, 9), c=rng.randrange(100, 9999),
            q=rng.randrange(1, 5), d=f"{rng.randrange(1, 29)} {rng.choice(MONTHS)}",
            name=_name(rng), city=rng.choice(CITIES), month=rng.choice(MONTHS),
        )

    weeks = rng.randrange(2, 19)
    parts = [
        f"{customer} {rng.choice(VERBS)} {rng.choice(WORKLOADS)} ({_name(rng)}) to {service} "
        f"in {weeks} weeks.",
        *(fill(t) for t in rng.sample(OUTCOME_SENTENCES, rng.randrange(2, 4))),
        fill(rng.choice(FOLLOW_UPS)),
        # Real entries name people, systems and places no other entry names.
        f"{rng.choice(FIRST_NAMES)} {_name(rng)} led the work with the {_name(rng)} and "
        f"{_name(rng)} teams in {rng.choice(CITIES)}.",
        f"Ticket {rng.choice(SYLLABLES).upper()}-{rng.randrange(1000, 99999)} tracks the "
        f"{_name(rng).lower()} and {_name(rng).lower()} changes.",
    ]
    if section in ("Lowlight",):
        parts.insert(1, rng.choice(ROOT_CAUSES))
    return " ".join(part for part in parts if part)


def _mistake(
    rng: random.Random, number: int, date: object, author: str, team: str,
    section: str, summary: str,
) -> tuple[object, str, str, str, str]:
    kind = rng.randrange(9)
    if kind == 0:  # MBR101 too long: a pasted status update
        summary = " ".join([summary] * 5)
    elif kind == 1:  # MBR102 too short
        summary = rng.choice(SHORT).format(name=_name(rng), n=rng.randrange(2, 40))
    elif kind == 2:  # MBR001 missing author
        author = ""
    elif kind == 3:  # MBR004 unknown team
        team = "Enterprise Est"
    elif kind == 4:  # MBR003 unknown category
        section = "Misc"
    elif kind == 5:  # MBR002 unreadable date
        date = f"sometime in week {number % 52}"
    elif kind == 6:  # MBR109 undefined acronym
        summary += " The QBR with the CCoE is booked."
    elif kind == 7:  # vague wording
        summary = "We basically helped a lot and things are going very well. " + summary
    else:  # MBR007 date after today
        date = TODAY + dt.timedelta(days=rng.randrange(1, 60))
    return date, author, team, section, summary


def write_xlsx(path: Path, count: int, seed: int = 2026) -> None:
    # A normal (not write-only) workbook, because only it writes <dimension>
    # before the rows as Excel and LibreOffice do; without it openpyxl scans
    # the whole sheet once more just to size it.
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Entries"
    sheet.append([TITLE])
    sheet.append([])
    sheet.append(list(HEADERS))
    for number, row in enumerate(rows(count, seed), start=4):
        sheet.append(row)
        if isinstance(row[0], dt.date):
            sheet.cell(number, 1).number_format = "d mmm yyyy"
    workbook.save(path)


def write_csv(path: Path, count: int, seed: int = 2026) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        for row in rows(count, seed):
            date = row[0].isoformat() if isinstance(row[0], dt.date) else row[0]
            writer.writerow((date, *row[1:]))


def write_yaml_folder(path: Path, count: int, seed: int = 2026) -> None:
    """One file per month, each a list of that month's entries."""
    import yaml

    keys = ("date", "author", "team", "category", "customer", "headline", "summary",
            "service", "metric", "link")
    by_month: dict[str, list[dict[str, str]]] = {}
    for row in rows(count, seed):
        date = row[0].isoformat() if isinstance(row[0], dt.date) else str(row[0])
        month = date[:7] if date[:4].isdigit() else "undated"
        entry = {key: str(value) for key, value in zip(keys, (date, *row[1:]), strict=True)
                 if value != ""}
        by_month.setdefault(month, []).append(entry)
    path.mkdir(parents=True, exist_ok=True)
    for month, entries in by_month.items():
        text = yaml.safe_dump(entries, allow_unicode=True, sort_keys=False, width=100)
        (path / f"{month}.yaml").write_text(text, encoding="utf-8")


def ensure(count: int, kind: str, seed: int = 2026) -> Path:
    """The generated file (or folder) for `count` rows, written once and reused."""
    DATA.mkdir(exist_ok=True)
    if kind == "yaml":
        path = DATA / f"log-{count}-{seed}-yaml"
        if not path.is_dir():
            write_yaml_folder(path, count, seed)
        return path
    path = DATA / f"log-{count}-{seed}.{kind}"
    if not path.exists():
        partial = path.with_suffix(path.suffix + ".part")
        {"xlsx": write_xlsx, "csv": write_csv}[kind](partial, count, seed)
        partial.rename(path)
    return path


def saved_by_libreoffice(count: int, seed: int = 2026) -> Path | None:
    """The .xlsx log as a spreadsheet application saves it, or None without LibreOffice.

    openpyxl writes each cell's text inline; Excel, LibreOffice and Google
    Sheets keep it in one shared-string table, which readers handle
    differently. Converted once with LibreOffice headless and reused.
    """
    import shutil
    import subprocess
    import tempfile

    path = DATA / f"log-{count}-{seed}-libreoffice.xlsx"
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if path.exists() or soffice is None:
        return path if path.exists() else None
    source = ensure(count, "xlsx", seed)
    with tempfile.TemporaryDirectory() as scratch:
        subprocess.run(
            [soffice, f"-env:UserInstallation=file://{scratch}/profile", "--headless",
             "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", scratch, str(source)],
            check=True, capture_output=True, timeout=600,
        )  # fmt: skip
        shutil.move(Path(scratch) / source.name, path)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--yaml", action="store_true", help="also write a YAML folder")
    args = parser.parse_args()
    for kind in ("xlsx", "csv", *(("yaml",) if args.yaml else ())):
        print(ensure(args.count, kind, args.seed))


if __name__ == "__main__":
    main()
