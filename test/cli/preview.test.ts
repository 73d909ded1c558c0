/**
 * `o11y preview` as a user runs it: the pages of the real project written into a folder of its own (replaced by
 * the next preview, never a folder that holds anything else), and every refusal said in one line, exit 2, with
 * nothing written. With --prometheus and --png it is run against a real server in test/e2e/preview.test.ts.
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../e2e/harness.ts";
import { runCli } from "../helpers/cli.ts";
import { compile } from "../../src/engine/pipeline.ts";
import { project } from "../../src/project.ts";

const scratch = mkdtempSync(path.join(tmpdir(), "o11y-preview-cli-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
/** A port nothing listens on (one that was free a moment ago). */
let closedPort = 0;
beforeAll(async () => {
  closedPort = await freePort();
});

// A page per dashboard of the project, whatever its content holds.
const { model } = compile(project);
const [first, second] = model.dashboards;
const pages = [...model.dashboards.map((d) => `${d.uid}.html`), "index.html"].sort();

describe("o11y preview", { timeout: 180_000 }, () => {
  it("writes a page per dashboard and an index, layout only, and replaces them the next time", () => {
    const out = path.join(scratch, "preview");
    const run = runCli(["preview", "--out", out]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      new RegExp(
        `^previewed ${model.dashboards.length} dashboard\\(s\\) \\(layout only\\) into .*preview/: open .*index\\.html\n$`,
      ),
    );
    expect(readdirSync(out).sort()).toEqual([".o11y-preview.json", ...pages]);
    const page = readFileSync(path.join(out, `${first!.uid}.html`), "utf8");
    expect(page).toContain(`<h1>${first!.title}</h1>`);
    // Every dashboard links to the others (dashboard/links), and the page links their pages.
    expect(page).toContain(`<a href="${second!.uid}.html">${second!.title}</a>`);
    // A page an earlier preview wrote for a dashboard that is gone goes; the folder's other files stay.
    writeFileSync(path.join(out, "mine.txt"), "kept");
    const marker = JSON.parse(readFileSync(path.join(out, ".o11y-preview.json"), "utf8"));
    marker.files.push("gs-gone.html");
    writeFileSync(path.join(out, ".o11y-preview.json"), JSON.stringify(marker));
    writeFileSync(path.join(out, "gs-gone.html"), "old");
    const again = runCli(["preview", "--out", out]);
    expect(again.code, again.stderr).toBe(0);
    expect(readdirSync(out).sort()).toEqual([".o11y-preview.json", ...pages, "mine.txt"].sort());
    expect(readFileSync(path.join(out, `${first!.uid}.html`), "utf8")).toBe(page);
  });

  it.each([
    [
      "a folder that holds other files",
      () => {
        const dir = path.join(scratch, "site");
        mkdirSync(dir, { recursive: true });
        writeFileSync(path.join(dir, "index.html"), "someone's page");
        return ["--out", dir];
      },
      /^o11y preview: --out .*site holds files that no preview wrote \(it has no \.o11y-preview\.json\): pass a new or empty folder\n$/,
    ],
    [
      "the sources",
      () => ["--out", "src/preview"],
      /^o11y preview: --out src\/preview is inside src\/: pass a folder of its own/,
    ],
    ["the project", () => ["--out", "."], /^o11y preview: --out \. is the project or a folder above it/],
    [
      "--from without a server",
      () => ["--out", path.join(scratch, "no-server"), "--from", "now-1h"],
      /^o11y preview: --from and --to choose the range of the data: they need --prometheus <url>\n$/,
    ],
    [
      "a server that does not answer",
      () => ["--out", path.join(scratch, "unreachable"), "--prometheus", `http://127.0.0.1:${closedPort}`],
      /^o11y preview: cannot reach http:\/\/127\.0\.0\.1:\d+ \(query A\): ECONNREFUSED\n {4}fix: pass the URL of a running Prometheus/,
    ],
    [
      "pictures without chromium",
      () => ["--out", path.join(scratch, "no-browser"), "--png"],
      /^o11y preview: O11Y_CHROMIUM=\/nonexistent\/chromium: there is no such file\n$/,
    ],
  ])("refuses %s, writing nothing", (_name, args, message) => {
    const given = args();
    const out = given[given.indexOf("--out") + 1]!;
    const before = existsSync(path.resolve(out)) ? readdirSync(path.resolve(out)).sort() : undefined;
    const run = runCli(["preview", ...given], { O11Y_CHROMIUM: "/nonexistent/chromium" });
    expect(run.stderr).toMatch(message);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(existsSync(path.resolve(out)) ? readdirSync(path.resolve(out)).sort() : undefined).toEqual(before);
  });
});
