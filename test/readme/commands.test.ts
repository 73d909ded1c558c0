/**
 * The README matches the CLI: every command line it shows (in a code block, or as inline code, the CLI table's
 * synopses included) is taken out of it and either run or parsed by the CLI's own parser (`cliProgram`, with
 * actions that only record what they were given). A README that shows an option, a value or a command the CLI
 * does not accept fails here.
 *
 * Run for real: `o11y --help` and the `check --expr` examples, whose output the README shows (compared line by
 * line, `...` standing for what it leaves out). Parsed only: everything that would write build/, need a git
 * history (`diff`), a server (`--prometheus`) or files the README only names (`vendor/...`), and the npm scripts,
 * which must exist in package.json.
 */
import { readFileSync, existsSync } from "node:fs";
import path from "node:path";
import { CommanderError } from "commander";
import { describe, expect, it } from "vitest";
import { cliProgram } from "../../src/cli/main.ts";
import { projectRoot } from "../../src/engine/source.ts";
import { runCli } from "../helpers/cli.ts";

const readme = readFileSync(path.join(projectRoot, "README.md"), "utf8");
const scripts = Object.keys(
  (JSON.parse(readFileSync(path.join(projectRoot, "package.json"), "utf8")) as { scripts: object }).scripts,
);

/** How a command line the README shows starts. */
const commandStart = /^(?:\$ )?(node bin\/o11y\.js|npx o11y|o11y|npm (?:run|ci|test)|npx vitest)(?=\s|$)/;

interface Shown {
  /** As the README writes it. */
  text: string;
  /** The output lines the README shows under it (in a code block, lines not starting with `$ `). */
  output: string[];
}

/** Every command line of the README: code-block lines and inline code spans that start like one. */
function shownCommands(): Shown[] {
  const found: Shown[] = [];
  let fence: string | undefined;
  let last: Shown | undefined;
  for (const raw of readme.split("\n")) {
    const line = raw.trim();
    const marker = /^(`{3,})/.exec(line)?.[1];
    if (marker && (fence === undefined || marker === fence)) {
      fence = fence === undefined ? marker : undefined;
      last = undefined;
      continue;
    }
    if (fence !== undefined) {
      if (commandStart.test(line)) {
        // `npm ci && npm run build`: each command of a chain.
        for (const part of line.split(/\s+&&\s+/)) found.push((last = { text: part, output: [] }));
      } else if (last?.text.startsWith("$ ") && line !== "") {
        // What a `$ command` printed, as the README shows it.
        last.output.push(raw);
      }
      continue;
    }
    // Inline code; a table cell writes a pipe as \|.
    for (const span of line.matchAll(/(`+)(.+?)\1/g)) {
      const code = span[2]!.trim().replace(/\\\|/g, "|");
      if (commandStart.test(code)) found.push({ text: code, output: [] });
    }
  }
  return found;
}

/**
 * The words of a shell command line as the shell would pass them: quotes removed, stopping at a comment, a
 * redirection or a pipe.
 */
function shellWords(line: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === "'" || c === '"') {
      const end = line.indexOf(c, i + 1);
      word = (word ?? "") + line.slice(i + 1, end);
      i = end;
    } else if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (word === undefined && (c === "#" || c === ">" || c === "|")) break;
    else word = (word ?? "") + c;
  }
  if (word !== undefined) words.push(word);
  return words;
}

/** A value for each placeholder a synopsis writes. */
const placeholders: Record<string, string> = {
  "<ref>": "HEAD",
  "<PromQL>": "up",
  "<flags>": "any",
  "<dir>": "out",
};

/**
 * A synopsis as concrete command lines: without its optional parts, and with each alternative of each optional
 * part (`[--tools auto|require|off]` gives three), placeholders filled in.
 */
function expand(text: string): string[] {
  const fill = (s: string) => s.replace(/<[^>]+>/g, (p) => placeholders[p] ?? "x").replace(/ \.\.\.$/, "");
  const groups = [...text.matchAll(/ \[([^\]]+)\]/g)];
  const bare = fill(text.replace(/ \[[^\]]+\]/g, ""));
  if (!groups.length) return [bare];
  const lines = [bare];
  for (const group of groups) {
    const [flag, values] = group[1]!.split(/ (.+)/);
    for (const value of values === undefined ? [undefined] : values.split("|"))
      lines.push(
        fill(`${text.replace(/ \[[^\]]+\]/g, "")} ${flag}${value === undefined ? "" : ` ${value}`}`),
      );
  }
  return lines;
}

