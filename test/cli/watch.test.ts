/**
 * `o11y build --watch` as a real process, in a copy of the project building the small fixture project of
 * test/fixtures/watch/: each save rebuilds build/ and prints one line; a bad save prints the diagnostics at their
 * lines and leaves build/ as it was; the next good save recovers; type errors are printed when `tsc` has finished;
 * SIGINT ends it with exit 0 and leaves no folder, record or process behind.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import {
  appendFileSync,
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sha256 } from "../../src/engine/emit/emit.ts";
import { projectRoot } from "../../src/engine/source.ts";
import { readTree } from "../helpers/cli.ts";
import { until } from "../helpers/until.ts";

const fixture = "test/fixtures/watch";
const copied = [
  "bin",
  "src",
  "schemas",
  fixture,
  "package.json",
  "package-lock.json",
  "tsconfig.json",
  "RUNBOOK.md",
];

const temp = mkdtempSync(path.join(tmpdir(), "o11y-watch-"));
const root = path.join(temp, "checkout");
afterAll(() => rmSync(temp, { recursive: true, force: true }));

/** The watch process: its output lines as they come, and a way to wait for the next ones. */
class Watching {
  readonly stdout: string[] = [];
  stderr = "";
  private partial = "";
  readonly exited: Promise<number | null>;

  constructor(readonly child: ChildProcess) {
    child.stdout!.on("data", (chunk: Buffer) => {
      const lines = (this.partial + chunk.toString("utf8")).split("\n");
      this.partial = lines.pop()!;
      this.stdout.push(...lines);
    });
    child.stderr!.on("data", (chunk: Buffer) => (this.stderr += chunk.toString("utf8")));
    this.exited = new Promise((resolve) => child.on("exit", (code) => resolve(code)));
  }

