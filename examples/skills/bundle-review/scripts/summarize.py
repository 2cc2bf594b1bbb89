#!/usr/bin/env python3
"""Print a short overview of an mpak scan report (JSON from `mpak bundle scan --json`)."""
import json
import sys


def main(path: str) -> int:
    with open(path, encoding="utf-8") as f:
        report = json.load(f)
    print(f"{report.get('display', '?')}  risk {report.get('risk', '?')}")
    for control in report.get("controls", []):
        if control.get("status") not in ("pass", "skip"):
            print(f"  {control.get('id')}: {control.get('status')} - {control.get('reason', '')}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