/** The o11y arguments of a command line, or undefined when it is not an o11y command. */
function o11yArgs(words: string[]): string[] | undefined {
  if (words[0] === "$") words = words.slice(1);
  if (words[0] === "node" && words[1] === "bin/o11y.js") return words.slice(2);
  if (words[0] === "npx" && words[1] === "o11y") return words.slice(2);
  // `o11y` alone is the tool's name in prose, not a command line.
  if (words[0] === "o11y") return words.length > 1 ? words.slice(1) : undefined;
  // `npm run build -- --tools require` is `o11y build --tools require`.
  if (words[0] === "npm" && words[1] === "run" && (words[2] === "build" || words[2] === "check")) {
    const rest = words.slice(3);
    return [words[2], ...(rest[0] === "--" ? rest.slice(1) : rest)];
  }
  return undefined;
}

/** What the real parser makes of `args`: the command it would run, or the error it stops with. */
async function parse(args: string[]): Promise<{ command?: string; error?: string }> {
  let command: string | undefined;
  const program = cliProgram({
    build: async () => void (command = "build"),
    check: async () => void (command = "check"),
    diff: async () => void (command = "diff"),
    importDashboard: async () => void (command = "import"),
    preview: async () => void (command = "preview"),
    importRules: async () => void (command = "import"),
  });
  let error = "";
  for (const c of [program, ...program.commands])
    c.configureOutput({ writeOut: () => undefined, writeErr: (text) => void (error += text) });
  try {
    await program.parseAsync(args, { from: "user" });
  } catch (thrown) {
    if (!(thrown instanceof CommanderError)) throw thrown;
    if (thrown.exitCode !== 0) return { error: error || thrown.message };
    return { command: "help" };
  }
  return { command };
}

const shown = shownCommands();
const o11yLines = shown.flatMap((s) =>
  expand(s.text).map((line) => ({ shown: s.text, line, args: o11yArgs(shellWords(line)) })),
);

describe("the README's command lines", () => {
  it("finds the command lines the README shows", () => {
    const texts = shown.map((s) => s.text);
    // The CLI table, the diff examples, the check example and the workflow's commands are all found.
    expect(texts).toContain(
      "o11y build [--out build] [--tools auto|require|off] [--typecheck on|off] [--watch]",
    );
    expect(texts.filter((t) => t.startsWith("o11y diff [--base <ref>]"))).toHaveLength(1);
    expect(texts.some((t) => t.startsWith("$ node bin/o11y.js check --expr"))).toBe(true);
    expect(texts).toContain(
      'node bin/o11y.js diff --base "origin/$BASE_REF" --format markdown --pictures "$RUNNER_TEMP/o11y-pictures" --pictures-url "$RUN_URL" > "$RUNNER_TEMP/o11y-diff.md"',
    );
    expect(o11yLines.filter((l) => l.args).length).toBeGreaterThan(20);
  });

  it.each(o11yLines.filter((l) => l.args !== undefined).map((l) => [l.line, l.args!] as const))(
    "the CLI accepts %s",
    async (_line, args) => {
      const parsed = await parse(args);
      expect(parsed.error, `${args.join(" ")}`).toBeUndefined();
      const expected = args.includes("--help") ? "help" : args[0];
      expect(parsed.command).toBe(expected);
    },
  );

  it("the parser used here refuses what the CLI refuses (so that the test above can fail)", async () => {
    expect((await parse(["diff", "--format", "yaml"])).error).toContain("--format");
    expect((await parse(["check", "--no-such-option"])).error).toContain("--no-such-option");
    expect((await parse(["deploy"])).error).toBeTruthy();
  });

  it.each(
    shown
      .map((s) => shellWords(s.text))
      .filter((words) => words[0] === "npm" || words[0] === "npx")
      .map((words) => [words.join(" "), words] as const),
  )("%s names what exists", (_line, words) => {
    if (words[0] === "npx" && words[1] === "vitest") {
      for (const target of words.slice(3))
        expect(existsSync(path.join(projectRoot, target)), target).toBe(true);
    } else if (words[1] === "run") expect(scripts).toContain(words[2]);
    else if (words[1] === "test") expect(scripts).toContain("test");
  });

  // Run for real: the examples that need no git history, no server and no file the README only names.
  const runnable = shown.filter((s) => /^\$ node bin\/o11y\.js check --expr /.test(s.text));

  it("has examples to run", () => {
    expect(runnable.length).toBeGreaterThan(0);
  });

  it.each(runnable.map((s) => [s.text, s] as const))("%s prints what the README shows", (_text, s) => {
    const args = o11yArgs(shellWords(s.text))!;
    const result = runCli([...args, "--tools", "off"]);
    expect(result.code, result.stderr).toBe(1);
    const printed = result.stdout.trimEnd().split("\n");
    expect(printed).toHaveLength(s.output.length);
    s.output.forEach((shownLine, i) => {
      // `...` in the README stands for text it leaves out.
      const pattern = shownLine
        .split("...")
        .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
        .join(".*");
      expect(printed[i]).toMatch(new RegExp(`^${pattern}$`));
    });
  });

  it("o11y --help runs", () => {
    const result = runCli(["--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Usage: o11y");
  });
});
