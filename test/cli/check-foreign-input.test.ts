/**
 * `o11y check <files>` on what is not a reasonable rule file: each is refused with its reason, at its line,
 * quickly and in little memory, and the run goes on to the other files.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { maxRuleFileBytes } from "../../src/cli/read-rule-file.ts";
import type { Diagnostic } from "../../src/engine/diagnostics.ts";
import { projectRoot } from "../../src/engine/source.ts";
import { billionLaughs } from "../helpers/yaml.ts";

const dir = mkdtempSync(path.join(tmpdir(), "o11y-foreign-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** One mistake of ours to find: a rate() over a gauge, at line 5. */
const rule =
  "groups:\n  - name: g\n    rules:\n      - record: job:vm_memory:rate5m\n        expr: sum by (job) (rate(vm_memory_total_bytes[5m]))\n";

/** `o11y check --format json` over these paths, from the temporary folder; a FIFO read by mistake would hang it. */
function check(paths: string[]) {
  const result = spawnSync(
    process.execPath,
    [path.join(projectRoot, "bin/o11y.js"), "check", "--format", "json", ...paths],
    { cwd: dir, encoding: "utf8", timeout: 60_000 },
  );
  expect(result.signal, result.stderr).toBeNull();
  return {
    code: result.status,
    diagnostics: (JSON.parse(result.stdout) as { diagnostics: Diagnostic[] }).diagnostics,
  };
}

describe("o11y check on files that are not reasonable rule files", () => {
  it("refuses each with its reason and checks the rest", () => {
    spawnSync("mkfifo", [path.join(dir, "pipe.yaml")]);
    mkdirSync(path.join(dir, "folder.yaml"));
    writeFileSync(path.join(dir, "huge.yaml"), "");
    truncateSync(path.join(dir, "huge.yaml"), 100 * 1024 * 1024); // sparse: 100 MB that take no disk
    writeFileSync(
      path.join(dir, "latin1.yaml"),
      Buffer.concat([
        Buffer.from("groups:\n  - name: g\n    rules:\n      - alert: Caf"),
        Buffer.from([0xe9]),
        Buffer.from("\n        expr: up == 0\n"),
      ]),
    );
    writeFileSync(path.join(dir, "bom.yaml"), `\uFEFF${rule}`);
    writeFileSync(
      path.join(dir, "utf16.yaml"),
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(rule, "utf16le")]),
    );
    writeFileSync(path.join(dir, "laughs.yaml"), billionLaughs);

    const start = performance.now();
    const { code, diagnostics } = check([
      "/dev/zero",
      "pipe.yaml",
      "folder.yaml",
      "huge.yaml",
      "latin1.yaml",
      "bom.yaml",
      "utf16.yaml",
      "laughs.yaml",
    ]);
    expect(performance.now() - start).toBeLessThan(30_000);
    expect(code).toBe(1);
    expect(diagnostics.map((d) => `${d.source.file}:${d.source.line} ${d.check} ${d.message}`)).toEqual([
      "/dev/zero:1 rules/file cannot be read: it is a device, not a file",
      // The files with a byte order mark are read, and their rule checked, at its line.
      expect.stringMatching(
        /^bom\.yaml:5 promql\/rate-on-counter rate\(\) over gauge vm_memory_total_bytes:/,
      ),
      "folder.yaml:1 rules/file cannot be read: it is a folder",
      `huge.yaml:1 rules/file cannot be read: it is 104857600 bytes, more than the ${maxRuleFileBytes} (32 MiB) o11y check reads from one file`,
      "latin1.yaml:4 rules/file cannot be read: it is not UTF-8 text: byte 0xe9 at line 4, byte 19 of the line",
      expect.stringMatching(
        /^laughs\.yaml:4 rules\/file not valid YAML: aliases expand too much: by alias \*c, /,
      ),
      "pipe.yaml:1 rules/file cannot be read: it is a named pipe (FIFO), not a file: reading it could wait forever",
      expect.stringMatching(
        /^utf16\.yaml:5 promql\/rate-on-counter rate\(\) over gauge vm_memory_total_bytes:/,
      ),
    ]);
  });

  it("reads a billion laughs' file to its rules/file error in under a second and 100 MB", () => {
    // In a child of its own, so that its peak memory is measured alone; the old reader ran out of memory here.
    const script = `
      import { readRuleFile } from ${JSON.stringify(path.join(projectRoot, "src/engine/check/rule-file.ts"))};
      const before = process.resourceUsage().maxRSS;
      const start = performance.now();
      const file = readRuleFile("laughs.yaml", ${JSON.stringify(billionLaughs)}, "1m");
      const ms = performance.now() - start;
      console.log(JSON.stringify({ ms, grownKb: process.resourceUsage().maxRSS - before, diagnostics: file.diagnostics.map((d) => d.check + " " + d.source.line) }));
    `;
    const child = spawnSync(
      process.execPath,
      ["--max-old-space-size=512", "--import", "tsx", "--input-type=module", "-e", script],
      { cwd: projectRoot, encoding: "utf8", timeout: 60_000 },
    );
    expect(child.status, child.stderr.slice(0, 2000)).toBe(0);
    const { ms, grownKb, diagnostics } = JSON.parse(child.stdout) as {
      ms: number;
      grownKb: number;
      diagnostics: string[];
    };
    expect(diagnostics).toEqual(["rules/file 4"]);
    expect(ms).toBeLessThan(1000);
    expect(grownKb).toBeLessThan(100 * 1024);
  });
});
