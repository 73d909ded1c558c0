/**
 * Real git repositories in temporary folders, holding this project's tool (src/engine, src/cli, bin/; node_modules
 * linked) with the diff tests' fixture (test/diff/fixture/) as its project, for `o11y diff` to compare commits of:
 * the real content is not there, so growing it changes nothing here. A template is copied and built once; each
 * repository starts from it.
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { projectRoot } from "../../src/engine/source.ts";

const copied = [
  "src/engine",
  "src/cli",
  "bin",
  "schemas",
  "package.json",
  "tsconfig.json",
  ".gitignore",
  "test/diff/fixture",
];
/** The fixture, where `o11y build` and `o11y diff` look for the project by default. */
export const fixture = "test/diff/fixture";
const gitEnv = {
  GIT_AUTHOR_NAME: "o11y test",
  GIT_AUTHOR_EMAIL: "o11y-test@example.com",
  GIT_COMMITTER_NAME: "o11y test",
  GIT_COMMITTER_EMAIL: "o11y-test@example.com",
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: "/dev/null",
};

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function sh(command: string, args: string[], cwd: string, env: Record<string, string> = {}): Run {
  const result = spawnSync(command, args, {
    cwd,
    encoding: "utf8",
    env: { ...process.env, ...gitEnv, NO_COLOR: "1", ...env },
  });
  if (result.error) throw result.error;
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

export class Repo {
  constructor(readonly dir: string) {}

  git(...args: string[]): string {
    const result = sh("git", args, this.dir);
    if (result.code !== 0) throw new Error(`git ${args.join(" ")}: ${result.stderr}`);
    return result.stdout.trim();
  }

  o11y(...args: string[]): Run {
    return sh(process.execPath, [path.join(this.dir, "bin/o11y.js"), ...args], this.dir);
  }

  read(file: string): string {
    return readFileSync(path.join(this.dir, file), "utf8");
  }

  write(file: string, content: string): void {
    mkdirSync(path.dirname(path.join(this.dir, file)), { recursive: true });
    writeFileSync(path.join(this.dir, file), content);
  }

  /** Replaces text that must be there exactly once. */
  edit(file: string, from: string, to: string): void {
    const text = this.read(file);
    if (text.split(from).length !== 2) throw new Error(`${file}: expected one ${JSON.stringify(from)}`);
    this.write(file, text.replace(from, to));
  }

  commit(message: string): string {
    this.git("add", "-A");
    this.git("commit", "-q", "--no-verify", "-m", message);
    return this.git("rev-parse", "HEAD");
  }

  /** What must not change when o11y diff runs: the status and the worktrees. */
  state(): { status: string; worktrees: string[] } {
    return { status: this.git("status", "--porcelain"), worktrees: this.git("worktree", "list").split("\n") };
  }
}

let template: string | undefined;
const temps: string[] = [];

/** A copy of the project with a fresh build/, made once per test file. */
function projectTemplate(): string {
  if (template) return template;
  const dir = mkdtempSync(path.join(tmpdir(), "o11y-diff-template-"));
  temps.push(dir);
  for (const entry of copied)
    cpSync(path.join(projectRoot, entry), path.join(dir, entry), { recursive: true });
  writeFileSync(
    path.join(dir, "src/project.ts"),
    `// The diff tests' fixture is this repository's project.\nexport { project } from "../${fixture}/project.ts";\n`,
  );
  symlinkSync(path.join(projectRoot, "node_modules"), path.join(dir, "node_modules"), "dir");
  const built = sh(process.execPath, ["bin/o11y.js", "build"], dir);
  if (built.code !== 0) throw new Error(`the template does not build: ${built.stderr}`);
  template = dir;
  return dir;
}

/** A new repository whose first commit is the project with its build/; `withBuild: false` commits no build/. */
export function newRepo(options: { withBuild?: boolean } = {}): Repo {
  const dir = mkdtempSync(path.join(tmpdir(), "o11y-diff-repo-"));
  temps.push(dir);
  const from = projectTemplate();
  cpSync(from, dir, {
    recursive: true,
    verbatimSymlinks: true,
    filter: (source) => options.withBuild !== false || source !== path.join(from, "build"),
  });
  const repo = new Repo(dir);
  repo.git("init", "-q", "-b", "main");
  // The symlink is not a folder, so .gitignore's `node_modules/` does not cover it.
  writeFileSync(path.join(dir, ".git/info/exclude"), "node_modules\n");
  repo.commit("base");
  return repo;
}

/** A temporary folder, removed with the repositories. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
}

export function removeTemps(): void {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
  template = undefined;
}
