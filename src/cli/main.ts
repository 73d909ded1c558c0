import { Command, CommanderError } from "commander";
import { Option } from "commander";
import { recoverInterrupted } from "../engine/emit/pending.ts";
import { projectRoot } from "../engine/source.ts";
import { typecheckModes } from "../engine/typecheck/typecheck.ts";
import { toolsModes } from "../engine/validate/tools/index.ts";
import { buildCommand, type BuildOptions } from "./build.ts";
import { reportInternalError, reportLoadFailure, type RunningCommand } from "./failures.ts";
import { ProjectError, ProjectLoadError } from "./load-project.ts";
import { checkCommand, type CheckOptions } from "./check.ts";
import { formatNote, outputFormats, type OutputFormat } from "./format.ts";
import { diffCommand, type DiffCommandOptions } from "./diff.ts";
import { previewCommand, type PreviewOptions } from "./preview.ts";
import {
  importDashboardCommand,
  importRulesCommand,
  type ImportOptions,
  type ImportRulesOptions,
} from "./import.ts";
import { watchCommand } from "./watch/watch.ts";

/** `--tools auto|require|off`: auto runs those installed and notes the others; require makes a missing one an error. */
const toolsOption = (what: string, defaults = "default: auto") =>
  new Option(
    "--tools <mode>",
    `promtool and amtool judge ${what}: auto (those installed), require, or off (${defaults})`,
  ).choices([...toolsModes]);

/** `--format`, the same choices for check and diff (format.ts says what each means); only the default differs. */
const formatOption = (fallback: OutputFormat) =>
  new Option(
    "--format <format>",
    "output format: text, markdown (a pull-request comment), json, or github (annotations and a summary notice)",
  )
    .choices([...outputFormats])
    .default(fallback);

/** `--watch`: one process that builds or checks again on every save (src/cli/watch/). */
const watchOption = (what: string) =>
  new Option("--watch", `${what} again on every save under src/ (or of RUNBOOK.md), until Ctrl-C`);

/** `--typecheck on|off`: TypeScript checks the sources first (cached by their hash); off skips it. */
const typecheckOption = () =>
  new Option("--typecheck <mode>", "type-check the TypeScript sources first: on or off (default: on)")
    .choices([...typecheckModes])
    .default("on");

/** What each command does once its arguments are parsed; a test passes its own to parse without running. */
export interface CommandActions {
  build(options: BuildOptions): Promise<void>;
  check(files: string[], options: CheckOptions): Promise<void>;
  diff(options: DiffCommandOptions): Promise<void>;
  importDashboard(file: string, options: ImportOptions): Promise<void>;
  preview(options: PreviewOptions): Promise<void>;
  importRules(file: string, options: ImportRulesOptions): Promise<void>;
}

