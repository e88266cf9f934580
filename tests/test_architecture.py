"""The domain and storage never touch Slack: only bot/slack may import slack_bolt or slack_sdk."""

import ast
from pathlib import Path

ROOT = Path(__file__).parents[1]


def imports_of(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_only_the_slack_package_imports_slack():
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("bot", "storage")
        for path in (ROOT / folder).rglob("*.py")
        if "slack" not in path.relative_to(ROOT).parts
        and imports_of(path) & {"slack_bolt", "slack_sdk"}
    ]
    assert offenders == []


def test_the_check_sees_the_domain_files():
    assert (ROOT / "bot" / "plan" / "services.py").exists()
    assert "sqlalchemy" in imports_of(ROOT / "bot" / "plan" / "services.py")
