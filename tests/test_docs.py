"""The documentation site: its reference tables are made from the code, never written by hand."""

from __future__ import annotations

import importlib.util
import re
from typing import Any

import yaml

from packager.manifest.schemas import COLLECTION_SCHEMA
from packager.markdown import md
from packager.model import COLLECTION_KEYS, ITEM_FIELDS, REGISTRY
from packager.outputs.reference import (
    MARKERS,
    collection_keys,
    item_fields,
    module_table,
    reason_reference,
    reason_summary,
)
from tests.helpers import REPO

DOCS = REPO / "docs"
CODE_CELL = re.compile(r"^\| \[?`([a-z]+:[a-z-]+|takedown)`")


def table_codes(markdown: str) -> list[str]:
    return [m.group(1) for line in markdown.splitlines() if (m := CODE_CELL.match(line))]


def test_reason_tables_list_every_registered_reason_with_its_words() -> None:
    summary = reason_summary()
    assert table_codes(summary) == list(REGISTRY)
    for reason in REGISTRY.values():
        assert f"| `{reason.code}` | {md(reason.label)} | {md(reason.explanation)} |" in summary
    reference = reason_reference()
    assert table_codes(reference) == list(REGISTRY)
    for reason in REGISTRY.values():
        assert md(reason.fix) in reference
        row = next(line for line in reference.splitlines() if line.startswith(f"| [`{reason.code}`]"))
        cells = [cell.strip() for cell in row.strip("|").split(" | ")]
        assert cells[3] == ("yes" if reason.fails_check else "no"), row
        assert cells[4] == ("yes, in review.csv" if reason.steward else "no"), row


def test_schema_tables_list_every_key_and_field() -> None:
    keys = collection_keys()
    assert all(f"| `{key}` |" in keys for key in COLLECTION_KEYS), keys
    assert set(COLLECTION_SCHEMA["properties"]) == set(COLLECTION_KEYS)  # the schema and the loader agree
    fields = item_fields()
    assert all(f"| `{field}` |" in fields for field in ITEM_FIELDS), fields


def test_the_code_layout_lists_every_module_with_its_job() -> None:
    table = module_table()
    files = [p for p in (REPO / "packager").rglob("*.py") if "__pycache__" not in p.parts]
    modules = [p.relative_to(REPO).as_posix() for p in files]
    assert [line.split("`")[1] for line in table.splitlines()[2:]] == sorted(modules, key=lambda m: m.split("/"))
    empty = [line for line in table.splitlines()[2:] if line.endswith("|  |")]
    assert not empty, f"give these modules a docstring: {empty}"


def test_pages_use_markers_and_hold_no_hand_written_reason_table() -> None:
    pages = {p.relative_to(DOCS).as_posix(): p.read_text(encoding="utf-8") for p in DOCS.rglob("*.md")}
    assert "<!-- pdpack:reasons -->" in pages["reference/reasons.md"]
    assert "<!-- pdpack:reason-summary -->" in pages["staff/rights.md"]
    assert "<!-- pdpack:collection-keys -->" in pages["reference/schema.md"]
    for name, text in [*pages.items(), ("README.md", (REPO / "README.md").read_text(encoding="utf-8"))]:
        # A row or two explaining particular codes is prose; a table of many is the registry's job.
        assert len(table_codes(text)) <= 2, f"{name} has a reason table written by hand; use a marker"
        for marker in re.findall(r"<!-- pdpack:[a-z-]+ -->", text):
            assert marker in MARKERS or marker in hooks().COMMAND_MARKERS, (name, marker)
        assert "<!-- pdpack:" not in hooks().on_page_markdown(text), name


def test_every_page_is_in_the_navigation() -> None:
    config = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))

    def pages(node: object) -> list[str]:
        if isinstance(node, str):
            return [node]
        if isinstance(node, list):
            return [page for child in node for page in pages(child)]
        if isinstance(node, dict):
            return [page for child in node.values() for page in pages(child)]
        return []

    listed = pages(config["nav"])
    assert sorted(listed) == sorted(p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*.md"))
    assert config["hooks"] == ["docs/hooks.py"] and "mkdocs-click" in config["markdown_extensions"]


def test_the_readme_is_short_and_links_to_the_site() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 150
    assert "make demo" in readme and "make test" in readme
    for page in ("staff/walkthrough.md", "reference/cli.md", "reference/reasons.md", "maintainers/releases.md"):
        assert f"docs/{page}" in readme, page
        assert (DOCS / page).is_file(), page


def test_the_docs_workflow_builds_with_make_and_only_its_deploy_job_writes() -> None:
    workflow = yaml.safe_load((REPO / ".github" / "workflows" / "docs.yml").read_text(encoding="utf-8"))
    assert workflow["permissions"] == {"contents": "read"}
    build, deploy = workflow["jobs"]["build"], workflow["jobs"]["deploy"]
    assert [s["run"] for s in build["steps"] if "run" in s] == ["make docs"]
    assert any(str(s.get("uses", "")).startswith("actions/upload-pages-artifact@") for s in build["steps"])
    assert deploy["needs"] == "build" and deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert [str(s["uses"]).split("@")[0] for s in deploy["steps"]] == ["actions/deploy-pages"]
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    assert makefile.count("mkdocs build --strict") == 2  # in make test and in make docs


def hooks() -> Any:
    """docs/hooks.py, loaded as MkDocs loads it."""
    spec = importlib.util.spec_from_file_location("pdpack_docs_hooks", DOCS / "hooks.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_docs_hook_fills_pages_as_mkdocs_calls_it() -> None:
    page = hooks().on_page_markdown("# R\n\n<!-- pdpack:reasons -->\n", page=None, config=None, files=None)
    assert table_codes(page) == list(REGISTRY)
    assert hooks().on_page_content("<td><code>Sentinel.UNSET</code></td>", page=None) == "<td>None</td>"


def test_reference_pages_exist_for_the_cli_and_the_api() -> None:
    cli = (DOCS / "reference" / "cli.md").read_text(encoding="utf-8")
    assert ":module: packager.cli" in cli and ":command: cli" in cli
    api = (DOCS / "reference" / "api.md").read_text(encoding="utf-8")
    assert "::: packager.api" in api and "::: packager.builder.config.Settings" in api
