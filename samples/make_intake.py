"""Write samples/intake.xlsx: the shared intake spreadsheet of a fictional org.

    python samples/make_intake.py            # rewrites samples/intake.xlsx
    python samples/make_intake.py OUT.xlsx   # writes a copy elsewhere

The sheet looks like one a team really keeps: a title row and a blank row
above the header, alias headers ("Submitted by", "Section"), categories
written the way people type them, and real date cells. August and September
were cleaned up when their reports were compiled; October, the month a new
user compiles first, still holds the mistakes contributors make. Each one is
marked `# Deliberate:` below with the rule it should trigger.

The output is deterministic: workbook timestamps and zip entry times are
pinned, so re-running the script gives a byte-identical file and no diff.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import sys
import zipfile
from dataclasses import astuple, dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

HERE = Path(__file__).resolve().parent
DEFAULT_OUTPUT = HERE / "intake.xlsx"

# Every timestamp the file carries, so re-running changes nothing.
PINNED_TIME = dt.datetime(2026, 11, 2, 9, 0, 0)

SHEET = "Entries"
TITLE = "Field Engineering EMEA — MBR intake"
HEADERS = (
    "Date",
    "Submitted by",  # alias of `author`
    "Team",
    "Section",  # alias of `category`
    "Customer",
    "Headline",
    "Summary",
    "Service",
    "Metric",
    "Link",
)
HEADER_ROW = 3  # row 1 is the title, row 2 is blank
SUMMARY_COLUMN = HEADERS.index("Summary") + 1
COLUMN_WIDTHS = (13, 18, 17, 16, 26, 44, 90, 30, 28, 46)
DATE_FORMAT = "d mmm yyyy"

EAST, WEST, NATIVES, PUBLIC = (
    "Enterprise East",
    "Enterprise West",
    "Digital Natives",
    "Public Sector",
)
WIKI = "https://wiki.example.com/fe-emea/"


@dataclass(frozen=True)
class Row:
    date: dt.date | str  # a string is what someone typed into the cell as text
    author: str
    team: str
    section: str
    customer: str
    headline: str
    summary: str
    service: str = ""
    metric: str = ""
    link: str = ""


D = dt.date

# The Southridge Video win, pasted into the sheet twice by its author.
_SOUTHRIDGE_WIN = Row(
    D(2026, 10, 19), "Chloé Martin", NATIVES, "Win", "Southridge Video",
    "Southridge Video stays on AWS with storage-tier plan",
    "Southridge Video accepted our storage-tier plan and turned down the competing offer on "
    "14 October. Moving 4.1 PB of older titles to S3 Glacier Instant Retrieval cuts its "
    "monthly storage bill by 35%, from $200k to $130k. Southridge Video also signed a 3-year "
    "renewal worth $5.2M. The first 1 PB of titles moves this month.",
    "Amazon S3", "35% lower storage bill", WIKI + "southridge-storage-tiers",
)

ROWS: tuple[Row, ...] = (
    # ---- August 2026 ---------------------------------------------------------------
    Row(
        D(2026, 8, 4), "Priya Raman", EAST, "Win", "Northwind Logistics",
        "Northwind moves route planning to Amazon EKS",
        "Northwind Logistics moved its route-planning service from an on-premises "
        "virtualisation cluster to Amazon EKS in 6 weeks. The new platform scales out for the "
        "evening dispatch peak and back in overnight. Nightly batch runs now finish in 40 "
        "minutes instead of 3 hours, so drivers get routes before the 05:00 shift start. "
        "Monthly infrastructure spend fell from $84k to $52k, a 38% cut.",
        "Amazon EKS", "38% lower monthly spend", WIKI + "northwind-eks",
    ),
    Row(
        D(2026, 8, 6), "Marcus Webb", WEST, "Wins", "Litware Bank",
        "Litware Bank renews its three-year commitment",
        "Litware Bank signed a three-year Enterprise Discount Program (EDP) renewal worth "
        "$4.8M, up from $3.1M in the previous term. The increase funds the move of its "
        "card-authorisation platform to Amazon Aurora in 2027. Procurement closed in 5 weeks "
        "because the account team shared a cost model with the bank's finance office in June. "
        "This is the largest renewal in EMEA this year.",
        "Amazon Aurora", "$4.8M over 3 years",
    ),
    Row(
        D(2026, 8, 11), "Aisha Bello", NATIVES, "customer impact", "Relecloud",
        "Relecloud cuts streaming start-up latency for live events",
        "Relecloud rebuilt its live-event video pipeline on Amazon CloudFront and AWS "
        "Elemental MediaLive. Start-up latency at p99 fell from 480 ms to 120 ms during the "
        "football final, which drew 1.2 million viewers. Rebuffering dropped from 2.1% to 0.4% "
        "of sessions. Relecloud's product team credits the change for a 9-point rise in CSAT "
        "scores.",
        "Amazon CloudFront", "p99 480 ms -> 120 ms",
    ),
    Row(
        D(2026, 8, 13), "Ewan MacLeod", PUBLIC, "Launch", "Northmere City Council",
        "Northmere launches its online parking-permit service",
        "Northmere City Council launched its online parking-permit service on AWS Lambda and "
        "Amazon DynamoDB on 12 August. Residents renewed 14,200 permits in the first 10 days, "
        "and call-centre volume for permits fell by 61%. The service costs the council $1,900 "
        "a month to run, against $11,000 for the hosted system it replaced. The council plans "
        "to move 4 more permit types onto the same design in Q1.",
        "AWS Lambda", "14,200 permits in 10 days", WIKI + "northmere-permits",
    ),
    Row(
        D(2026, 8, 18), "Sofia Lindqvist", WEST, "Lowlight", "Woodgrove Bank",
        "Woodgrove payments outage during a failover test",
        "Woodgrove Bank's payments API was unavailable for 47 minutes on 14 August during a "
        "planned failover test. The root cause was a database connection pool sized for the "
        "primary region only, so the standby region ran out of connections. Woodgrove Bank "
        "missed its 99.95% monthly availability target. Our team has reviewed the failover "
        "runbook with the bank and will join the next test on 22 September.",
        "Amazon RDS", "47 minutes unavailable",
    ),
    Row(
        D(2026, 8, 20), "Jonas Meyer", NATIVES, "Risk", "Wingtip Toys",
        "Wingtip Toys peak-season capacity at risk",
        "Wingtip Toys expects 5x normal traffic during its November sale but has not load-tested "
        "its new checkout service. Last year the checkout failed for 35 minutes at peak, costing "
        "an estimated $600k in lost orders. We have offered an Infrastructure Event Management "
        "review and a joint load test in September. If the test slips past 30 September, the "
        "team will not have time to fix what it finds.",
        "Amazon ECS", "$600k lost at last peak",
    ),
    Row(
        D(2026, 8, 25), "Henrik Sørensen", PUBLIC, "Ask", "Kestrel Transport Authority",
        "Credits for a Kestrel data platform proof of concept",
        "We ask leadership to approve $45k in proof-of-concept credits for Kestrel Transport "
        "Authority. Kestrel wants to combine ticketing and sensor data from 320 stations in an "
        "Amazon Redshift data warehouse. A successful 8-week pilot opens a tender worth $2.3M "
        "over 3 years, which closes in January. Kestrel's CIO has named an internal sponsor and "
        "a data engineering lead.",
        "Amazon Redshift", "$2.3M tender",
    ),
    Row(
        D(2026, 8, 27), "Rui Costa", EAST, "Win", "Contoso Health Ltd",
        "Contoso Health moves backups from tape to Amazon S3",
        "Contoso Health moved backups for 212 clinical systems from tape to Amazon S3 Glacier "
        "Deep Archive. Restore tests for the 20 top-priority systems now complete in under 4 "
        "hours, against 3 days before. Annual backup cost drops by $310k once the tape contract "
        "ends in December. The hospital group's auditors have accepted the new design for its "
        "2026 compliance review.",
        "Amazon S3", "$310k a year",
    ),
    Row(
        D(2026, 8, 28), "Chloé Martin", NATIVES, "Highlight", "Fourth Coffee",
        "Fourth Coffee loyalty app moves to Graviton",
        "Fourth Coffee moved its loyalty app back end from x86 instances to AWS Graviton on "
        "Amazon ECS. The move took 3 sprints and needed no code changes beyond rebuilding the "
        "container images. Compute cost fell by 27%, saving $14k a month, and median response "
        "time improved from 95 ms to 70 ms. The team now plans to move its data pipelines next.",
        "AWS Graviton", "27% lower compute cost",
    ),
    Row(
        D(2026, 8, 31), "Tomasz Nowak", EAST, "Customer Impact", "Fabrikam Energy",
        "Fabrikam forecasts wind output with SageMaker",
        "Fabrikam Energy now forecasts output for its 14 wind farms with models trained on "
        "Amazon SageMaker. Forecast error for the day-ahead market fell from 11% to 6.5%. "
        "Lower imbalance penalties save Fabrikam Energy an estimated $2.1M a year. The data "
        "science team retrains the models weekly from 8 years of turbine and weather data held "
        "in Amazon S3.",
        "Amazon SageMaker", "$2.1M a year",
    ),
    # ---- September 2026 ------------------------------------------------------------
    Row(
        D(2026, 9, 2), "Leila Haddad", EAST, "win", "Alpine Ski House",
        "Alpine Ski House booking platform migrated",
        "Alpine Ski House migrated its booking platform and 9 TB of customer data to AWS ahead "
        "of the winter season. The cutover took 3 hours on a Sunday night with no lost "
        "bookings. The new platform on Amazon Aurora handles 4,000 bookings a minute in load "
        "tests, double last season's peak. Hosting costs fall by $220k a year once the old data "
        "centre lease ends in March.",
        "Amazon Aurora", "$220k a year", WIKI + "alpine-migration",
    ),
    Row(
        D(2026, 9, 4), "Daniel Okafor", WEST, "Customer Impact", "Adventure Works Retail",
        "Adventure Works cuts online fraud losses",
        "Adventure Works Retail put Amazon Fraud Detector in front of its online checkout in "
        "July. Chargeback losses fell from $410k to $150k a month in August, a 63% reduction. "
        "False declines of genuine orders dropped to 0.8%, below the 1% limit the payments team "
        "set. Adventure Works Retail now wants to apply the same models to its store-card "
        "applications.",
        "Amazon Fraud Detector", "63% lower chargeback losses",
    ),
    Row(
        D(2026, 9, 8), "Fatima El Idrissi", PUBLIC, "Launches", "Lakeside Health Board",
        "Lakeside Health Board opens a patient contact centre",
        "Lakeside Health Board went live with an Amazon Connect contact centre for appointment "
        "booking on 1 September. The centre handled 38,000 calls in its first 2 weeks, and "
        "average wait time fell from 11 minutes to 3 minutes. Callers can now cancel or move "
        "appointments without an agent, which freed 14 staff for other work. Missed "
        "appointments dropped by 9% in the same period.",
        "Amazon Connect", "wait 11 -> 3 minutes",
    ),
    Row(
        D(2026, 9, 10), "Marcus Webb", WEST, "Risk", "Litware Bank",
        "Litware Bank mainframe exit depends on a vendor release",
        "Litware Bank's plan to retire its mainframe by June 2027 depends on a core-banking "
        "vendor release that has slipped twice. If the release misses December, the bank pays "
        "$1.6M for another year of mainframe support. We have set up a weekly call with the "
        "vendor and the bank's programme office. We are also testing a fallback that moves the "
        "batch jobs first and the online services later.",
        "", "$1.6M support cost",
    ),
    Row(
        D(2026, 9, 11), "Priya Raman", EAST, "Ask", "Northwind Logistics",
        "Specialists for the Northwind analytics rebuild",
        "We ask for 2 data analytics specialists for 6 weeks from 1 October to support "
        "Northwind Logistics. Northwind is rebuilding its shipment analytics on Amazon Redshift "
        "and AWS Glue and wants to retire 3 legacy reporting tools. The project adds an "
        "estimated $380k in annual consumption. Without specialist help, Northwind's own team "
        "cannot start until February, after its budget for the project expires.",
        "Amazon Redshift", "$380k a year",
    ),
    Row(
        D(2026, 9, 15), "Aisha Bello", NATIVES, "Wins", "Trey Research",
        "Trey Research picks AWS for its genomics pipeline",
        "Trey Research chose AWS for its genomics analysis pipeline after a 4-week proof of "
        "concept against 2 other providers. AWS Batch on Spot Instances processed a whole genome "
        "in 5.5 hours at $4.20 per sample, 45% below the next bid. The contract brings $1.2M ARR "
        "from January. Trey Research will process 60,000 samples in the first year.",
        "AWS Batch", "$1.2M ARR",
    ),
    Row(
        D(2026, 9, 17), "Ewan MacLeod", PUBLIC, "Lowlight", "Arden Tax Agency",
        "Arden Tax Agency migration paused for 3 weeks",
        "Arden Tax Agency paused the migration of its filing portal for 3 weeks in September. "
        "The pause was caused by a security accreditation finding: logs from 2 accounts were "
        "not sent to the agency's central archive. The team fixed the log routing with AWS "
        "Control Tower and passed the re-test on 24 September. The go-live moves from 1 October "
        "to 22 October, with no change to the budget.",
        "AWS Control Tower", "3-week delay",
    ),
    Row(
        D(2026, 9, 21), "Jonas Meyer", NATIVES, "Launch", "Proseware",
        "Proseware launches an AI writing assistant",
        "Proseware launched an AI writing assistant built on Amazon Bedrock to its 80,000 paying "
        "customers on 15 September. In the first week, 22% of active users tried it and 9% used "
        "it daily. Proseware plans to charge for the feature from January, adding an estimated "
        "$900k ARR. Our team helped design the guardrails that keep customer documents out of "
        "model training.",
        "Amazon Bedrock", "22% of users in week 1",
    ),
    Row(
        D(2026, 9, 23), "Sofia Lindqvist", WEST, "customer impact", "Woodgrove Bank",
        "Woodgrove Bank speeds up its month-end close",
        "Woodgrove Bank moved its month-end reconciliation jobs from an overnight batch window to "
        "AWS Step Functions and AWS Lambda. Month-end close now takes 2 days instead of 5, and "
        "the finance team no longer works weekends for it. The bank retired 40 servers and "
        "saves $190k a year in licences. Woodgrove Bank is using the same design for its "
        "regulatory reporting jobs.",
        "AWS Step Functions", "close 5 -> 2 days",
    ),
    Row(
        D(2026, 9, 25), "Chloé Martin", NATIVES, "Risks", "Southridge Video",
        "Southridge Video weighs a competing storage offer",
        "Southridge Video has received a competing offer that cuts its storage price by 30% for "
        "3 years. Southridge stores 6 PB of video on Amazon S3, worth $2.4M a year to us. Its "
        "CTO wants a response by 15 October. We are preparing a storage-tier review that moves "
        "older titles to S3 Glacier Instant Retrieval and cuts the bill by 35% without a price "
        "change.",
        "Amazon S3", "$2.4M a year at stake",
    ),
    Row(
        D(2026, 9, 28), "Daniel Okafor", WEST, "Asks", "Adventure Works Retail",
        "Executive sponsor for the Adventure Works renewal",
        "We ask for a vice-president sponsor for the Adventure Works Retail renewal, which is "
        "worth $3.5M over 3 years. The retailer's new CFO has asked to meet our leadership "
        "before 20 October. The account team will prepare a 30-minute briefing on the fraud "
        "results, the cost plan and the 2027 roadmap. Without a sponsor the signing risks "
        "slipping into next year.",
        "", "$3.5M renewal",
    ),
    Row(
        D(2026, 9, 30), "Tomasz Nowak", EAST, "Win", "Fabrikam Energy",
        "Fabrikam Energy commits to AWS for smart-meter data",
        "Fabrikam Energy selected AWS to store and analyse readings from its 3.2 million smart "
        "meters. The design uses AWS IoT Core and Amazon Timestream to take in 150 million "
        "readings a day. The 3-year agreement adds $2.7M in committed spend. The regulator "
        "requires the platform to be live by September 2027, and Fabrikam Energy moves its "
        "first 100,000 meters in February.",
        "AWS IoT Core", "$2.7M committed",
    ),
    # ---- October 2026: the month a new user compiles first -------------------------
    Row(
        D(2026, 10, 1), "Henrik Sørensen", PUBLIC, "Win", "Kestrel Transport Authority",
        "Kestrel pilot proves the data platform",
        "Kestrel Transport Authority finished its 8-week data platform pilot on Amazon Redshift "
        "on 30 September. The pilot joined ticketing and sensor data from 320 stations and cut "
        "the monthly ridership report from 9 days to 4 hours. Kestrel has now opened a tender "
        "worth $2.3M over 3 years, and our proposal is due on 14 November.",
        "Amazon Redshift", "report 9 days -> 4 hours",
    ),
    # Deliberate: MBR006 near-duplicate of the row above, the same win logged by a colleague.
    Row(
        D(2026, 10, 2), "Fatima El Idrissi", PUBLIC, "Wins", "Kestrel Transport Authority",
        "Kestrel data platform pilot complete",
        "Kestrel Transport Authority completed its 8-week data platform pilot on Amazon Redshift "
        "on 30 September. The pilot joined ticketing and sensor data from 320 stations and cut "
        "the monthly ridership report from 9 days to 4 hours. Kestrel has opened a tender worth "
        "$2.3M over 3 years, and our proposal is due on 14 November.",
        "Amazon Redshift",
    ),
    Row(
        D(2026, 10, 2), "Leila Haddad", EAST, "Customer-Impact", "Alpine Ski House",
        "Alpine Ski House handles record early-season sales",
        "Alpine Ski House sold 52,000 season passes in the first 48 hours of sale on its new AWS "
        "booking platform. Peak load reached 6,100 bookings a minute with p99 latency under 300 "
        "ms and no errors. Last year the old system went down for 2 hours on launch day. Alpine "
        "Ski House reports a 31% rise in early-season revenue against 2025.",
        "Amazon Aurora", "31% more early-season revenue",
    ),
    Row(
        D(2026, 10, 5), "Marcus Webb", WEST, "Launch", "Litware Bank",
        "Litware Bank launches real-time payment alerts",
        "Litware Bank launched real-time payment alerts for its 2.4 million mobile banking "
        "customers on 1 October. Alerts built on Amazon EventBridge and Amazon Pinpoint reach "
        "customers within 2 seconds of a card payment. Reported card fraud fell by 18% in the "
        "first 3 weeks, as customers flag unknown payments sooner. The service costs $6,500 a "
        "month to run.",
        "Amazon EventBridge", "18% less card fraud",
    ),
    Row(
        D(2026, 10, 6), "Fatima El Idrissi", PUBLIC, "Risk", "Lakeside Health Board",
        "Lakeside contact centre funding ends in March",
        "Lakeside Health Board's funding for its Amazon Connect contact centre ends in March "
        "2027, and renewal depends on a board vote on 12 December. The centre has handled "
        "96,000 calls since launch and cut average wait time from 11 minutes to 3 minutes. If "
        "the vote fails, 14 staff return to phone duty and $240k in annual consumption ends. We "
        "are preparing a benefits report with the board's finance director.",
        "Amazon Connect", "$240k a year at stake",
    ),
    # Deliberate: MBR103 not-one-paragraph (Alt+Enter line break inside the cell).
    Row(
        D(2026, 10, 7), "Chloé Martin", NATIVES, "Win", "Fourth Coffee",
        "Fourth Coffee data pipelines move to Graviton",
        "Fourth Coffee moved its 12 nightly data pipelines to Amazon EKS on AWS Graviton, "
        "following the loyalty app move in August.\n"
        "Compute cost for the pipelines fell by 32%, saving $9k a month. Jobs finish 25 minutes "
        "earlier, so store managers see sales reports before opening.",
        "AWS Graviton", "32% lower compute cost",
    ),
    Row(
        D(2026, 10, 8), "Aisha Bello", NATIVES, "Launch", "Trey Research",
        "Trey Research genomics pipeline goes live",
        "Trey Research moved its genomics pipeline into production on AWS Batch on 6 October. "
        "The pipeline processed 4,800 samples in its first 2 weeks at $4.05 per sample, below "
        "the $4.20 agreed in the proof of concept. Results now reach clinicians in 3 days "
        "instead of 8. Trey Research is on track for the 60,000 samples planned for the first "
        "year.",
        "AWS Batch", "4,800 samples in 2 weeks",
    ),
    # Deliberate: MBR003 unknown-category, "Wiins" (did you mean Wins?).
    Row(
        D(2026, 10, 9), "Daniel Okafor", WEST, "Wiins", "Wide World Importers",
        "Wide World Importers files customs declarations on AWS",
        "Wide World Importers moved its customs declaration system to AWS in 7 weeks, ahead of "
        "new UK border rules on 1 October. The system filed 48,000 declarations in its first "
        "week with no rejected submissions. Processing time per declaration fell from 4 minutes "
        "to 40 seconds. Wide World Importers expects to avoid the $300k in port storage fees "
        "that late filings cost it last year.",
        "AWS Lambda", "4 minutes -> 40 seconds",
    ),
    Row(
        D(2026, 10, 12), "Sofia Lindqvist", WEST, "Lowlight", "Woodgrove Bank",
        "Woodgrove Bank failover test misses its recovery target",
        "Woodgrove Bank's second region failover test on 22 September recovered in 38 minutes "
        "against a 15-minute recovery time objective (RTO). The root cause was the bank's "
        "internal name servers, which kept the old addresses for 30 minutes. The bank has cut "
        "that cache time to 60 seconds and will repeat the test on 10 November. Until then, "
        "Woodgrove Bank's regulator report lists the RTO as not met.",
        "Amazon Route 53", "38-minute recovery vs 15-minute RTO",
    ),
    # Deliberate: MBR001 missing-field, the team is empty.
    Row(
        D(2026, 10, 13), "Tomasz Nowak", "", "Risk", "Fabrikam Energy",
        "Fabrikam Energy EDP renewal has not started",
        "Fabrikam Energy's EDP expires on 31 January, and its procurement team has not started "
        "the renewal. The current commitment is $6M over 3 years, and Fabrikam Energy's spend "
        "is running 22% above it. A late renewal means 2 months at list price, costing the "
        "customer $190k. The account team meets Fabrikam Energy's head of procurement on 5 "
        "November to agree a timeline.",
        "", "$190k at list price",
    ),
    # Deliberate: MBR112 list-markup (bullets pasted in) and MBR103 (the line breaks).
    Row(
        D(2026, 10, 13), "Jonas Meyer", NATIVES, "Launches", "Relecloud",
        "Relecloud launches 3 viewer features",
        "Relecloud launched 3 viewer features on AWS this month:\n"
        "• Live captions in 12 languages.\n"
        "• Instant replay clips within 20 seconds.\n"
        "• Watch parties for 50 viewers.\n"
        "The features lifted average viewing time by 14% in October.",
        "Amazon IVS", "14% more viewing time",
    ),
    Row(
        D(2026, 10, 14), "Jonas Meyer", NATIVES, "customer impact", "Wingtip Toys",
        "Wingtip Toys passes its peak-season load test",
        "Wingtip Toys ran a joint load test of its new checkout service at 6x normal traffic on "
        "29 September. The test found 2 bottlenecks, a database connection limit and an "
        "undersized cache, which the team fixed within a week. The re-test on 9 October held "
        "9,000 orders a minute with p99 latency of 210 ms. Wingtip Toys now enters its November "
        "sale with 20% headroom over forecast peak.",
        "Amazon ECS", "9,000 orders a minute",
    ),
    Row(
        D(2026, 10, 15), "Tomasz Nowak", EAST, "Help needed", "Fabrikam Energy",
        "Smart-meter migration needs an IoT specialist",
        "We ask for an IoT specialist solutions architect for Fabrikam Energy from 1 December to "
        "31 March. The first 100,000 of Fabrikam Energy's 3.2 million smart meters move to AWS "
        "IoT Core in February. The team has no one with device fleet experience, and the "
        "regulator deadline of September 2027 leaves no slack. The engagement protects $2.7M in "
        "committed spend.",
        "AWS IoT Core", "$2.7M committed spend",
    ),
    # Deliberate: MBR101 too-long (over 120 words).
    Row(
        D(2026, 10, 16), "Leila Haddad", EAST, "customer impact", "Contoso Health Ltd",
        "Contoso Health imaging archive cuts radiology wait times",
        "Contoso Health finished moving its medical imaging archive of 1.8 PB from 3 ageing "
        "storage arrays to Amazon S3 and AWS HealthImaging in October. Radiologists at the "
        "group's 11 hospitals now open prior scans in 2 seconds, where the old archive took up "
        "to 40 seconds per study. Contoso Health estimates that each radiologist saves 50 "
        "minutes a day, which adds up to 1,900 extra reports a month across the group. The "
        "storage arrays were due for a $2.6M hardware refresh next year, which the hospital "
        "group has now cancelled. Storage costs for the archive fall from $71k to $38k a month, "
        "and new scans copy to a second region within 15 minutes. The project team included 2 "
        "of our solutions architects, the hospital group's imaging lead and a partner that "
        "handled the data transfer over 9 weeks.",
        "AWS HealthImaging", "scans open in 2 s, not 40 s", WIKI + "contoso-imaging",
    ),
    _SOUTHRIDGE_WIN,
    # Deliberate: MBR005 duplicate-entry, the row above pasted a second time.
    _SOUTHRIDGE_WIN,
    # Deliberate: MBR106 no-metric (error for a win): no figure written with digits.
    Row(
        D(2026, 10, 20), "Henrik Sørensen", PUBLIC, "Wins", "Northmere City Council",
        "Northmere City Council extends its online services",
        "Northmere City Council chose AWS for two more online services after the success of the "
        "parking-permit launch. Residents will apply for waste collection permits and report "
        "street lighting faults online. The council's digital team will build both services on "
        "AWS Lambda and Amazon DynamoDB, reusing the permit service design. This strengthens "
        "our position for the council's wider hosting tender next year.",
        "AWS Lambda",
    ),
    # A date typed as text into a text-formatted cell: still a clean entry.
    Row(
        "2026-10-21", "Daniel Okafor", WEST, "Risk", "Adventure Works Retail",
        "Adventure Works renewal waits on a CFO review",
        "The Adventure Works Retail renewal, worth $3.5M over 3 years, is on hold until the new "
        "CFO finishes a spending review on 30 November. The CFO met our regional vice president "
        "on 16 October and asked for a cost plan for 2027. If the review cuts cloud budgets by "
        "the 15% under discussion, the renewal drops to $3.0M. The account team sends the cost "
        "plan on 4 November.",
        "", "$3.5M renewal on hold",
    ),
    # Deliberate: MBR107 weasel-word ("significantly", "various").
    Row(
        D(2026, 10, 22), "Sofia Lindqvist", WEST, "Customer Impact", "Woodgrove Bank",
        "Woodgrove Bank regulatory reports run faster",
        "Woodgrove Bank moved its regulatory reporting jobs to AWS Step Functions, using the "
        "same design as its month-end close. The jobs now run significantly faster and the bank "
        "has retired various legacy schedulers. Report preparation fell from 6 days to 2 days "
        "in October, and the compliance team no longer works weekends at quarter end.",
        "AWS Step Functions", "6 days -> 2 days",
    ),
    Row(
        D(2026, 10, 23), "Ewan MacLeod", PUBLIC, "Go-live", "Arden Tax Agency",
        "Arden Tax Agency filing portal live on AWS",
        "Arden Tax Agency moved its online filing portal to AWS on 22 October, as replanned "
        "after the September pause. The portal served 310,000 filings in its first week with "
        "99.99% availability. Page load time fell from 3.8 seconds to 1.1 seconds. The agency "
        "expects to close its old data centre in April 2027, saving $1.4M a year.",
        "Amazon CloudFront", "99.99% availability", WIKI + "arden-go-live",
    ),
    Row(
        D(2026, 10, 26), "Priya Raman", EAST, "Customer Impact", "Northwind Logistics",
        "Northwind analytics rebuild retires 3 reporting tools",
        "Northwind Logistics finished moving its shipment analytics to Amazon Redshift and AWS "
        "Glue on 23 October, 2 weeks ahead of plan. The company retired 3 legacy reporting tools "
        "and saves $260k a year in licences. Daily shipment reports now arrive at 06:00 instead "
        "of noon. Northwind Logistics planners use the earlier data to cut empty truck miles by "
        "7%.",
        "Amazon Redshift", "$260k a year",
    ),
    # Deliberate: MBR110 placeholder ("TBD").
    Row(
        D(2026, 10, 27), "Priya Raman", EAST, "Launch", "Northwind Logistics",
        "Northwind Logistics driver app goes live",
        "Northwind Logistics launched its new driver app on AWS Amplify and AWS AppSync to 3,400 "
        "drivers on 26 October. Proof-of-delivery photos now upload in under 5 seconds, down "
        "from 40 seconds on the old app. Failed-delivery disputes fell by TBD in the first week. "
        "The app replaces 2 paper forms per stop.",
        "AWS Amplify", "",
    ),
    # Deliberate: MBR109 undefined-acronym ("MAP" is neither spelled out nor in the vocabulary).
    Row(
        D(2026, 10, 27), "Marcus Webb", WEST, "Ask", "Litware Bank",
        "Migration funding for the Litware Bank card platform",
        "We ask leadership to approve $350k of MAP funding for Litware Bank's card-authorisation "
        "migration to Amazon Aurora. The migration starts in January and moves 18 TB of "
        "transaction data. The funding covers partner services for the first 6 months and "
        "secures the $4.8M renewal signed in August. Litware Bank's board approves the project "
        "budget on 9 December.",
        "Amazon Aurora", "$350k funding",
    ),
    # Deliberate: MBR113 hedging ("I think") and MBR117 first-person-singular ("I").
    Row(
        D(2026, 10, 29), "Ewan MacLeod", PUBLIC, "Risk", "Arden Tax Agency",
        "Arden Tax Agency January peak capacity",
        "I think the Arden Tax Agency filing portal is at risk during the January filing peak, "
        "when traffic reaches 8x the October level. The agency has not run a load test on AWS, "
        "and its team is busy with the data centre exit until December. A failed peak would "
        "bring public criticism and put the $1.4M savings case in doubt. We have offered a "
        "joint load test in the week of 7 December.",
        "", "8x October traffic",
    ),
    # Deliberate: MBR201 lowlight-needs-root-cause (custom rule in mbr.toml).
    Row(
        D(2026, 10, 30), "Aisha Bello", NATIVES, "lowlights", "Proseware",
        "Proseware writing assistant outage",
        "Proseware's AI writing assistant was unavailable for 3 hours on 21 October, during the "
        "working day in Europe. Requests to Amazon Bedrock were throttled after usage grew 4x in "
        "2 weeks, and the app had no fallback. Proseware issued service credits worth $18k to "
        "business customers. The team has since raised its quota and added a queue that retries "
        "requests.",
        "Amazon Bedrock", "3-hour outage",
    ),
    # Deliberate: MBR002 bad-date (a relative date nobody can place).
    Row(
        "next Tuesday", "Leila Haddad", EAST, "Ask", "Alpine Ski House",
        "On-call support for the Alpine Ski House opening weekend",
        "We ask for a technical account manager (TAM) on call for Alpine Ski House during its "
        "opening weekend on 5 and 6 December. Peak load during the season-pass sale reached "
        "6,100 bookings a minute, and December traffic is forecast at 9,000 a minute. One hour "
        "of downtime on opening weekend would cost Alpine Ski House $400k in bookings.",
        "", "$400k per hour of downtime",
    ),
)


def build_workbook() -> Workbook:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    sheet.cell(1, 1, TITLE).font = Font(bold=True, size=14)
    for column, header in enumerate(HEADERS, start=1):
        sheet.cell(HEADER_ROW, column, header).font = Font(bold=True)
    for offset, row in enumerate(ROWS, start=1):
        for column, value in enumerate(astuple(row), start=1):
            # An empty cell, not an empty string, is what a person leaves behind.
            sheet.cell(HEADER_ROW + offset, column, value if value != "" else None)
        date_cell = sheet.cell(HEADER_ROW + offset, 1)
        if isinstance(date_cell.value, dt.date):
            date_cell.number_format = DATE_FORMAT
        summary_cell = sheet.cell(HEADER_ROW + offset, SUMMARY_COLUMN)
        summary_cell.alignment = Alignment(wrap_text=True, vertical="top")
    for column, width in enumerate(COLUMN_WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = sheet.cell(HEADER_ROW + 1, 1)
    last_column = get_column_letter(len(HEADERS))
    sheet.auto_filter.ref = f"A{HEADER_ROW}:{last_column}{HEADER_ROW + len(ROWS)}"
    workbook.properties.creator = "Field Engineering EMEA"
    workbook.properties.title = TITLE
    workbook.properties.created = PINNED_TIME
    return workbook


def _pinned(xlsx: bytes) -> bytes:
    """The same package with the save time openpyxl stamps in replaced by PINNED_TIME.

    openpyxl writes the current time into docProps/core.xml (`modified`) and
    into every zip entry's header, so two runs would otherwise differ.
    """
    stamp = PINNED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    modified = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")
    output = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx)) as source, zipfile.ZipFile(output, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "docProps/core.xml":
                data = modified.sub(rb"\g<1>" + stamp + rb"\g<2>", data)
            entry = zipfile.ZipInfo(info.filename, date_time=PINNED_TIME.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, data)
    return output.getvalue()


def write_intake(path: Path = DEFAULT_OUTPUT) -> Path:
    buffer = io.BytesIO()
    build_workbook().save(buffer)
    path.write_bytes(_pinned(buffer.getvalue()))
    return path


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUTPUT
    print(f"wrote {write_intake(target)} ({len(ROWS)} entries)")
