import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import * as prettier from "prettier";
import { describe, expect, it } from "vitest";

// The project's own code follows its prettier configuration, so that what `o11y import` generates (formatted
// with the same configuration) looks like the rest.
const root = path.resolve(import.meta.dirname, "../..");
const ignorePath = path.join(root, ".prettierignore");

function trackedCode(): string[] {
  const listed = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
    cwd: root,
    encoding: "utf8",
  });
  return listed.split("\0").filter((file) => /\.(ts|js|mjs|cjs)$/.test(file));
}

describe("formatting", () => {
  it("every source, test and script file is formatted with the project's prettier configuration", async () => {
    const unformatted: string[] = [];
    for (const file of trackedCode()) {
      const filepath = path.join(root, file);
      const info = await prettier.getFileInfo(filepath, { ignorePath });
      if (info.ignored || !info.inferredParser) continue;
      const options = (await prettier.resolveConfig(filepath)) ?? {};
      const text = readFileSync(filepath, "utf8");
      if (!(await prettier.check(text, { ...options, filepath }))) unformatted.push(file);
    }
    expect(unformatted, "run `npm run format` to format these files").toEqual([]);
  });
});
