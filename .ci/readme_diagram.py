"""Copy docs/flow.mmd into README.md between the flow-diagram markers (`make diagram`)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    """Rewrite the README's diagram block; exit 1 if the markers are missing."""
    readme_path = ROOT / "README.md"
    readme = readme_path.read_text(encoding="utf-8")
    diagram = (ROOT / "docs" / "flow.mmd").read_text(encoding="utf-8").rstrip()
    block = f"<!-- flow-diagram:start -->\n```mermaid\n{diagram}\n```\n<!-- flow-diagram:end -->"
    pattern = re.compile(r"<!-- flow-diagram:start -->.*?<!-- flow-diagram:end -->", re.S)
    if not pattern.search(readme):
        print("README.md has no flow-diagram markers", file=sys.stderr)
        return 1
    readme_path.write_text(pattern.sub(lambda _: block, readme), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
