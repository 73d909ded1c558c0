/**
 * A build links the files that the build it replaces holds with the very same bytes, and writes the others: an
 * unchanged file keeps its inode, while a changed one, one edited by hand in build/, or one that is not a regular
 * file there is written afresh. Whatever was linked, every file of the new tree holds what the build made.
 */
import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { emit, manifestArtifact, stage } from "../../src/engine/emit/emit.ts";
import { compile } from "../../src/engine/pipeline.ts";
import type { Artifact } from "../../src/engine/render/artifact.ts";
import { readTree } from "../helpers/cli.ts";
import { project } from "../fixtures/watch/project.ts";

const temp = mkdtempSync(path.join(tmpdir(), "o11y-unchanged-"));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

const built = compile(project);
const files = built.artifacts.filter((a) => a.path !== "manifest.json");
const dashboard = "grafana/dashboards/watch-targets.json";

/** The build with some files' content replaced, its manifest made again. */
function buildWith(replace: Record<string, string>): Artifact[] {
  const changed = files.map((a) => (a.path in replace ? { ...a, content: replace[a.path]! } : a));
  return [...changed, manifestArtifact(changed)];
}

const dashboardContent = files.find((a) => a.path === dashboard)!.content;
/** The dashboard's file in build/ replaced by a symbolic link to a file of the same bytes elsewhere. */
const symlinkedDashboard = (name: string) => (out: string) => {
  const elsewhere = path.join(temp, name);
  writeFileSync(elsewhere, dashboardContent);
  unlinkSync(path.join(out, dashboard));
  symlinkSync(elsewhere, path.join(out, dashboard));
};
const handEditedDashboard = (out: string) => writeFileSync(path.join(out, dashboard), "edited by hand\n");

const inodes = (out: string) =>
  new Map(built.artifacts.map((a) => [a.path, statSync(path.join(out, a.path)).ino]));

interface Case {
  name: string;
  /** What happens to build/ before the next build. */
  meddle?: (out: string) => void;
  /** The next build's files, replaced. */
  replace: Record<string, string>;
  /** The files written afresh. */
  written: string[];
}

const cases: Case[] = [
  { name: "the same build again: every file linked", replace: {}, written: [] },
  {
    name: "a changed file is written, with the manifest that lists it",
    replace: { [dashboard]: `${dashboardContent} ` },
    written: [dashboard, "manifest.json"],
  },
  {
    name: "a file edited by hand in build/ is written again, as the build makes it",
    meddle: handEditedDashboard,
    replace: {},
    written: [dashboard],
  },
  {
    name: "a symbolic link where a file was, to the same bytes, is replaced by a file",
    meddle: symlinkedDashboard("elsewhere.json"),
    replace: {},
    written: [dashboard],
  },
];

describe("unchanged files are linked, not written again", () => {
  it.each(cases)("$name", ({ meddle, replace, written }) => {
    const out = mkdtempSync(path.join(temp, "out-"));
    rmSync(out, { recursive: true });
    emit(out, built.artifacts);
    meddle?.(out);
    const before = inodes(out);
    const next = buildWith(replace);
    emit(out, next);
    const after = inodes(out);
    const fresh = [...after].filter(([file, ino]) => before.get(file) !== ino).map(([file]) => file);
    expect(fresh.sort()).toEqual([...written].sort());
    expect(readTree(out)).toEqual(new Map(next.map((a) => [a.path, a.content])));
    for (const artifact of next) expect(lstatSync(path.join(out, artifact.path)).isFile()).toBe(true);
  });
});

/** What a build does to a folder that already holds it: nothing, unless anything in it differs. */
const holdsCases: Array<{
  name: string;
  meddle?: (out: string) => void;
  replace?: Record<string, string>;
  leftAsIs: boolean;
}> = [
  { name: "the same build again: nothing is synced or swapped, and the staged links go", leftAsIs: true },
  {
    name: "one file changed: staged beside it and swapped in",
    replace: { [dashboard]: `${dashboardContent} ` },
    leftAsIs: false,
  },
  {
    name: "a file edited by hand: staged and swapped",
    meddle: handEditedDashboard,
    leftAsIs: false,
  },
  {
    name: "a file of the build missing: staged and swapped",
    meddle: (out) => unlinkSync(path.join(out, dashboard)),
    leftAsIs: false,
  },
  {
    name: "an empty folder no file of the build is in: staged and swapped (it goes)",
    meddle: (out) => mkdirSync(path.join(out, "grafana", "stray")),
    leftAsIs: false,
  },
  {
    name: "a symbolic link to the same bytes where a file was: staged and swapped",
    meddle: symlinkedDashboard("elsewhere-holds.json"),
    leftAsIs: false,
  },
];

describe("a folder that already holds the build, byte for byte, is left as it is", () => {
  it.each(holdsCases)("$name", async ({ meddle, replace = {}, leftAsIs }) => {
    const parent = mkdtempSync(path.join(temp, "holds-"));
    const out = path.join(parent, "build");
    emit(out, built.artifacts);
    meddle?.(out);
    const folder = statSync(out).ino;
    const next = buildWith(replace);
    const staged = stage(out, next);
    // Staged beside it either way (links to its files), for the tools to judge.
    expect(readTree(staged.dir)).toEqual(new Map(next.map((a) => [a.path, a.content])));
    await staged.flush();
    staged.commit();
    expect(statSync(out).ino === folder).toBe(leftAsIs);
    expect(readdirSync(parent)).toEqual(["build"]);
    expect(readTree(out)).toEqual(new Map(next.map((a) => [a.path, a.content])));
    expect(readdirSync(path.join(out, "grafana")).includes("stray")).toBe(false);
  });
});
