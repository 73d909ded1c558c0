/**
 * Tool standbys (src/engine/validate/tools/standby.ts): a tool started before its run, reading its entry through a
 * named pipe and the rest through links to the staged folder, says exactly what the same tool says run in the staged
 * folder; and a standby that cannot serve (ended, its executable replaced, still starting, aborted) never gives a
 * verdict on other bytes.
 */
import { createHash } from "node:crypto";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { isAlive } from "../../src/engine/emit/owner.ts";
import {
  disableStandbys,
  enableStandbys,
  maxStandbys,
  refillStandbys,
  runStaged,
  waitingStandbys,
} from "../../src/engine/validate/tools/standby.ts";
import { until } from "../helpers/until.ts";
import { findExecutable, runTool, type ToolRun } from "../../src/engine/validate/tools/tool.ts";
import { promtool } from "../../src/engine/validate/tools/promtool.ts";

const temp = mkdtempSync(path.join(tmpdir(), "o11y-standby-"));
const root = path.join(temp, "project");
mkdirSync(root);
afterAll(() => rmSync(temp, { recursive: true, force: true }));

beforeEach(() => enableStandbys(root));
afterEach(async () => {
  await disableStandbys();
});

let folders = 0;
/** A new staged folder holding `files` (path: content). */
function staged(files: Record<string, string | Buffer>): string {
  const dir = path.join(temp, `staged-${folders++}`);
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), content);
  }
  return dir;
}

/** An executable shell script. */
function script(name: string, body: string): string {
  const file = path.join(temp, name);
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, 0o755);
  return file;
}

interface Run {
  file: string;
  args: string[];
  relativeDir: string;
  entry: string;
}

const cold = (run: Run, dir: string) => runTool(run.file, run.args, path.join(dir, run.relativeDir));
const viaStandby = (run: Run, dir: string, signal?: AbortSignal) =>
  runStaged(run.file, run.args, dir, run.relativeDir, run.entry, true, signal);

/** The run once (it is then wanted), and its standby started and waiting. */
async function primed(run: Run, dir: string): Promise<void> {
  await viaStandby(run, dir);
  await refillStandbys();
  expect(waitingStandbys()).toContain(`${[run.file, ...run.args].join(" ")} in ${run.relativeDir}`);
}

const verdict = ({ code, output, error }: ToolRun) => ({ code, output, error });

const promtoolFile = (() => {
  const found = findExecutable(promtool);
  return "file" in found ? found.file : undefined;
})();

const config = `rule_files:\n  - rules/*.yaml\n`;
const goodRules = `groups:\n  - name: g\n    rules:\n      - alert: Down\n        expr: up == 0\n        for: 1m\n`;
const badRules = `groups:\n  - name: g\n    rules:\n      - alert: Down\n        expr: up ==\n`;
const tests = (expected: string) =>
  `rule_files:\n  - ../rules/a.yaml\nevaluation_interval: 1m\ntests:\n  - interval: 1m\n    input_series:\n      - series: up{job="x"}\n        values: 0x5\n    alert_rule_test:\n      - eval_time: 3m\n        alertname: Down\n        exp_alerts: ${expected}\n`;

describe.runIf(promtoolFile !== undefined)(
  "promtool through a standby says what it says in the staged folder",
  () => {
    const cases: Array<{
      name: string;
      run: Omit<Run, "file">;
      files: Record<string, string>;
      code: number;
    }> = [
      {
        name: "check config accepts the config and the rule files it globs",
        run: { args: promtool.args("prometheus.yml"), relativeDir: "prometheus", entry: "prometheus.yml" },
        files: { "prometheus/prometheus.yml": config, "prometheus/rules/a.yaml": goodRules },
        code: 0,
      },
      {
        name: "check config rejects a rule file it reads through the links",
        run: { args: promtool.args("prometheus.yml"), relativeDir: "prometheus", entry: "prometheus.yml" },
        files: { "prometheus/prometheus.yml": config, "prometheus/rules/a.yaml": badRules },
        code: 1,
      },
      {
        name: "test rules passes",
        run: {
          args: ["test", "rules", "a.test.yaml"],
          relativeDir: "prometheus/tests",
          entry: "a.test.yaml",
        },
        files: {
          "prometheus/rules/a.yaml": goodRules,
          "prometheus/tests/a.test.yaml": tests(`\n          - exp_labels: {job: x}`),
        },
        code: 0,
      },
      {
        name: "test rules fails",
        run: {
          args: ["test", "rules", "a.test.yaml"],
          relativeDir: "prometheus/tests",
          entry: "a.test.yaml",
        },
        files: { "prometheus/rules/a.yaml": goodRules, "prometheus/tests/a.test.yaml": tests("[]") },
        code: 1,
      },
    ];
    it.each(cases)("$name", async ({ run: partial, files, code }) => {
      const run = { file: promtoolFile!, ...partial };
      await primed(run, staged(files));
      const dir = staged(files);
      const expected = await cold(run, dir);
      expect(expected.code).toBe(code);
      const got = await viaStandby(run, dir);
      expect(got.standby).toBe(true);
      expect(verdict(got)).toEqual(verdict(expected));
    });
  },
);

