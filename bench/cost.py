"""What AWS bills for boekstuk: per 1,000 documents, and a month at 10, 1,000 and 100,000 documents.

    python bench/cost.py [--scanned 0.3] [--pages 1.5] [--durations durations.json]

Lambda GB-seconds are each invocation's duration times its function's memory as template.yaml sets it (read from
the template, so a changed MemorySize changes the bill here too). The durations per invocation are in
``DURATIONS_MS`` (a document's way: upload slot, intake, approval request, approval, booking, the review's reads);
``--durations`` replaces them with measured ones (``{"ProcessInvoiceFunction": 2400, ...}``). Textract bills
per page, for scans and photos only (e-invoices and PDFs with a text layer never reach it): DetectDocumentText and
AnalyzeExpense on every such page. Step Functions (standard) bills state transitions, DynamoDB on-demand request
units, S3 requests and storage, SES mails, EventBridge events. Fixed monthly costs (Cognito's Plus plan per
active user, CloudWatch alarms, the distribution) are listed apart: they do not grow with documents.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "local"))
sys.path.insert(0, str(REPO / "layers" / "shared"))

# AWS's on-demand list prices for eu-west-1 (Ireland), USD, free tiers left out, as published in 2025 (after
# DynamoDB's on-demand cut of November 2024). Written down on 2026-12-05 without access to the pricing pages from
# this machine: check them there and change them here (and the date) when they differ.
PRICES_DATE = "2025 (written down 2026-12-05, not re-checked)"
PRICES: dict[str, float] = {
    "lambda_gb_second_arm64": 0.0000133334,
    "lambda_request": 0.20 / 1_000_000,
    "textract_detect_text_page": 0.0015,  # DetectDocumentText, first million pages a month
    "textract_analyze_expense_page": 0.01,  # AnalyzeExpense, first million pages a month
    "step_functions_transition": 0.025 / 1000,  # standard workflows
    "dynamodb_write_request_unit": 0.7068 / 1_000_000,  # on-demand
    "dynamodb_read_request_unit": 0.1413 / 1_000_000,
    "s3_put_request": 0.005 / 1000,
    "s3_get_request": 0.0004 / 1000,
    "s3_gb_month": 0.023,
    "ses_mail": 0.10 / 1000,
    "eventbridge_event": 1.00 / 1_000_000,
    "cloudwatch_logs_gb": 0.57,
    "cognito_plus_mau": 0.02,
    "cloudwatch_alarm": 0.10,
}

# One document's invocations: (function, how many, milliseconds each). Assumed, not measured: --durations replaces
# the milliseconds with measured ones.
INVOCATIONS: list[tuple[str, float]] = [
    ("DocumentsFunction", 6),  # the upload slot, the list and the review's reads (detail, content, lists)
    ("ProcessInvoiceFunction", 1),
    ("RequestApprovalFunction", 1),
    ("ApprovalsFunction", 1),
    ("BookFunction", 1),
]
DURATIONS_MS: dict[str, float] = {
    "DocumentsFunction": 120,
    "ProcessInvoiceFunction": 2500,  # recognition (Textract's round trips for a scan), proposal, workflow start
    "RequestApprovalFunction": 300,
    "ApprovalsFunction": 250,
    "BookFunction": 1500,  # the package's API
}
# Requests per document: estimates from the code's way through a document, not counted from a run.
PER_DOCUMENT = {
    "step_functions_transitions": 8,  # request approval, wait for the token, book, record the outcome, ...
    "dynamodb_writes": 40,  # document, history, proposal, approval, booking claim, idempotency, outbox rows
    "dynamodb_reads": 80,
    "s3_puts": 2,  # the upload and the kept original (+ a staged copy for multi-page scans, counted apart)
    "s3_gets": 4,  # the intake, booking's attachment, the review's presigned reads
    "mails": 1,  # the approval request
    "events": 6,  # each status change on the default bus
    "log_kb": 30,
    "stored_mb": 0.3,  # original kept; a month's documents stored for a month
}


def memory_sizes() -> dict[str, int]:
    """Each function's MemorySize as template.yaml sets it (Globals unless the function says otherwise)."""
    from boekstuk_local.template import load_template_file

    template = load_template_file(REPO / "template.yaml")
    default = int(template["Globals"]["Function"]["MemorySize"])
    return {name: int((res.get("Properties") or {}).get("MemorySize", default))
            for name, res in template["Resources"].items() if res["Type"] == "AWS::Serverless::Function"}


