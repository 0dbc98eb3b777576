"""bench/cost.py bills Lambda by the template's memory sizes and scales the variable part with the documents."""

from __future__ import annotations

from types import ModuleType

from tests.scripts import load_script


def cost() -> ModuleType:
    return load_script("bench/cost.py")


def test_lambda_compute_uses_the_templates_memory_sizes() -> None:
    module = cost()
    memory = module.memory_sizes()
    assert memory["ProcessInvoiceFunction"] == 2048 and memory["ApiDocsFunction"] == 256
    only_intake = {fn: (1000.0 if fn == "ProcessInvoiceFunction" else 0.0) for fn in module.DURATIONS_MS}
    bill = module.per_thousand(0.0, 1.0, only_intake)
    # 1,000 invocations of one second at 2 GB.
    assert abs(bill["Lambda compute"] - 1000 * 2 * module.PRICES["lambda_gb_second_arm64"]) < 1e-9
    assert bill["Textract"] == 0


def test_a_month_scales_with_documents_plus_the_fixed_part(capsys: object) -> None:
    result = cost().main(["--scanned", "0.5", "--pages", "2"])
    months = result["months"]
    fixed = months[10] - result["total_per_thousand"] * 10 / 1000
    assert abs(months[100_000] - (result["total_per_thousand"] * 100 + fixed)) < 1e-6
