/**
 * `o11y build` and `o11y check` type-check the sources with the project's TypeScript and report each error at
 * its file:line:col; the result is cached by the sources' hash, so an unchanged tree does not run tsc again.
 * Every case runs in a copy of the project (node_modules linked), so this checkout's cache is left alone.
 */
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { projectRoot } from "../../src/engine/source.ts";
import { parseOutput } from "../../src/engine/typecheck/typecheck.ts";
import { editIn as edit, o11yIn as o11y, projectCopies, stackLine as stack } from "../helpers/copy.ts";

const projectCopy = projectCopies("o11y-typecheck-");
/** The type check's lines of a text report. */
const typeErrors = (stdout: string) => stdout.split("\n").filter((line) => line.includes("[typescript/"));
const entries = (dir: string) =>
  existsSync(path.join(dir, ".o11y-cache"))
    ? readdirSync(path.join(dir, ".o11y-cache")).filter((name) =>
        /^typecheck-[0-9a-f]{8}-[0-9a-f]{32}\.json$/.test(name),
      )
    : [];

describe("the type check", () => {
  const dir = projectCopy();
  const file = "src/dashboards/phoenix-metrics.ts";
  // A type error, which no run-time validation could see; and values the type checker is told to accept (casts),
  // which the run-time validation reports at the panel's line.
  const line =
    edit(dir, file, "\nexport const", '\nconst shown: number = "text";\nvoid shown;\nexport const') + 1;
  const column = "const shown: number".indexOf("shown") + 1;
  edit(
    dir,
    file,
    'description: "Requests per second, stacked by HTTP status code."',
    "description: 7 as unknown as string",
  );
  const panelLine = readFileSync(path.join(dir, file), "utf8")
    .split("\n")
    .findIndex((text) => text.includes("id: 201,"));

  it("reports a type error at its file:line:col and fails, in every format", () => {
    const text = o11y(dir, ["check", "--tools", "off"]);
    expect(text.code).toBe(1);
    expect(typeErrors(text.stdout)).toEqual([
      `${file}:${line}:${column} error TS2322: Type 'string' is not assignable to type 'number'. [typescript/type-error]`,
    ]);
    expect(text.stderr).not.toMatch(stack);
    const json = JSON.parse(o11y(dir, ["check", "--tools", "off", "--format", "json"]).stdout) as {
      diagnostics: Array<{ check: string; source: object }>;
    };
    expect(json.diagnostics.find((d) => d.check === "typescript/type-error")?.source).toEqual({
      file,
      line,
      column,
    });
    const build = o11y(dir, ["build", "--tools", "off", "--out", path.join(dir, "out")]);
    expect(build.code).toBe(1);
    expect(build.stderr).toContain("[typescript/type-error]");
    expect(existsSync(path.join(dir, "out"))).toBe(false);
  });

  it("is independent of the run-time validation, which reports what a cast hides", () => {
    // `7 as unknown as string` passes the type check; the kit still says the description is no text.
    const result = o11y(dir, ["check", "--tools", "off", "--typecheck", "off"]);
    expect(result.code).toBe(1);
    expect(result.stdout).not.toContain("[typescript/");
    // The panel's line is its timeseries({ call, the line before its id.
    expect(result.stdout).toContain(
      `${file}:${panelLine} error dashboard gs-phoenix-metrics › panel 201 "Request rate by status": description is 7 (a number), not text [definition/invalid]`,
    );
  });

  it("answers from its cache while the sources are unchanged, and runs again after an edit", () => {
    const [entry, ...others] = entries(dir);
    expect(others).toEqual([]);
    // An entry that says something tsc never would: read back only if the cache answers.
    const file = path.join(dir, ".o11y-cache", entry!);
    const cachedEntry = JSON.parse(readFileSync(file, "utf8")) as { diagnostics: Array<{ message: string }> };
    for (const d of cachedEntry.diagnostics) d.message = `from the cache: ${d.message}`;
    writeFileSync(file, JSON.stringify(cachedEntry));
    expect(o11y(dir, ["check", "--tools", "off"]).stdout).toContain(
      "error TS2322: from the cache: Type 'string'",
    );
    // Any edit under src/ is a new key: tsc runs, and the old entry goes.
    edit(dir, "src/config.ts", "\n", "\n// edited\n");
    const after = o11y(dir, ["check", "--tools", "off"]);
    expect(after.stdout).not.toContain("from the cache");
    expect(after.stdout).toContain("error TS2322: Type 'string'");
    expect(entries(dir)).toHaveLength(1);
    expect(entries(dir)).not.toContain(entry);
  });

  it("is skipped with --typecheck off, and never run for --expr", () => {
    const fresh = projectCopy();
    edit(
      fresh,
      "src/config.ts",
      "export const settings",
      "const unused: number = 'text';\nexport const settings",
    );
    expect(o11y(fresh, ["check", "--tools", "off", "--typecheck", "off"])).toMatchObject({ code: 0 });
    expect(o11y(fresh, ["check", "--tools", "off", "--expr", "up"])).toMatchObject({ code: 0 });
    expect(entries(fresh)).toEqual([]);
    const on = o11y(fresh, ["check", "--tools", "off"]);
    expect(on.code).toBe(1);
    expect(on.stdout).toMatch(
      /^src\/config\.ts:\d+:7 error TS2322: Type 'string' is not assignable to type 'number'\. \[typescript\/type-error\]$/m,
    );
  });

  it("covers the sources a project module outside src/ reads, and runs where .o11y-cache cannot be written", () => {
    const fresh = projectCopy();
    const fixtures = path.join(fresh, "fixtures");
    cpSync(path.join(projectRoot, "test/fixtures/broken-project.ts"), path.join(fixtures, "project.ts"));
    edit(fresh, "fixtures/project.ts", 'from "../../src/', 'from "../src/');
    while (readFileSync(path.join(fixtures, "project.ts"), "utf8").includes('from "../../src/'))
      edit(fresh, "fixtures/project.ts", 'from "../../src/', 'from "../src/');
    edit(
      fresh,
      "fixtures/project.ts",
      "const dashboards =",
      'import { extra } from "./helper.ts";\nvoid extra;\nconst dashboards =',
    );
    writeFileSync(path.join(fixtures, "helper.ts"), "export const extra: number = 1;\n");
    const args = ["check", "--tools", "off", "--project", "fixtures/project.ts"];
    expect(o11y(fresh, args).stdout).not.toContain("[typescript/");
    // The helper is outside src/: its hash, kept in the entry, says the cached answer no longer holds.
    writeFileSync(path.join(fixtures, "helper.ts"), 'export const extra: number = "one";\n');
    const expected = [
      "fixtures/helper.ts:1:14 error TS2322: Type 'string' is not assignable to type 'number'. [typescript/type-error]",
    ];
    expect(typeErrors(o11y(fresh, args).stdout)).toEqual(expected);
    // No cache: checked all the same, and nothing left behind.
    rmSync(path.join(fresh, ".o11y-cache"), { recursive: true });
    writeFileSync(path.join(fresh, ".o11y-cache"), "");
    expect(typeErrors(o11y(fresh, args).stdout)).toEqual(expected);
    expect(readdirSync(fresh).filter((name) => name.startsWith(".o11y-tmp"))).toEqual([]);
  });
});