  /** Waits for the stdout line after the first `seen` lines that matches `pattern`; returns it. */
  async line(seen: number, pattern: RegExp, timeoutMs = 90_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.stdout.slice(seen).find((line) => pattern.test(line));
      if (found) return found;
      if (Date.now() > deadline || this.child.exitCode !== null)
        throw new Error(`no line ${pattern} after line ${seen}:\n${this.stdout.join("\n")}\n${this.stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

/** Every process below `pid`, from /proc: pid and start time (so a recycled pid is not taken for it). */
function descendants(pid: number): Array<{ pid: number; start: string }> {
  const children = new Map<number, Array<{ pid: number; start: string }>>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, "utf8");
    } catch {
      continue;
    }
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const parent = Number(fields[1]);
    children.set(parent, [...(children.get(parent) ?? []), { pid: Number(name), start: fields[19]! }]);
  }
  const all: Array<{ pid: number; start: string }> = [];
  const walk = (of: number) => {
    for (const child of children.get(of) ?? []) {
      all.push(child);
      walk(child.pid);
    }
  };
  walk(pid);
  return all;
}

const alive = ({ pid, start }: { pid: number; start: string }) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return fields[19] === start && fields[0] !== "Z";
  } catch {
    return false;
  }
};

const file = (name: string) => path.join(root, fixture, name);
const dashboardJson = () =>
  readFileSync(path.join(root, "build/grafana/dashboards/watch-targets.json"), "utf8");
const edit = (name: string, from: string, to: string) => {
  const text = readFileSync(file(name), "utf8");
  expect(text).toContain(from);
  writeFileSync(file(name), text.replace(from, to));
};
const built =
  /^\d\d:\d\d:\d\d built \d+ files into build\/, accepted by promtool, amtool and vmalert(; updated the alert table in test\/fixtures\/watch\/RUNBOOK\.md)? \(\d+ ms\)$/;
const failed =
  /^\d\d:\d\d:\d\d build failed: (\d+) error\(s\); nothing was written and build\/ is unchanged\. \(\d+ ms\)$/;

/** The title the burst of writes left (the tests build on each other's edits). */
let lastBurst = "";

// Each step waits for real builds, and for tsc, on a machine that may be busy.
describe("o11y build --watch", { timeout: 240_000 }, () => {
  let watching: Watching;

  beforeAll(async () => {
    for (const name of copied)
      cpSync(path.join(projectRoot, name), path.join(root, name), { recursive: true });
    symlinkSync(path.join(projectRoot, "node_modules"), path.join(root, "node_modules"), "dir");
    const child = spawn(
      process.execPath,
      [
        path.join(root, "bin/o11y.js"),
        "build",
        "--watch",
        "--project",
        `${fixture}/project.ts`,
        "--tools",
        "require",
      ],
      {
        cwd: root,
        env: { ...process.env, NO_COLOR: "1", O11Y_CACHE_PROJECT: `${fixture}/project.ts` },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    watching = new Watching(child);
    await watching.line(0, built);
  });

  afterAll(() => {
    if (watching.child.exitCode === null) watching.child.kill("SIGKILL");
  });

  it("builds once at the start, into a complete build/", () => {
    expect(watching.stdout).toHaveLength(1);
    const manifest = JSON.parse(readFileSync(path.join(root, "build/manifest.json"), "utf8")) as {
      files: Array<{ path: string }>;
    };
    expect([...readTree(path.join(root, "build")).keys()].sort()).toEqual(
      [...manifest.files.map((f) => f.path), "manifest.json"].sort(),
    );
    expect(dashboardJson()).toContain('"title": "Targets up"');
  });

  it("a save rebuilds build/ and prints one line", async () => {
    const seen = watching.stdout.length;
    edit("dashboard.ts", 'title: "Targets up"', 'title: "Targets reachable"');
    await watching.line(seen, built);
    expect(dashboardJson()).toContain('"title": "Targets reachable"');
    // Nothing more comes of that save (the type check is clean, so it says nothing).
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(watching.stdout.slice(seen)).toHaveLength(1);
  });

  it("a burst of writes makes one build, of the last", async () => {
    const text = readFileSync(file("dashboard.ts"), "utf8");
    // A burst is writes within the watch's settling (10 ms). Three writes can take longer on a busy machine (each is
    // a truncation and a write, a few ms here), and the watch then rightly builds the first: such a burst is written
    // again, after its builds, with titles of its own.
    for (let attempt = 1; ; attempt++) {
      const seen = watching.stdout.length;
      const titles = [1, 2, 3].map((n) => `Burst ${attempt}.${n}`);
      const started = performance.now();
      for (const title of titles)
        writeFileSync(file("dashboard.ts"), text.replace('title: "Targets reachable"', `title: "${title}"`));
      const took = performance.now() - started;
      lastBurst = titles[2]!;
      if (took >= 10 && attempt < 20) {
        const deadline = Date.now() + 90_000;
        while (!dashboardJson().includes(`"title": "${lastBurst}"`) && Date.now() < deadline)
          await new Promise((resolve) => setTimeout(resolve, 50));
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        continue;
      }
      await watching.line(seen, built);
      // Nothing more comes of the burst: its later events find the text the build read.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(watching.stdout.slice(seen)).toHaveLength(1);
      expect(dashboardJson()).toContain(`"title": "${lastBurst}"`);
      break;
    }
  });

  it("a write of the text the last build read builds nothing", async () => {
    const seen = watching.stdout.length;
    writeFileSync(file("dashboard.ts"), readFileSync(file("dashboard.ts"), "utf8"));
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(watching.stdout.slice(seen)).toEqual([]);
    expect(dashboardJson()).toContain(`"title": "${lastBurst}"`);
  });

  it("a save seen half-written, whole again as the last build read it, builds nothing; the next edit is built", async () => {
    const seen = watching.stdout.length;
    const text = readFileSync(file("dashboard.ts"), "utf8");
    // Truncated, seen so, and written back within the 10 ms the watch waits for a save to settle.
    writeFileSync(file("dashboard.ts"), "");
    await new Promise((resolve) => setTimeout(resolve, 3));
    writeFileSync(file("dashboard.ts"), text);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(watching.stdout.slice(seen)).toEqual([]);
    // The watch goes on: a real edit after it is built.
    writeFileSync(
      file("dashboard.ts"),
      text.replace(`title: "${lastBurst}"`, 'title: "After the same text"'),
    );
    await watching.line(seen, built);
    writeFileSync(file("dashboard.ts"), text);
    await watching.line(watching.stdout.length, built);
    expect(dashboardJson()).toContain(`"title": "${lastBurst}"`);
  });

  it("a save left empty for a moment (an editor that truncates, then writes) builds its text once, without a failure", async () => {
    const seen = watching.stdout.length;
    const text = readFileSync(file("dashboard.ts"), "utf8");
    writeFileSync(file("dashboard.ts"), "");
    // Well past the 10 ms a save settles in.
    await new Promise((resolve) => setTimeout(resolve, 100));
    writeFileSync(
      file("dashboard.ts"),
      text.replace(`title: "${lastBurst}"`, 'title: "Written after a pause"'),
    );
    await watching.line(seen, built);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(watching.stdout.slice(seen)).toHaveLength(1);
    expect(dashboardJson()).toContain('"title": "Written after a pause"');
    writeFileSync(file("dashboard.ts"), text);
    await watching.line(watching.stdout.length, built);
  });

  it("a save that keeps the file's size and an old modification time is built (as `cp -p` or `rsync -t` save)", async () => {
    // esbuild trusts a file's inode, size and modification time once that time is 3 s old: such a save looks unchanged.
    const old = new Date(Date.now() - 3_600_000);
    const text = readFileSync(file("dashboard.ts"), "utf8");
    const save = async (title: string) => {
      const seen = watching.stdout.length;
      writeFileSync(file("dashboard.ts"), text.replace(`title: "${lastBurst}"`, `title: "${title}"`));
      utimesSync(file("dashboard.ts"), old, old);
      await watching.line(seen, built);
      const deadline = Date.now() + 90_000;
      while (!dashboardJson().includes(`"title": "${title}"`) && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 50));
      expect(dashboardJson()).toContain(`"title": "${title}"`);
    };
    // Built once with the old time, then saved twice more with the same size and time (and back to the burst's title).
    const kept = lastBurst;
    await save(kept.replace(/\d$/, "4"));
    await save(kept.replace(/\d$/, "5"));
    await save(kept);
  });

  it("a save during a build is built after it", async () => {
    const seen = watching.stdout.length;
    edit("dashboard.ts", `title: "${lastBurst}"`, 'title: "First"');
    // After the build has started (the settling is 10 ms), before it can have finished.
    await new Promise((resolve) => setTimeout(resolve, 40));
    edit("dashboard.ts", 'title: "First"', 'title: "Second"');
    await watching.line(seen, built);
    const deadline = Date.now() + 90_000;
    while (!dashboardJson().includes('"title": "Second"') && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 50));
    expect(dashboardJson()).toContain('"title": "Second"');
    expect(watching.stdout.slice(seen).every((line) => built.test(line))).toBe(true);
  });

  it("a bad save prints the diagnostics at their line and leaves build/ as it was; a fix recovers", async () => {
    const before = readTree(path.join(root, "build"));
    let seen = watching.stdout.length;
    const stderrBefore = watching.stderr.length;
    edit(
      "dashboard.ts",
      "queries: [query(`sum(${up}{${sel}})`)]",
      "queries: [query(`sum(up_typo{${sel}})`)]",
    );
    const line = await watching.line(seen, failed);
    expect(failed.exec(line)![1]).toBe("1");
    /** The typo's own line and column, as the file is now. */
    const typoAt = () => {
      const lines = readFileSync(file("dashboard.ts"), "utf8").split("\n");
      const index = lines.findIndex((l) => l.includes("up_typo"));
      return `${index + 1}:${lines[index]!.indexOf("up_typo") + 1}`;
    };
    const reported = (from: number) =>
      new RegExp(
        `^${fixture}/dashboard\\.ts:${typoAt()} error .*unknown metric up_typo.* \\[promql/unknown-metric\\]$`,
        "m",
      ).test(watching.stderr.slice(from));
    expect(reported(stderrBefore), watching.stderr.slice(stderrBefore)).toBe(true);
    expect(readTree(path.join(root, "build"))).toEqual(before);

    // The same mistake two lines further down: placed by the file as it is now, not as an earlier build read it.
    seen = watching.stdout.length;
    const moved = watching.stderr.length;
    edit("dashboard.ts", "export const targets", "// One line more,\n// and another.\nexport const targets");
    await watching.line(seen, failed);
    expect(reported(moved), watching.stderr.slice(moved)).toBe(true);

    // A syntax error: esbuild's, at its line, and still nothing written.
    seen = watching.stdout.length;
    edit("dashboard.ts", 'uid: "watch-targets",', 'uid: "watch-targets",,');
    await watching.line(seen, failed);
    expect(watching.stderr).toMatch(
      new RegExp(`^${fixture}/dashboard\\.ts:\\d+:\\d+ error .*\\[typescript/syntax\\]$`, "m"),
    );
    expect(readTree(path.join(root, "build"))).toEqual(before);

    seen = watching.stdout.length;
    edit("dashboard.ts", 'uid: "watch-targets",,', 'uid: "watch-targets",');
    edit("dashboard.ts", "// One line more,\n// and another.\n", "");
    edit(
      "dashboard.ts",
      "queries: [query(`sum(up_typo{${sel}})`)]",
      "queries: [query(`sum(${up}{${sel}})`)]",
    );
    await watching.line(seen, built);
    expect(readTree(path.join(root, "build"))).toEqual(before);
  });

  it("an alert's edit is judged by promtool again, and its rejection leaves build/ as it was", async () => {
    const before = readTree(path.join(root, "build"));
    const seen = watching.stdout.length;
    const stderrBefore = watching.stderr.length;
    // Prometheus 3 syntax: our checks accept it, the promtool 2 installed here does not.
    edit(
      "alerts.ts",
      'expr: `${up}{job="${settings.jobs.app}"} ${targetUp}`',
      'expr: `{"up", job="global-sovereign"} ${targetUp}`',
    );
    await watching.line(seen, failed);
    expect(watching.stderr.slice(stderrBefore)).toMatch(
      /error alert TargetDown: promtool .* rejects it .* \[tool\/promtool\]/,
    );
    expect(readTree(path.join(root, "build"))).toEqual(before);
    const recovered = watching.stdout.length;
    edit(
      "alerts.ts",
      'expr: `{"up", job="global-sovereign"} ${targetUp}`',
      'expr: `${up}{job="${settings.jobs.app}"} ${targetUp}`',
    );
    await watching.line(recovered, built);
    expect(readTree(path.join(root, "build"))).toEqual(before);
  });

  it("after each kind of edit, build/ holds what o11y build makes of the same sources, or both say the same errors", async () => {
    /** `o11y build` of the sources as they are now, into a folder of its own: its exit code, files, and diagnostics. */
    const fullBuild = (n: number) => {
      const out = path.join(temp, `full-${n}`);
      const run = spawnSync(
        process.execPath,
        [
          path.join(root, "bin/o11y.js"),
          "build",
          "--project",
          `${fixture}/project.ts`,
          "--out",
          out,
          "--tools",
          "require",
          "--typecheck",
          "off",
        ],
        { cwd: root, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } },
      );
      return { status: run.status, out, diagnostics: diagnosticLines(run.stderr) };
    };
    const edits: Array<{ what: string; file: string; from: string; to: string; verdict: RegExp }> = [
      {
        what: "a dashboard's panel title",
        file: "dashboard.ts",
        from: 'title: "Second"',
        to: 'title: "Compared"',
        verdict: built,
      },
      {
        what: "an alert's summary: its rule and test files change, and promtool and vmalert judge them",
        file: "alerts.ts",
        from: 'summary: "Prometheus cannot scrape a target."',
        to: 'summary: "Prometheus cannot scrape this target."',
        verdict: built,
      },
      {
        what: "an alert's test that promtool fails",
        file: "alerts.ts",
        from: "input: scrapes(0),",
        to: "input: scrapes(1),",
        verdict: failed,
      },
      {
        what: "the test again, and an alert our checks reject while the tools judge its rule file",
        file: "alerts.ts",
        from: 'expr: `${up}{job="${settings.jobs.app}"} ${targetUp}`',
        to: 'expr: `up_typo{job="${settings.jobs.app}"} ${targetUp}`',
        verdict: failed,
      },
    ];
    for (const [n, step] of edits.entries()) {
      const seen = watching.stdout.length;
      const stderrBefore = watching.stderr.length;
      if (n === 3) edit("alerts.ts", "input: scrapes(1),", "input: scrapes(0),");
      edit(step.file, step.from, step.to);
      const line = await watching.line(seen, /( built | build failed)/);
      expect(line, step.what).toMatch(step.verdict);
      const full = fullBuild(n);
      if (step.verdict === built) {
        expect(full.status, step.what).toBe(0);
        expect(readTree(path.join(root, "build")), step.what).toEqual(readTree(full.out));
      } else {
        expect(full.status, step.what).toBe(1);
        expect(full.diagnostics.length, step.what).toBeGreaterThan(0);
        expect(diagnosticLines(watching.stderr.slice(stderrBefore)), step.what).toEqual(full.diagnostics);
        expect(existsSync(full.out), step.what).toBe(false);
      }
    }
    // Back to the sources the other tests edit.
    const seen = watching.stdout.length;
    edit(
      "alerts.ts",
      'expr: `up_typo{job="${settings.jobs.app}"} ${targetUp}`',
      'expr: `${up}{job="${settings.jobs.app}"} ${targetUp}`',
    );
    edit(
      "alerts.ts",
      'summary: "Prometheus cannot scrape this target."',
      'summary: "Prometheus cannot scrape a target."',
    );
    edit("dashboard.ts", 'title: "Compared"', 'title: "Second"');
    await watching.line(seen, built);
    // No staged folder is left of the builds that failed (the tree a build replaced may still be going).
    expect(readdirSync(root).filter((n) => n.includes(".staged."))).toEqual([]);
  });

  it("prints type errors when tsc has finished, and when they are gone", async () => {
    const seen = watching.stdout.length;
    edit(
      "catalog.ts",
      "// The fixture's own catalog",
      'export const notANumber: number = "one";\n// The fixture\'s own catalog',
    );
    // The build goes on (the definitions are valid), then tsc says what is wrong.
    await watching.line(seen, built);
    await watching.line(
      seen,
      /^\d\d:\d\d:\d\d type check: 1 error\(s\); build\/ holds the build nonetheless/,
    );
    expect(watching.stderr).toMatch(
      new RegExp(`^${fixture}/catalog\\.ts:\\d+:\\d+ error TS2322: .*\\[typescript/type-error\\]$`, "m"),
    );
    const fixed = watching.stdout.length;
    edit("catalog.ts", 'export const notANumber: number = "one";\n', "");
    await watching.line(fixed, /^\d\d:\d\d:\d\d type check: no errors$/);
  });

  it("a save of the runbook while a build runs is kept, and its alert table follows in a build after", async () => {
    const runbook = file("RUNBOOK.md");
    const saved = "\nSaved while an alert's build ran.\n";
    const seen = watching.stdout.length;
    edit(
      "alerts.ts",
      'summary: "Prometheus cannot scrape a target."',
      'summary: "Prometheus cannot reach a target."',
    );
    // Once the build stages its files it has read the runbook, and it writes the table only after the tools judged
    // them: the save lands in between, and must be kept, and the table must come to say the new summary.
    await until(() => readdirSync(root).some((n) => n.includes(".staged.")), "the build's staged files", {
      everyMs: 1,
    });
    appendFileSync(runbook, saved);
    await watching.line(seen, built);
    await until(
      () => readFileSync(runbook, "utf8").includes("| Prometheus cannot reach a target. |"),
      "the table to say the new summary",
    );
    expect(readFileSync(runbook, "utf8")).toContain(saved);
  });

  it("SIGINT during a build: exit 0, build/ whole, and no folder, record or process left behind", async () => {
    edit("dashboard.ts", 'title: "Second"', 'title: "Interrupted"');
    // Past the settling, into the build.
    await new Promise((resolve) => setTimeout(resolve, 60));
    const processes = descendants(watching.child.pid!);
    expect(processes.length).toBeGreaterThan(0);
    // The standbys' folder of links and pipes (src/engine/validate/tools/standby.ts): the alert edits above made some.
    const standbys = existsSync("/dev/shm") ? "/dev/shm" : tmpdir();
    const standbyFolders = () =>
      readdirSync(standbys).filter((n) => n.startsWith(`o11y-standby-${watching.child.pid}-`));
    expect(standbyFolders()).toHaveLength(1);
    watching.child.kill("SIGINT");
    expect(await watching.exited).toBe(0);
    expect(
      readdirSync(path.join(root, ".o11y-cache")).filter(
        (n) => n.startsWith("o11y-watch-") || n.startsWith("pending-"),
      ),
    ).toEqual([]);
    expect(readdirSync(root).filter((n) => n.startsWith(".o11y-tmp-"))).toEqual([]);
    expect(standbyFolders()).toEqual([]);
    expect(processes.filter(alive)).toEqual([]);
    wholeBuild(path.join(root, "build"));
  });
});

/** The diagnostics in a build's stderr: its `file:line ... [check]` lines and what follows each, without the notes and summary. */
function diagnosticLines(stderr: string): string[] {
  const lines: string[] = [];
  for (const line of stderr.split("\n")) {
    if (/^\S+:\d+(:\d+)? (error|warning) /.test(line)) lines.push(line);
    else if (/^\s+\S/.test(line) && lines.length > 0) lines[lines.length - 1] += `\n${line}`;
  }
  return lines;
}

/** The folder is exactly the files its manifest lists, each with the bytes it says. */
function wholeBuild(out: string): void {
  const files = readTree(out);
  const manifest = JSON.parse(files.get("manifest.json") ?? "{}") as {
    files?: Array<{ path: string; sha256: string }>;
  };
  expect([...files.keys()].filter((p) => p !== "manifest.json").sort()).toEqual(
    manifest.files!.map((f) => f.path),
  );
  for (const entry of manifest.files!) expect(sha256(files.get(entry.path)!), entry.path).toBe(entry.sha256);
}

describe("o11y check --watch", { timeout: 240_000 }, () => {
  const root2 = path.join(temp, "checkout-check");
  let watching: Watching;

  beforeAll(async () => {
    for (const name of copied)
      cpSync(path.join(projectRoot, name), path.join(root2, name), { recursive: true });
    symlinkSync(path.join(projectRoot, "node_modules"), path.join(root2, "node_modules"), "dir");
    const child = spawn(
      process.execPath,
      [
        path.join(root2, "bin/o11y.js"),
        "check",
        "--watch",
        "--project",
        `${fixture}/project.ts`,
        "--typecheck",
        "off",
      ],
      { cwd: root2, env: { ...process.env, NO_COLOR: "1" }, stdio: ["ignore", "pipe", "pipe"] },
    );
    watching = new Watching(child);
  });

  afterAll(() => {
    if (watching.child.exitCode === null) watching.child.kill("SIGKILL");
  });

  it("checks at the start and after each save, writes nothing, and stops on SIGINT", async () => {
    const clean = /^\d\d:\d\d:\d\d check: 0 error\(s\), 0 warning\(s\) \(\d+ ms\)$/;
    await watching.line(0, clean);
    const dashboardFile = path.join(root2, fixture, "dashboard.ts");
    const text = readFileSync(dashboardFile, "utf8");
    let seen = watching.stdout.length;
    writeFileSync(dashboardFile, text.replace("sum(${up}{${sel}})", "sum(up_typo{${sel}})"));
    await watching.line(seen, /^\d\d:\d\d:\d\d check: 1 error\(s\), 0 warning\(s\) \(\d+ ms\)$/);
    expect(watching.stdout.slice(seen).join("\n")).toMatch(
      /unknown metric up_typo.*\[promql\/unknown-metric\]/,
    );
    seen = watching.stdout.length;
    writeFileSync(dashboardFile, text);
    await watching.line(seen, clean);
    expect(existsSync(path.join(root2, "build"))).toBe(false);
    watching.child.kill("SIGINT");
    expect(await watching.exited).toBe(0);
  });

  it("refuses what it cannot watch: rule files, an expression, another format", () => {
    for (const args of [["rules.yaml"], ["--expr", "up"], ["--format", "json"]]) {
      const run = spawnSync(
        process.execPath,
        [path.join(root2, "bin/o11y.js"), "check", "--watch", ...args],
        {
          cwd: root2,
          encoding: "utf8",
        },
      );
      expect(run.status, args.join(" ")).toBe(2);
      expect(run.stderr).toMatch(/^o11y check --watch: watches the project's definitions and prints text/);
    }
  });
});
