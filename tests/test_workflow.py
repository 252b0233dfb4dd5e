"""The CI workflow's steps, run here: each `run:` step of the api-review job, in a temporary clone.

The steps run as GitHub runs them (`bash --noprofile --norc -eo pipefail`, the job's and the step's
`env:`, step `if:` conditions), with only GitHub's own parts stubbed: the `${{ }}` expressions get
the values a pull request would give them, `$GITHUB_STEP_SUMMARY`/`$GITHUB_OUTPUT` are files, and
`gh` is a script that records what it was asked to post. `uses:` steps (checkout, setup-python)
are what the clone and the borrowed virtualenv stand for.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.clones import clone_env, git, make, temporary_clone
from tests.conftest import ROOT

WORKFLOW = ROOT / ".github" / "workflows" / "sdk.yml"
SPEC = "specs/coinbase/advanced-trade-spec.yaml"
GH_STUB = """#!/bin/sh
# Records a call of `gh` (and the body file it posts) instead of calling GitHub.
echo "$@" >> "$GH_CALLS"
while [ $# -gt 0 ]; do
  if [ "$1" = "--body-file" ]; then cp "$2" "$GH_CALLS.body"; fi
  shift
done
"""


def load_workflow() -> dict[str, Any]:
    data: dict[Any, Any] = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true
    return data


@dataclass
class StepRun:
    name: str
    returncode: int | None  # None: skipped by its `if:`
    stdout: str
    stderr: str


class PullRequest:
    """The values of GitHub's expressions for a pull request from a branch of this repository."""

    def __init__(self, base_sha: str, number: int = 7) -> None:
        self.values = {
            "github.event.pull_request.base.sha": base_sha,
            "github.event.pull_request.number": str(number),
            "github.event.pull_request.head.repo.full_name == github.repository": "true",
            "github.event_name == 'pull_request'": "true",
            "github.server_url": "https://github.example",
            "github.repository": "acme/sdk",
            "github.run_id": "4242",
            "github.token": "stub-token",
        }

    def substitute(self, text: str) -> str:
        def one(match: re.Match[str]) -> str:
            expression = match.group(1).strip()
            if expression not in self.values:
                pytest.fail(f"the workflow uses ${{{{ {expression} }}}}, which this test does not stub: add it to PullRequest")
            return self.values[expression]

        return re.sub(r"\$\{\{(.*?)\}\}", one, text)

    def condition(self, text: str, env: dict[str, str]) -> bool:
        """A step's `if:` (the forms the workflow uses: `env.NAME == 'value'`, or a stubbed expression)."""
        match = re.fullmatch(r"env\.(\w+) == '([^']*)'", text.strip())
        if match:
            return env.get(match.group(1)) == match.group(2)
        return self.substitute("${{ " + text + " }}") == "true"


def run_job(job: str, clone: Path, pr: PullRequest, scratch: Path) -> list[StepRun]:
    workflow = load_workflow()
    spec = workflow["jobs"][job]
    if "if" in spec:
        assert pr.condition(spec["if"], {})
    shell = workflow.get("defaults", {}).get("run", {}).get("shell")
    assert shell == "bash"  # GitHub runs it as `bash --noprofile --norc -eo pipefail {0}`
    stubs = scratch / "bin"
    stubs.mkdir(exist_ok=True)
    (stubs / "gh").write_text(GH_STUB, encoding="utf-8")
    (stubs / "gh").chmod(0o755)
    summary, output = scratch / "step-summary.md", scratch / "github-output"
    job_env = {k: pr.substitute(str(v)) for k, v in {**workflow.get("env", {}), **spec.get("env", {})}.items()}
    base = clone_env(
        GITHUB_STEP_SUMMARY=str(summary),
        GITHUB_OUTPUT=str(output),
        GITHUB_ACTIONS="true",
        CI="true",
        GH_CALLS=str(scratch / "gh-calls"),
    )
    base["PATH"] = f"{stubs}:{base['PATH']}"
    runs: list[StepRun] = []
    for index, step in enumerate(spec["steps"]):
        if "run" not in step:
            assert step["uses"].split("@")[0] in ("actions/checkout", "actions/setup-python", "actions/setup-node"), step
            continue
        env = {**base, **job_env, **{k: pr.substitute(str(v)) for k, v in step.get("env", {}).items()}}
        name = step.get("name", step["run"])
        if "if" in step and not pr.condition(step["if"], env):
            runs.append(StepRun(name, None, "", ""))
            continue
        script = scratch / f"step-{index}.sh"
        script.write_text(pr.substitute(step["run"]), encoding="utf-8")
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=clone,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert "pip install" not in done.stdout, "a step reinstalled the borrowed virtualenv"
        runs.append(StepRun(name, done.returncode, done.stdout, done.stderr))
        if done.returncode != 0:
            break  # GitHub stops the job at a failed step
    return runs


def pull_request(tmp_path: Path, *, regenerate: bool) -> tuple[Path, PullRequest]:
    """A clone whose `main` is the base and whose HEAD is a PR commit changing the vendor spec."""
    clone = temporary_clone(tmp_path / "sdk")
    base = git(clone, "rev-parse", "HEAD").strip()
    git(clone, "checkout", "-q", "-b", "pr")
    spec = clone / SPEC
    text = spec.read_text(encoding="utf-8")
    at = text.index("      - name: limit\n        description: The number of accounts to display per page.")
    text = text[:at] + text[at:].replace("        required: false\n", "        required: true\n", 1)  # breaking
    text = text.replace("summary: Get Best Bid/Ask", "summary: Get the best bid and ask", 1)  # documentation
    spec.write_text(text, encoding="utf-8")
    if regenerate:
        assert make(clone, "regenerate").returncode == 0
    git(clone, "commit", "-q", "-am", "Advanced Trade: spec update")
    return clone, PullRequest(base)


def test_the_api_review_posts_the_report_breaking_changes_first(tmp_path: Path) -> None:
    clone, pr = pull_request(tmp_path, regenerate=True)
    runs = run_job("api-review", clone, pr, tmp_path)
    assert [(r.name, r.returncode) for r in runs] == [
        ("Set up the virtualenv", 0),
        ("Regenerate; fail when generated/ is stale", 0),
        ("API report against the base branch", 0),
        ("Post the report on the pull request", 0),
    ], [(r.name, r.stderr[-2000:]) for r in runs]
    summary = (tmp_path / "step-summary.md").read_text(encoding="utf-8")
    assert summary.startswith("# API changes: ")
    sections = re.findall(r"^## (.+)$", summary, re.MULTILINE)
    assert sections == ["Breaking changes", "Documentation"]
    assert "**Proposed bump: major** (0.1.0 → 0.2.0" in summary
    assert "- `client.advanced_trade.accounts.get_accounts(limit)`: parameter is now required" in summary
    assert "-Get Best Bid/Ask" in summary and "+Get the best bid and ask" in summary  # the documentation, as text
    assert "::warning title=Breaking API changes::" in runs[2].stdout
    calls = (tmp_path / "gh-calls").read_text(encoding="utf-8").splitlines()
    assert calls == ["pr comment 7 --edit-last --create-if-none --body-file comment.md"]
    body = (tmp_path / "gh-calls.body").read_text(encoding="utf-8")
    assert body == "<!-- sdkgen api-review -->\n" + summary


def test_the_api_review_fails_on_a_stale_generated_tree(tmp_path: Path) -> None:
    clone, pr = pull_request(tmp_path, regenerate=False)
    runs = run_job("api-review", clone, pr, tmp_path)
    assert [(r.name, r.returncode) for r in runs][:1] == [("Set up the virtualenv", 0)]
    stale = runs[1]
    assert stale.name == "Regenerate; fail when generated/ is stale" and stale.returncode != 0
    assert "run `make regenerate` and commit the result" in stale.stderr
    assert "+++ b/generated/coinbase_sdk/api.json" in stale.stdout  # a readable diff of what is stale
    assert len(runs) == 2 and not (tmp_path / "gh-calls").exists()


def test_a_pull_request_from_a_fork_gets_the_summary_but_no_comment() -> None:
    """A fork's token cannot comment: the comment step is skipped, the report still reaches the job summary."""
    job = load_workflow()["jobs"]["api-review"]
    pr = PullRequest("0" * 40)
    pr.values["github.event.pull_request.head.repo.full_name == github.repository"] = "false"
    env = {k: pr.substitute(str(v)) for k, v in job["env"].items()}
    steps = {step.get("name"): step for step in job["steps"]}
    assert not pr.condition(steps["Post the report on the pull request"]["if"], env)
    assert "if" not in steps["API report against the base branch"]  # the summary is written for every pull request
    assert 'cat api-report.md >> "$GITHUB_STEP_SUMMARY"' in steps["API report against the base branch"]["run"]


def test_the_test_job_runs_what_ci_runs() -> None:
    steps = load_workflow()["jobs"]["test"]["steps"]
    assert [s["run"] for s in steps if "run" in s] == ["make test"]
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