/** The CLI's parser: every command, option and choice, as `--help` shows them. */
export function cliProgram(actions: CommandActions): Command {
  const program = new Command("o11y")
    .description(
      "Observability as code: compile typed dashboards, alerts and recording rules into validated Grafana and Prometheus artifacts.",
    )
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });
  program
    .command("build")
    .description(
      "compile, check and validate every definition, let promtool and amtool judge the files, then replace build/ atomically",
    )
    .option("--out <dir>", "output directory", "build")
    .option("--project <module>", "module exporting `project`", "src/project.ts")
    .addOption(toolsOption("the files before they replace build/"))
    .addOption(typecheckOption())
    .addOption(watchOption("build"))
    .action((options: BuildOptions) => actions.build(options));
  program
    .command("check")
    .description(
      "analyze definitions (or rule files, or one expression) against the metric catalog; exit 1 on any error",
    )
    .argument("[rule-files...]", "Prometheus rule files to analyze instead of the project's definitions")
    .option("--expr <promql>", "analyze one PromQL expression")
    .option("--dashboard", "with --expr: judge it as a Grafana panel query (variables, $__rate_interval)")
    .addOption(formatOption("text"))
    .option("--project <module>", "module exporting `project`", "src/project.ts")
    .addOption(
      toolsOption(
        "what build would write (in a temporary folder), the rule files, or the --expr (not with --dashboard)",
        "default: auto; off for rule files",
      ),
    )
    .addOption(typecheckOption())
    .addOption(watchOption("check the definitions"))
    .option(
      "--config <file>",
      "with rule files: which house rules apply to which files (default: .o11y.yaml in the working directory, if any)",
    )
    .option(
      "--prometheus <url>",
      "with rule files: take metric types from that server's metadata, and report selectors that match no series there",
    )
    .action((files: string[], options: CheckOptions) => actions.check(files, options));
  program
    .command("diff")
    .description(
      "what the working tree changes in alerting and dashboards against a base revision, for review; exit 1 on --fail-on flags, 2 on bad input",
    )
    .option(
      "--base <ref>",
      "git revision to compare with (default: the merge base with origin/main, else main, else HEAD~1)",
    )
    .addOption(formatOption("markdown"))
    .option("--fail-on <flags>", "comma-separated attention flags (or `any`) that make the exit code 1")
    .option(
      "--pictures <dir>",
      "write a before and an after picture (PNG) of each changed dashboard into this folder, linked from the report; needs Chromium",
    )
    .option(
      "--pictures-url <url>",
      "with --pictures: where readers find them (a CI run's artifacts), linked instead of each file",
    )
    .option("--project <module>", "module exporting `project`", "src/project.ts")
    .action((options: DiffCommandOptions) => actions.diff(options));
  const importing = program
    .command("import")
    .description("bring existing Grafana dashboards and Prometheus rule files in as typed definitions");
  importing
    .command("dashboard")
    .description(
      "an exported Grafana dashboard (JSON, or - for standard input) becomes src/dashboards/<name>.ts, registered, with its unknown metrics in src/catalog/imported.ts; all files or none",
    )
    .argument("<file>", "the dashboard's JSON file, or - to read standard input")
    .option("--name <name>", "file name under src/dashboards/ (default: from the title)")
    .option(
      "--allow-panel-type <types...>",
      "panel plugin ids to keep as they are although Grafana does not ship them",
    )
    .option("--dry-run", "report what would be written, and write nothing")
    .option("--project <module>", "module exporting `project`", "src/project.ts")
    .action((file: string, options: ImportOptions) => actions.importDashboard(file, options));
  importing
    .command("rules")
    .description(
      "a Prometheus rule file or PrometheusRule (YAML, or - for standard input) becomes src/alerts/<group>.ts and src/recording-rules/<group>.ts, registered, its thresholds named in src/alerts/thresholds.ts, its unknown metrics in src/catalog/imported.ts; all files or none",
    )
    .argument("<file>", "the rule file, or - to read standard input")
    .option(
      "--prefix <prefix>",
      "put before each group's name, and so its files' (e.g. kube- for groups the project has already)",
    )
    .option("--dry-run", "report what would be written, and write nothing")
    .option("--project <module>", "module exporting `project`", "src/project.ts")
    .action((file: string, options: ImportRulesOptions) => actions.importRules(file, options));
  program
    .command("preview")
    .description(
      "every dashboard as a static page (the grid, each panel's type, unit, thresholds, description and queries), with data from a Prometheus server when given one, and pictures with --png",
    )
    .option("--out <dir>", "folder of the pages (new, empty, or an earlier preview's)", ".o11y/preview")
    .option(
      "--prometheus <url>",
      "draw each panel with data from this server, over the dashboard's default time range",
    )
    .option(
      "--png",
      "also a PNG picture of each page, taken by headless Chromium (/usr/bin/chromium, or O11Y_CHROMIUM)",
    )
    .option(
      "--from <time>",
      "with --prometheus: start of the range instead of the dashboard's (a Grafana time: now-1h)",
    )
    .option("--to <time>", "with --prometheus: end of the range instead of the dashboard's (default: now)")
    .option("--project <module>", "module exporting `project`", "src/project.ts")
    .action((options: PreviewOptions) => actions.preview(options));
  return program;
}

/** `check --watch` watches the project's definitions, in text: not rule files, an expression, or another format. */
function watchRefused(files: string[], options: CheckOptions): number | undefined {
  if (files.length === 0 && options.expr === undefined && options.format === "text") return undefined;
  process.stderr.write(
    "o11y check --watch: watches the project's definitions and prints text; leave out rule files, --expr and --format\n",
  );
  return 2;
}

export async function main(argv: string[]): Promise<number> {
  // Before anything else: a build killed half-way is finished or undone, and what dead runs left is removed.
  try {
    recoverInterrupted(projectRoot, (text) => process.stderr.write(`${formatNote(text)}\n`));
  } catch (error) {
    return reportInternalError(error);
  }
  let exitCode = 0;
  let running: RunningCommand = { name: undefined };
  const program = cliProgram({
    async build(options) {
      running = { name: "build", out: options.out };
      exitCode = options.watch
        ? await watchCommand({
            ...options,
            kind: "build",
            tools: options.tools ?? "auto",
            typecheck: options.typecheck ?? "on",
          })
        : await buildCommand(options);
    },
    async check(files, options) {
      running = { name: "check", format: options.format };
      if (options.watch) {
        const refused = watchRefused(files, options);
        exitCode = refused
          ? refused
          : await watchCommand({
              kind: "check",
              project: options.project,
              out: "build",
              tools: options.tools ?? "auto",
              typecheck: options.typecheck ?? "on",
            });
        return;
      }
      exitCode = await checkCommand(files, options);
    },
    async diff(options) {
      running = { name: "diff", format: options.format };
      exitCode = await diffCommand(options);
    },
    async importDashboard(file, options) {
      running = { name: "import" };
      exitCode = await importDashboardCommand(file, options);
    },
    async preview(options) {
      running = { name: "preview" };
      exitCode = await previewCommand(options);
    },
    async importRules(file, options) {
      running = { name: "import" };
      exitCode = await importRulesCommand(file, options);
    },
  });
  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (error instanceof ProjectError) {
      process.stderr.write(`o11y: ${error.message}\n    fix: ${error.fix}\n`);
      return 2;
    }
    if (error instanceof ProjectLoadError) return reportLoadFailure(error.diagnostics, running, error.thrown);
    return reportInternalError(error);
  }
  return exitCode;
}
