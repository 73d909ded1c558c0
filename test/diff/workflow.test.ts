/**
 * The GitHub Actions workflow cannot run here, so it may only run commands that are tested: exactly the
 * README's list, whose build, check, freshness and diff commands run below in a scratch repository
 * (`npm ci`, the apt install and `npm test` are what runs this very suite).
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { commentMarker } from "../../src/engine/diff/render.ts";
import { projectRoot } from "../../src/engine/source.ts";
import { fixture, newRepo, removeTemps, sh, tempDir } from "./repo.ts";

afterAll(removeTemps);

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  env?: Record<string, string>;
  with?: Record<string, unknown>;
}

const workflow = parse(readFileSync(path.join(projectRoot, ".github/workflows/o11y.yml"), "utf8")) as {
  on: Record<string, unknown>;
  jobs: Record<string, { steps: Step[]; permissions: Record<string, string> }>;
};
const job = Object.values(workflow.jobs)[0]!;
const runs = job.steps.filter((s) => s.run !== undefined).map((s) => s.run!.trim());
const step = (command: string) => job.steps.find((s) => s.run?.trim().startsWith(command))!;

/** The last bash block of the README's "Review and CI" section: the commands CI runs. */
function readmeCommands(): string[] {
  const readme = readFileSync(path.join(projectRoot, "README.md"), "utf8");
  const section = readme.slice(
    readme.indexOf("## Review and CI"),
    readme.indexOf("\n## ", readme.indexOf("## Review and CI") + 1),
  );
  const blocks = [...section.matchAll(/```bash\n([\s\S]*?)```/g)].map((m) => m[1]!);
  return blocks.at(-1)!.trim().split("\n");
}

describe(".github/workflows/o11y.yml", () => {
  it("runs exactly the commands the README lists, in that order", () => {
    expect(runs).toEqual(readmeCommands());
    expect(runs).toEqual([
      "sudo apt-get update -qq && sudo apt-get install -y -qq --no-install-recommends prometheus prometheus-alertmanager victoria-metrics",
      "npm ci",
      "npm run build -- --tools require",
      "node bin/o11y.js check",
      "npm test",
      "git diff --exit-code -- build RUNBOOK.md",
      'node bin/o11y.js diff --base "origin/$BASE_REF" --format markdown --pictures "$RUNNER_TEMP/o11y-pictures" --pictures-url "$RUN_URL" > "$RUNNER_TEMP/o11y-diff.md"',
    ]);
    const scripts = (
      JSON.parse(readFileSync(path.join(projectRoot, "package.json"), "utf8")) as {
        scripts: Record<string, string>;
      }
    ).scripts;
    expect(scripts.build).toBe("node bin/o11y.js build");
    expect(scripts.test).toContain("vitest run");
    // The packages npm test needs (scripts/require-tools.js names them).
    const required = readFileSync(path.join(projectRoot, "scripts/require-tools.js"), "utf8");
    for (const pkg of ["prometheus", "prometheus-alertmanager"]) expect(required).toContain(`"${pkg}"`);
  });

  it("diffs pull requests against their base branch, with the history, and updates one comment", () => {
    expect(Object.keys(workflow.on).sort()).toEqual(["pull_request", "push"]);
    expect(job.steps.find((s) => s.uses?.startsWith("actions/checkout@"))?.with).toEqual({
      "fetch-depth": 0,
    });
    expect(job.permissions).toEqual({ contents: "read", "pull-requests": "write" });
    const diff = step("node bin/o11y.js diff");
    expect(diff.if).toBe("github.event_name == 'pull_request'");
    expect(diff.env).toEqual({
      BASE_REF: "${{ github.base_ref }}",
      RUN_URL: "${{ github.server_url }}/${{ github.repository }}/actions/runs/${{ github.run_id }}",
    });
    // The pictures the diff writes are uploaded with the run, which the comment links.
    const upload = job.steps.find((s) => s.uses?.startsWith("actions/upload-artifact@"))!;
    expect(upload.if).toBe("github.event_name == 'pull_request'");
    expect(upload.with).toMatchObject({ path: "${{ runner.temp }}/o11y-pictures" });
    expect(job.steps.indexOf(upload)).toBe(job.steps.indexOf(diff) + 1);
    const comment = job.steps.at(-1)!;
    expect(comment.uses).toBe("actions/github-script@v7");
    expect(comment.if).toContain("github.event_name == 'pull_request'");
    const script = String(comment.with?.script);
    expect(script).toContain(`"${commentMarker}"`);
    expect(script).toContain("$" + "{process.env.RUNNER_TEMP}/o11y-diff.md");
    for (const call of [
      "github.paginate(github.rest.issues.listComments",
      "github.rest.issues.updateComment(",
      "github.rest.issues.createComment(",
    ])
      expect(script).toContain(call);
  });

  it("its build, check, freshness and diff commands work on a pull request's branch", () => {
    const repo = newRepo();
    repo.git("update-ref", "refs/remotes/origin/main", "HEAD");
    repo.git("checkout", "-q", "-b", "loosen");
    repo.edit(`${fixture}/thresholds.ts`, "http5xxRatio: above(0.05,", "http5xxRatio: above(0.051,");
    // The playbook is written by hand: alerts/stale-threshold-text holds its number to the threshold.
    repo.edit(
      `${fixture}/RUNBOOK.md`,
      "**Trigger**: > 5% 5xx responses",
      "**Trigger**: > 5.1% 5xx responses",
    );
    repo.commit("Loosen the 5xx threshold, forgetting to build");
    const runnerTemp = tempDir("o11y-runner-");
    const run = (command: string) =>
      sh("sh", ["-c", command], repo.dir, {
        BASE_REF: "main",
        RUNNER_TEMP: runnerTemp,
        RUN_URL: "https://github.com/o/r/actions/runs/1",
      });
    const [build, check, fresh, diff] = [
      "npm run build",
      "node bin/o11y.js check",
      "git diff --exit-code",
      "node bin/o11y.js diff",
    ].map((c) => step(c).run!.trim());

    expect(run(build!).code).toBe(0);
    const stale = run(fresh!);
    expect(stale.code).toBe(1);
    expect(stale.stdout).toContain("diff --git a/build/prometheus/rules/alerts/http.yaml");
    repo.commit("Build");
    expect(run(fresh!).code).toBe(0);
    expect(run(check!).code).toBe(0);

    const diffed = run(diff!);
    expect(diffed.code, diffed.stderr).toBe(0);
    const body = readFileSync(path.join(runnerTemp, "o11y-diff.md"), "utf8");
    expect(body.startsWith(`${commentMarker}\n## o11y diff\n\norigin/main (`)).toBe(true);
    expect(body).toContain(
      "- **`threshold-loosened`** alert ShopHigh5xxErrorRate: threshold loosened from > 0.05 (5%) to > 0.051 (5.1%): it fires less",
    );
    // The dashboard that draws the threshold changed: its pictures, before and after, linked to the run's artifacts.
    expect(readdirSync(path.join(runnerTemp, "o11y-pictures")).sort()).toEqual([
      "shop-overview.after.png",
      "shop-overview.before.png",
    ]);
    expect(body).toContain("in [this run's artifacts](https://github.com/o/r/actions/runs/1):");
    expect(repo.git("status", "--porcelain")).toBe("");
  }, 300_000);
});