describe("a standby", () => {
  // Prints where it runs, its entry's digest and bytes, and what it finds beside it and above.
  const reader = script(
    "reader",
    'echo "in $(pwd)"; sha256sum < "$1"; echo; cat "$1"; echo; ls -A; echo --; ls -A ..; cat ../beside/data.txt',
  );
  const run = { file: reader, args: ["entry.txt"], relativeDir: "dir/sub", entry: "entry.txt" };
  const files = (entry: string | Buffer) => ({
    "dir/sub/entry.txt": entry,
    "dir/sub/other.txt": "other",
    "dir/beside/data.txt": "beside",
    "top.txt": "top",
  });
  /** The output without its first line (the folder it ran in, which differs). */
  const judged = (run: ToolRun) => run.output.split("\n").slice(1).join("\n");

  it("is fed the staged entry whole (more than a pipe holds) and reads the rest through the staged folder", async () => {
    await primed(run, staged(files("first")));
    const big = Buffer.alloc(3 * 2 ** 20, "0123456789abcdef\n");
    const dir = staged(files(big));
    const got = await viaStandby(run, dir);
    expect(got.standby).toBe(true);
    expect(got.code).toBe(0);
    expect(got.output).toContain(createHash("sha256").update(big).digest("hex"));
    expect(got.output).not.toContain(path.join(dir, "dir", "sub"));
    expect(judged(got)).toBe(judged(await cold(run, dir)));
  });

  it("sees the staged folder's entries when they differ from the build before", async () => {
    await primed(run, staged({ ...files("a"), "dir/gone.txt": "x", "dir/sub/gone.txt": "x" }));
    const dir = staged({ ...files("b"), "dir/new.txt": "y", "dir/sub/new.txt": "y" });
    const got = await viaStandby(run, dir);
    expect(got.standby).toBe(true);
    expect(got.output).toContain("new.txt");
    expect(got.output).not.toContain("gone.txt");
    expect(judged(got)).toBe(judged(await cold(run, dir)));
  });

  it("serves a tool that opens its entry twice the same bytes twice", async () => {
    const twice = script("twice", 'sha256sum < "$1"; sha256sum < "$1"');
    const twiceRun = { ...run, file: twice };
    await primed(twiceRun, staged(files("a")));
    const got = await viaStandby(twiceRun, staged(files("twice")));
    expect(got.standby).toBe(true);
    const digest = createHash("sha256").update("twice").digest("hex");
    expect(got.output).toBe(`${digest}  -\n${digest}  -\n`);
  });

  it("is fed through an absolute path when the staged folder is given as a relative one", async () => {
    await primed(run, staged(files("a")));
    const dir = staged(files("relative"));
    const got = await runStaged(
      run.file,
      run.args,
      path.relative(process.cwd(), dir),
      run.relativeDir,
      run.entry,
      true,
    );
    expect(got.standby).toBe(true);
    expect(judged(got)).toBe(judged(await cold(run, dir)));
    expect(got.output).toContain("beside");
  });

  it("that ends before reading all of its entry gives way to a run as usual", async () => {
    // Reads 10 bytes, then a whole entry only when it is not standing by.
    const partial = script(
      "partial",
      'case "$(pwd)" in *tree*) head -c 10 "$1";; *) sha256sum < "$1";; esac',
    );
    const partialRun = { ...run, file: partial };
    await primed(partialRun, staged(files("a")));
    const dir = staged(files(Buffer.alloc(2 ** 20, "x")));
    const got = await viaStandby(partialRun, dir);
    expect(got.standby).toBeUndefined();
    expect(verdict(got)).toEqual(verdict(await cold(partialRun, dir)));
  });

  it("stands in only where its caller allows it (a tool that reads its entry once, nothing read from outside)", async () => {
    await primed(run, staged(files("a")));
    const dir = staged(files("not allowed"));
    const got = await runStaged(run.file, run.args, dir, run.relativeDir, run.entry, false);
    expect(got.standby).toBeUndefined();
    expect(judged(got)).toBe(judged(await cold(run, dir)));
  });

  it("stands in only for a run whose entry is one of its arguments, in its folder", async () => {
    for (const entry of ["missing.txt", "sub/entry.txt"]) {
      const odd = { ...run, entry };
      await viaStandby(odd, staged(files("a")));
      await refillStandbys();
      expect(waitingStandbys()).toEqual([]);
    }
  });

  it("still starting is waited for, not given up", async () => {
    const slow = script("slow-reader", 'sleep 0.5; sha256sum < "$1"');
    const slowRun = { ...run, file: slow };
    await primed(slowRun, staged(files("a")));
    const dir = staged(files("b"));
    const got = await viaStandby(slowRun, dir);
    expect(got.standby).toBe(true);
    expect(verdict(got)).toEqual(verdict(await cold(slowRun, dir)));
  });

  /** The pids a script wrote with `echo $$ $(pwd) >> file` while it stood by (in a standby's tree, not a staged folder). */
  const standbyPids = (file: string) =>
    existsSync(file)
      ? readFileSync(file, "utf8")
          .trim()
          .split("\n")
          .filter((line) => line.includes(`${path.sep}tree${path.sep}`))
          .map((line) => Number(line.split(" ")[0]))
      : [];
  it.each([
    {
      name: "has ended",
      spoil: (pidFile: string) => void process.kill(standbyPids(pidFile)[0]!, "SIGKILL"),
    },
    {
      name: "runs an executable replaced since it started",
      spoil: (_pidFile: string, file: string) =>
        writeFileSync(file, `#!/bin/sh\necho replaced; sha256sum < "$1"\n`),
    },
  ])("that $name gives way to a run as usual", async ({ spoil }) => {
    const pidFile = path.join(temp, `pid-${folders}`);
    const file = script(`spoiled-${folders}`, `echo $$ $(pwd) >> ${pidFile}; sha256sum < "$1"`);
    const spoiled = { ...run, file };
    await primed(spoiled, staged(files("a")));
    await until(() => standbyPids(pidFile).length === 1, "the standby");
    spoil(pidFile, file);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const dir = staged(files("b"));
    const got = await viaStandby(spoiled, dir);
    expect(got.standby).toBeUndefined();
    expect(verdict(got)).toEqual(verdict(await cold(spoiled, dir)));
  });

  it("is killed when its verdict is no longer wanted", async () => {
    const hang = script("hang", 'content=$(cat "$1"); case "$content" in *hang*) sleep 300;; esac');
    const hangRun = { ...run, file: hang };
    await primed(hangRun, staged(files("a")));
    const stop = new AbortController();
    const running = viaStandby(hangRun, staged(files("hang")), stop.signal);
    setTimeout(() => stop.abort(), 200);
    const got = await running;
    expect(got.standby).toBe(true);
    expect(got.error).toBe("killed: its verdict is no longer wanted");
  });

  it(`waits for the last ${maxStandbys} runs only, and none is left once turned off`, async () => {
    const pids = path.join(temp, "many.pids");
    const runs = Array.from({ length: maxStandbys + 2 }, (_, i) => ({
      ...run,
      file: script(`many-${i}`, `echo $$ $(pwd) >> ${pids}; cat "$1"`),
    }));
    for (const each of runs) await viaStandby(each, staged(files("a")));
    await refillStandbys();
    expect(waitingStandbys().sort()).toEqual(
      runs
        .slice(-maxStandbys)
        .map((each) => `${each.file} entry.txt in dir/sub`)
        .sort(),
    );
    await until(() => standbyPids(pids).length === maxStandbys, "the standbys");
    const started = standbyPids(pids);
    const ours = () =>
      readdirSync(existsSync("/dev/shm") ? "/dev/shm" : tmpdir()).filter((name) =>
        name.startsWith(`o11y-standby-${process.pid}-`),
      );
    expect(ours()).toHaveLength(1);
    await disableStandbys();
    expect(started.filter((pid) => isAlive({ pid, start: 0 }))).toEqual([]);
    expect(waitingStandbys()).toEqual([]);
    expect(ours()).toEqual([]);
  });
});
