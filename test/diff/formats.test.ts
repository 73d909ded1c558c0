/**
 * What `o11y diff` shows a reviewer of one inserted panel, in every format, and that `check` and `diff` take the
 * same `--format` values with the same meaning for `github` (annotations, then the summary as a notice).
 */
import { describe, expect, it } from "vitest";
import { Option } from "commander";
import { cliProgram } from "../../src/cli/main.ts";
import { formatReport } from "../../src/cli/format.ts";
import { renderGithub, renderMarkdown } from "../../src/engine/diff/render.ts";
import { renderText } from "../../src/engine/diff/text.ts";
import { base, diff, edited, type Doc } from "./build.ts";

const dashboard = "grafana/dashboards/shop-overview.json";

/** Shop Overview with a full-width stat inserted under the first row: everything below moves down 4. */
const inserted = edited({
  [dashboard]: (doc: Doc) => {
    const template = doc.panels.find((p: Doc) => p.id === 101);
    for (const p of doc.panels) if (p.gridPos.y >= 5) p.gridPos.y += 4;
    const added = {
      ...structuredClone(template),
      id: 105,
      title: "Inserted",
      gridPos: { h: 4, w: 24, x: 0, y: 5 },
    };
    doc.panels.splice(doc.panels.indexOf(template) + 4, 0, added);
  },
});

/** The panels below the inserted one: the fixture dashboard's rows and panels under its first row. */
const below = ["200", "201", "202", "300", "301", "302", "303", "400", "401", "500", "501"];
const layoutLine = `shop-overview\` layout only: ${below.length} panels moved (${below.join(", ")} down 4)`;

describe("o11y diff of one inserted panel", () => {
  const report = diff(inserted);

  it("lists the added panel alone, and the panels below it as moved, not changed", () => {
    const overview = report.dashboards.find((d) => d.key === "shop-overview")!;
    expect(overview.panels.map((p) => [p.key, p.status])).toEqual([["105", "added"]]);
    expect(
      (JSON.parse(base.find((f) => f.path === dashboard)!.content).panels as Doc[])
        .filter((p) => p.gridPos.y >= 5)
        .map((p) => String(p.id)),
    ).toEqual(below);
    expect(overview.moved.map((m) => m.key)).toEqual(below);
  });

  it("summarises the moved panels in one line, with no position row for any of them", () => {
    const markdown = renderMarkdown(report);
    expect(markdown).not.toMatch(/\| position \|/);
    expect(markdown.split("\n").filter((l) => l.includes("layout only"))).toEqual([`- \`${layoutLine}`]);
  });

  it("says the same as text, in lines for a terminal", () => {
    const text = renderText(report);
    expect(text).not.toContain("position");
    expect(text.split("\n")).toEqual([
      "base → head: 1 dashboard (1 changed).",
      "",
      "Dashboards:",
      '  shop-overview › panel 105 "Inserted": added',
      "    type: stat",
      "    unit: reqps",
      '    query A: sum(rate(shop_http_requests_total{job=~"$job", instance=~"$instance"}[$__rate_interval]))',
      `  ${layoutLine.replace("`", "")}`,
      "",
    ]);
  });

  it("as github, ends with the summary as a notice, as check does", () => {
    const lines = renderGithub(report).trimEnd().split("\n");
    expect(lines.at(-1)).toBe("::notice title=o11y diff::base → head: 1 dashboard (1 changed).");
  });

  it("finds nothing in a build against itself, in text too", () => {
    expect(renderText(diff(base))).toBe(
      "No changes to alerts, recording rules or dashboards between base and head.\n",
    );
  });
});

describe("pictures of the changed dashboards", () => {
  const report = {
    ...diff(inserted),
    pictures: {
      folder: "out (1)/pics",
      dashboards: [
        {
          uid: "shop-overview",
          title: "Shop | <b>Overview</b> [x](y)",
          before: "shop-overview.before.png",
          after: "shop-overview.after.png",
        },
        { uid: "gs-new", title: "New", after: "gs-new.after.png" },
      ],
    },
  };

  it("are linked by their path in Markdown, every string escaped", () => {
    expect(renderMarkdown(report).split("### Pictures\n\n")[1]!.split("\n### ")[0]).toBe(
      [
        "Each changed dashboard before and after, as `o11y preview` draws it (the layout), in `out (1)/pics`:",
        "",
        "| dashboard | before | after |",
        "|---|---|---|",
        "| `shop-overview` Shop \\| \\<b>Overview\\</b> \\[x\\](y) | [shop-overview.before.png](out%20%281%29/pics/shop-overview.before.png) | [shop-overview.after.png](out%20%281%29/pics/shop-overview.after.png) |",
        "| `gs-new` New | — | [gs-new.after.png](out%20%281%29/pics/gs-new.after.png) |",
        "",
      ].join("\n"),
    );
  });

  it("with a link, name their files and link where they are", () => {
    const linked = { ...report, pictures: { ...report.pictures, link: "https://ci.example/run/1" } };
    const markdown = renderMarkdown(linked);
    expect(markdown).toContain("(the layout), in [this run's artifacts](https://ci.example/run/1):");
    expect(markdown).toContain("| `gs-new` New | — | `gs-new.after.png` |");
    expect(renderText(linked).split("\n").slice(-4)).toEqual([
      "Pictures (in https://ci.example/run/1):",
      "  shop-overview: before shop-overview.before.png, after shop-overview.after.png",
      "  gs-new: before none, after gs-new.after.png",
      "",
    ]);
  });
});

describe("--format", () => {
  const formatChoices = (command: string) => {
    const program = cliProgram({
      build: async () => {},
      check: async () => {},
      diff: async () => {},
      importDashboard: async () => {},
      preview: async () => {},
      importRules: async () => {},
    });
    const option = program.commands
      .find((c) => c.name() === command)!
      .options.find((o: Option) => o.long === "--format")!;
    return option.argChoices;
  };

  it("takes the same values for check and diff", () => {
    expect(formatChoices("check")).toEqual(["text", "markdown", "json", "github"]);
    expect(formatChoices("diff")).toEqual(formatChoices("check"));
  });

  it("check's markdown is a comment: the summary, then a row per finding, every string escaped", () => {
    const markdown = formatReport(
      [
        {
          check: "promql/unknown-label",
          severity: "error",
          subject: "alert A|B",
          source: { file: "src/alerts/x.ts", line: 3, column: 7 },
          message: "label *x* is not on y",
          fix: "use `z`",
        },
      ],
      "markdown",
      false,
    );
    expect(markdown).toBe(
      [
        "## o11y check",
        "",
        "1 error(s), 0 warning(s)",
        "",
        "| severity | where | subject | message | check |",
        "|---|---|---|---|---|",
        "| error | `src/alerts/x.ts:3:7` | alert A\\|B | label \\*x\\* is not on y<br>fix: use \\`z\\` | `promql/unknown-label` |",
        "",
      ].join("\n"),
    );
  });
});
