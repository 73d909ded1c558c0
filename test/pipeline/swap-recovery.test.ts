/**
 * What recovery makes of each state a killed swap can leave beside an output folder: the old tree or the new
 * one, whole, and nothing else; what a live run is using, untouched; and never anything that is not ours.
 */
import { spawnSync } from "node:child_process";
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
import { afterAll, describe, expect, it } from "vitest";
import { currentOwner, type Owner } from "../../src/engine/emit/owner.ts";
import { recoverInterrupted, recordPending } from "../../src/engine/emit/pending.ts";
import { recoverFolder } from "../../src/engine/emit/swap.ts";

const temp = mkdtempSync(path.join(tmpdir(), "o11y-swap-recovery-"));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

/** A run that has ended. */
const dead: Owner = { pid: spawnSync(process.execPath, ["-e", ""]).pid!, start: 1 };
const live = currentOwner();

const owned = (owner: Owner, kind: string, name = "build") =>
  `.o11y-tmp-${owner.pid}-${owner.start}-deadbeef.${kind}.${name}`;

/** A tree: one file saying which it is, in a subfolder as a build has. */
function tree(dir: string, which: string): void {
  mkdirSync(path.join(dir, "prometheus"), { recursive: true });
  writeFileSync(path.join(dir, "prometheus", "which"), which);
}

const which = (dir: string) =>
  existsSync(dir) ? readFileSync(path.join(dir, "prometheus", "which"), "utf8") : "absent";

interface Case {
  name: string;
  /** What is beside `build` before recovery: the folder names (relative) and their trees; `journal` by owner. */
  build?: string;
  staged?: string;
  retired?: string;
  journal?: Owner | "unreadable";
  owner?: Owner;
  /** After recovery. */
  expect: { build: string; left: "nothing" | "all"; clean: boolean; note?: RegExp };
}

const cases: Case[] = [
  {
    name: "killed before the first rename",
    build: "old",
    staged: "new",
    journal: dead,
    expect: { build: "old", left: "nothing", clean: true },
  },
  {
    name: "killed between the renames",
    staged: "new",
    retired: "old",
    journal: dead,
    expect: {
      build: "old",
      left: "nothing",
      clean: true,
      note: /build: put back the previous build, which an interrupted build \(pid \d+\) had moved aside$/,
    },
  },
  {
    name: "killed after the second rename",
    build: "new",
    retired: "old",
    journal: dead,
    expect: {
      build: "new",
      left: "nothing",
      clean: true,
      note: /build: kept the new build that an interrupted build \(pid \d+\) had put in place, and removed the previous one$/,
    },
  },
  {
    name: "killed after removing the old tree, before the journal",
    build: "new",
    journal: dead,
    expect: { build: "new", left: "nothing", clean: true },
  },
  {
    name: "a first build killed before its rename",
    staged: "new",
    journal: dead,
    expect: { build: "absent", left: "nothing", clean: true },
  },
  {
    name: "a recovery killed after putting the old tree back",
    build: "old",
    staged: "new (partly removed)",
    journal: dead,
    expect: { build: "old", left: "nothing", clean: true },
  },
  {
    name: "no journal: a dead run's staged and retired folders are garbage",
    build: "old",
    staged: "new",
    retired: "older",
    expect: { build: "old", left: "nothing", clean: true },
  },
  {
    name: "a live run between its renames: untouched",
    staged: "new",
    retired: "old",
    journal: live,
    owner: live,
    expect: { build: "absent", left: "all", clean: true },
  },
  {
    name: "a live run's staged folder, without a journal: untouched",
    build: "old",
    staged: "new",
    owner: live,
    expect: { build: "old", left: "all", clean: true },
  },
  {
    name: "a journal that cannot be read: everything stays, and it says so",
    staged: "new",
    retired: "old",
    journal: "unreadable",
    expect: {
      build: "absent",
      left: "all",
      clean: false,
      note: /is not a journal o11y can read: the temporary folders beside build are left for you to inspect \(if build is missing, the previous build is the one named \*\.retired\.build\); then remove the journal$/,
    },
  },
];

