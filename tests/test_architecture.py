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


def imported_names(path: Path) -> list[tuple[str, str]]:
    """(module, name) for every `from module import name` and (module, "") for every `import module`."""
    found: list[tuple[str, str]] = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found += [(alias.name, "") for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            found += [(node.module, alias.name) for alias in node.names]
    return found


def test_the_benchmark_uses_only_public_names_of_other_packages_and_nothing_of_the_tests():
    offenders = [
        f"{path.relative_to(ROOT)}: {module} {name}".strip()
        for path in (ROOT / "bench").rglob("*.py")
        for module, name in imported_names(path)
        if module.split(".")[0] == "tests"
        or (module.split(".")[0] != "bench" and any(part.startswith("_") for part in [*module.split("."), name]
                                                    if part not in ("__future__", "")))
    ]
    assert offenders == []


def test_the_product_never_imports_the_tests_or_pytest():
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("bot", "storage")
        for path in (ROOT / folder).rglob("*.py")
        if imports_of(path) & {"tests", "pytest"}
    ]
    assert offenders == []
