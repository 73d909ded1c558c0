/**
 * `o11y diff --pictures <dir>`: a before and an after picture of each changed dashboard, taken by headless
 * chromium from the base's and the head's files, and linked from the report. Fails, never skips, without chromium.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { decode } from "../preview/pixels.ts";
import { fixture, newRepo, removeTemps, sh, tempDir } from "./repo.ts";
import { expectValidReport } from "./report-schema.ts";

afterAll(removeTemps);

// Each run starts chromium and takes two pictures per changed dashboard: slow on a loaded machine.
describe("o11y diff --pictures", { timeout: 300_000 }, () => {
  const repo = newRepo();
  repo.edit(`${fixture}/dashboards.ts`, 'title: "Request rate by route"', 'title: "Requests by route"');
  repo.commit("Rename a panel");

  it("pictures each changed dashboard before and after, and the Markdown links them", () => {
    const dir = path.join(tempDir("o11y-pictures-"), "pictures");
    const run = repo.o11y("diff", "--base", "HEAD~1", "--pictures", dir);
    expect(run.code, run.stderr).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(["shop-overview.after.png", "shop-overview.before.png"]);
    const [before, after] = ["before", "after"].map((side) =>
      decode(readFileSync(path.join(dir, `shop-overview.${side}.png`))),
    );
    expect([before!.width, after!.width]).toEqual([1600, 1600]);
    // The renamed title is drawn: the pictures differ, and only a little.
    let differ = 0;
    for (let y = 0; y < Math.min(before!.height, after!.height); y += 2)
      for (let x = 0; x < 1600; x += 2)
        if (before!.at(x, y).some((c, i) => c !== after!.at(x, y)[i])) differ++;
    expect(differ).toBeGreaterThan(10);
    expect(differ).toBeLessThan((1600 * before!.height) / 4 / 10);
    expect(run.stdout).toContain(
      `### Pictures\n\nEach changed dashboard before and after, as \`o11y preview\` draws it (the layout), in \`${dir}\`:\n\n| dashboard | before | after |\n|---|---|---|\n| \`shop-overview\` Shop Overview | [shop-overview.before.png](${dir}/shop-overview.before.png) | [shop-overview.after.png](${dir}/shop-overview.after.png) |\n`,
    );
  });

  it("in JSON, with --pictures-url, says where readers find them", () => {
    const dir = tempDir("o11y-pictures-");
    const url = "https://github.com/o/r/actions/runs/1";
    const run = repo.o11y(
      "diff",
      "--base",
      "HEAD~1",
      "--format",
      "json",
      "--pictures",
      dir,
      "--pictures-url",
      url,
    );
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout);
    expectValidReport(report);
    expect(report.pictures).toEqual({
      folder: dir,
      link: url,
      dashboards: [
        {
          uid: "shop-overview",
          title: "Shop Overview",
          before: "shop-overview.before.png",
          after: "shop-overview.after.png",
        },
      ],
    });
  });

  it("without chromium, says so at once and writes nothing", () => {
    const dir = path.join(tempDir("o11y-pictures-"), "pictures");
    const run = sh(
      process.execPath,
      [path.join(repo.dir, "bin/o11y.js"), "diff", "--pictures", dir],
      repo.dir,
      {
        O11Y_CHROMIUM: "/nonexistent/chromium",
      },
    );
    expect(run).toEqual({
      code: 2,
      stdout: "",
      stderr: "o11y diff: O11Y_CHROMIUM=/nonexistent/chromium: there is no such file\n",
    });
    expect(existsSync(dir)).toBe(false);
  });
});