describe("recoverFolder", () => {
  it.each(cases)("$name", ({ name, build, staged, retired, journal, owner = dead, expect: expected }) => {
    const parent = path.join(temp, name.replace(/\W+/g, "-"));
    mkdirSync(parent);
    if (build) tree(path.join(parent, "build"), build);
    if (staged) tree(path.join(parent, owned(owner, "staged")), staged);
    if (retired) tree(path.join(parent, owned(owner, "retired")), retired);
    if (journal === "unreadable") writeFileSync(path.join(parent, ".o11y-tmp-swap.build"), '{"owner": ');
    else if (journal)
      writeFileSync(
        path.join(parent, ".o11y-tmp-swap.build"),
        JSON.stringify({
          owner: journal,
          out: "build",
          staged: owned(owner, "staged"),
          retired: owned(owner, "retired"),
        }),
      );
    const before = readdirSync(parent).sort();
    const notes: string[] = [];
    expect(recoverFolder(parent, (note) => notes.push(note))).toBe(expected.clean);
    expect(which(path.join(parent, "build"))).toBe(expected.build);
    expect(readdirSync(parent).sort()).toEqual(
      expected.left === "all" ? before : expected.build === "absent" ? [] : ["build"],
    );
    if (expected.note) expect(notes).toEqual([expect.stringMatching(expected.note)]);
    else expect(notes).toEqual([]);
  });

  it("a journal naming folders that are not ours is not acted on", () => {
    const parent = path.join(temp, "foreign-journal");
    tree(path.join(parent, "precious"), "mine");
    writeFileSync(
      path.join(parent, ".o11y-tmp-swap.build"),
      JSON.stringify({ owner: dead, out: "build", staged: "precious", retired: "../elsewhere" }),
    );
    const notes: string[] = [];
    expect(recoverFolder(parent, (note) => notes.push(note))).toBe(false);
    expect(which(path.join(parent, "precious"))).toBe("mine");
    expect(notes).toHaveLength(1);
  });

  it("what builds before the journal left between their renames: the previous build goes back", () => {
    const parent = path.join(temp, "legacy");
    tree(path.join(parent, `.o11y-tmp-build-${dead.pid}-1700000000000`), "new");
    tree(path.join(parent, `.o11y-tmp-build-old-${dead.pid}-1700000000000`), "old");
    tree(path.join(parent, `.o11y-tmp-other-old-${dead.pid}-1700000000001`), "stray");
    const notes: string[] = [];
    expect(recoverFolder(parent, (note) => notes.push(note))).toBe(true);
    expect(readdirSync(parent)).toEqual(["build"]);
    expect(which(path.join(parent, "build"))).toBe("old");
    expect(notes).toEqual([
      expect.stringMatching(
        /build: put back the previous build, which an interrupted build had moved aside$/,
      ),
    ]);
  });
});

describe("recoverInterrupted", () => {
  it("recovers the folders and removes the temporary folders that dead runs recorded, and nothing they did not make", () => {
    const root = path.join(temp, "project");
    const pending = path.join(root, ".o11y-cache");
    mkdirSync(pending, { recursive: true });
    const elsewhere = path.join(temp, "elsewhere");
    tree(path.join(elsewhere, owned(dead, "retired")), "old");
    writeFileSync(
      path.join(elsewhere, ".o11y-tmp-swap.build"),
      JSON.stringify({
        owner: dead,
        out: "build",
        staged: owned(dead, "staged"),
        retired: owned(dead, "retired"),
      }),
    );
    tree(path.join(elsewhere, owned(dead, "staged")), "new");
    const checkTemp = path.join(temp, `o11y-check-${dead.pid}-${dead.start}-deadbeef-AbCdEf`);
    tree(checkTemp, "staged by check");
    const precious = path.join(temp, "precious");
    tree(precious, "mine");
    const record = (content: unknown, owner = dead) =>
      writeFileSync(
        path.join(
          pending,
          `pending-${owner.pid}-${owner.start}-${Math.random().toString(16).slice(2, 10)}.json`,
        ),
        JSON.stringify(content),
      );
    record({ folder: elsewhere });
    record({ temporary: checkTemp });
    // Not a temporary folder of the run that recorded it: left alone.
    record({ temporary: precious });
    record({ temporary: path.join(temp, `o11y-check-${dead.pid + 1}-${dead.start}-deadbeef-AbCdEf`) });
    // A live run's record stays.
    const release = recordPending(root, { folder: path.join(temp, "live-folder") });

    const notes: string[] = [];
    recoverInterrupted(root, (note) => notes.push(note));
    expect(which(path.join(elsewhere, "build"))).toBe("old");
    expect(readdirSync(elsewhere)).toEqual(["build"]);
    expect(existsSync(checkTemp)).toBe(false);
    expect(which(precious)).toBe("mine");
    expect(readdirSync(pending)).toEqual([
      expect.stringMatching(new RegExp(`^pending-${live.pid}-${live.start}-[0-9a-f]+\\.json$`)),
    ]);
    release();
    expect(readdirSync(pending)).toEqual([]);
  });
});