def per_thousand(scanned: float, pages: float, durations: dict[str, float]) -> dict[str, float]:
    """USD per 1,000 documents, per line of the bill."""
    memory = memory_sizes()
    n = 1000
    gb_seconds = sum(count * durations[fn] / 1000 * memory[fn] / 1024 for fn, count in INVOCATIONS) * n
    requests = sum(count for _, count in INVOCATIONS) * n
    textract_pages = n * scanned * pages
    staged = n * scanned * max(0.0, pages - 1) / pages  # multi-page scans are copied to S3 for the async API
    return {
        "Lambda compute": gb_seconds * PRICES["lambda_gb_second_arm64"],
        "Lambda requests": requests * PRICES["lambda_request"],
        "Textract": textract_pages * (PRICES["textract_detect_text_page"] + PRICES["textract_analyze_expense_page"]),
        "Step Functions": n * PER_DOCUMENT["step_functions_transitions"] * PRICES["step_functions_transition"],
        "DynamoDB": n * (PER_DOCUMENT["dynamodb_writes"] * PRICES["dynamodb_write_request_unit"]
                         + PER_DOCUMENT["dynamodb_reads"] * PRICES["dynamodb_read_request_unit"]),
        "S3 requests": (n * PER_DOCUMENT["s3_puts"] + staged) * PRICES["s3_put_request"]
                       + n * PER_DOCUMENT["s3_gets"] * PRICES["s3_get_request"],
        "S3 storage (a month)": n * PER_DOCUMENT["stored_mb"] / 1024 * PRICES["s3_gb_month"],
        "SES": n * PER_DOCUMENT["mails"] * PRICES["ses_mail"],
        "EventBridge": n * PER_DOCUMENT["events"] * PRICES["eventbridge_event"],
        "CloudWatch Logs": n * PER_DOCUMENT["log_kb"] / 1024 / 1024 * PRICES["cloudwatch_logs_gb"],
    }


def fixed_monthly(users: int) -> dict[str, float]:
    """What a month costs whatever the number of documents."""
    alarms = len(memory_sizes()) + 2  # one per function, the failed-events queue, the state machine
    return {f"Cognito Plus ({users} active users)": users * PRICES["cognito_plus_mau"],
            f"CloudWatch alarms ({alarms})": alarms * PRICES["cloudwatch_alarm"]}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Print the estimate as Markdown; return it (tests)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scanned", type=float, default=0.3, help="share of documents read by Textract")
    parser.add_argument("--pages", type=float, default=1.5, help="pages per scanned document")
    parser.add_argument("--users", type=int, default=10, help="people logging in in a month")
    parser.add_argument("--durations", type=Path, help="JSON: function -> measured milliseconds per invocation")
    args = parser.parse_args(argv)
    durations = {**DURATIONS_MS, **(json.loads(args.durations.read_text()) if args.durations else {})}
    bill = per_thousand(args.scanned, args.pages, durations)
    fixed = fixed_monthly(args.users)
    total = sum(bill.values())
    print(f"Prices: AWS list prices, eu-west-1, USD, as of {PRICES_DATE} (bench/cost.py PRICES).")
    print(f"Assumed: {args.scanned:.0%} of documents scanned, {args.pages} pages each; durations "
          + ("measured (" + str(args.durations) + ")" if args.durations else "assumed (DURATIONS_MS)") + ".\n")
    print("| per 1,000 documents | USD |\n|---|---|")
    for line, usd in bill.items():
        print(f"| {line} | {usd:.2f} |")
    print(f"| **total** | **{total:.2f}** |\n")
    print("| documents a month | variable USD | fixed USD | total USD |\n|---|---|---|---|")
    months = {}
    for docs in (10, 1_000, 100_000):
        variable = total * docs / 1000
        months[docs] = variable + sum(fixed.values())
        print(f"| {docs:,} | {variable:.2f} | {sum(fixed.values()):.2f} | {months[docs]:.2f} |")
    print("\nFixed: " + ", ".join(f"{k} {v:.2f}" for k, v in fixed.items()))
    return {"per_thousand": bill, "total_per_thousand": total, "months": months}


if __name__ == "__main__":
    main()
