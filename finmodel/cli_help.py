"""The examples each ``finmodel COMMAND --help`` ends with (plain text: argparse prints it)."""

from __future__ import annotations

EXAMPLES: dict[str, str] = {
    "run": """examples:
  finmodel run                                  the shipped base case -> reports/base.*
  finmodel run status_quo                       a shipped reading, by name
  finmodel run --set vehicles.us_led_fund.return.rate=0.03
                                                -> reports/base+us_led_fund.return.rate=0.03.*
  finmodel run my.yaml --name low_returns       your own file, reports named low_returns.*
  finmodel run --format json > base.json        the headline table for a script""",
    "sweep": """examples:
  finmodel sweep --vary discount_rate=0.02:0.06:0.01
  finmodel sweep --vary vehicles.us_led_fund.return.rate=0.04,0.08,0.12 \\
                 --vary vehicles.us_led_fund.payout=0:1:0.25
  finmodel sweep --vary discount_rate=0.02:0.06:0.01 --format csv > sweep.csv""",
    "simulate": """examples:
  finmodel simulate -n 10000 --seed 1
  finmodel simulate status_quo -n 2000 --seed 7 --method lhs
  finmodel simulate -n 1000 --seed 1 --format json""",
    "tornado": """examples:
  finmodel tornado                              the base case's top drivers by party
  finmodel tornado literal --set discount_rate=0.05""",
    "compare": """examples:
  finmodel compare status_quo literal foreign_policy      (baseline: status_quo)
  finmodel compare literal russia_keeps_title --baseline literal
  finmodel compare status_quo literal --format csv""",
    "explore": """examples:
  finmodel explore                    every shipped reading -> reports/readings.explore.html
  finmodel explore literal status_quo --vary vehicles.us_led_fund.return.rate=0.02:0.14:0.01
  finmodel explore --set discount_rate=0.05 --out brief""",
    "solve": """examples:
  finmodel solve --vary vehicles.us_led_fund.return.rate=0:0.3 --target parties.us.npv=100e9
  finmodel solve literal --vary vehicles.us_led_fund.return.rate=0:0.3 \\
                 --target parties.us.npv=foreign_policy:parties.us.npv""",
    "sensitivity": """examples:
  finmodel sensitivity -n 1024                  Sobol indices over the tornado's ranges
  finmodel sensitivity -n 64 --method morris    a cheaper screening of many inputs
  finmodel sensitivity -n 256 --input discount_rate=0.02:0.06 \\
                       --input vehicles.us_led_fund.payout""",
    "validate": """examples:
  finmodel validate my.yaml
  finmodel validate assumptions/scenarios/*.yaml --set discount_rate=0.05""",
    "schema": """examples:
  finmodel schema > assumptions.schema.json""",
    "list": """examples:
  finmodel list                                 the readings and the settable numbers
  finmodel list status_quo --format csv         one reading's settable numbers, for a script""",
}