describe("tsc's output", () => {
  it("becomes diagnostics: located or not, with a message's further lines, and the files read", () => {
    const output = [
      "src/a.ts(3,7): error TS2322: Type 'number' is not assignable to type 'string'.",
      "src/b.ts(10,1): error TS1005: ';' expected.",
      "error TS2688: Cannot find type definition file for 'node'.",
      "  The file is in the program because:",
      "    Entry point of type library 'node' specified in compilerOptions",
      "/root/src/a.ts",
      "/root/node_modules/x/index.d.ts",
      "",
    ].join("\n");
    expect(parseOutput("/root", output)).toEqual({
      diagnostics: [
        {
          check: "typescript/type-error",
          severity: "error",
          subject: "TS2322",
          source: { file: "src/a.ts", line: 3, column: 7 },
          message: "Type 'number' is not assignable to type 'string'.",
        },
        {
          check: "typescript/syntax",
          severity: "error",
          subject: "TS1005",
          source: { file: "src/b.ts", line: 10, column: 1 },
          message: "';' expected.",
        },
        {
          check: "typescript/type-error",
          severity: "error",
          subject: "TS2688",
          source: { file: "tsconfig.json", line: 1 },
          message:
            "Cannot find type definition file for 'node'.\n    The file is in the program because:\n    Entry point of type library 'node' specified in compilerOptions",
        },
      ],
      files: ["/root/src/a.ts", "/root/node_modules/x/index.d.ts"],
    });
  });
});
