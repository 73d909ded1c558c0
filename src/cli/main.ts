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
import { formatNote } from "./format.ts";
import { diffCommand, type DiffCommandOptions } from "./diff.ts";
import { importDashboardCommand, type ImportOptions } from "./import.ts";

/** `--tools auto|require|off`: auto runs those installed and notes the others; require makes a missing one an error. */
const toolsOption = (what: string, defaults = "default: auto") =>
  new Option(
    "--tools <mode>",
    `promtool and amtool judge ${what}: auto (those installed), require, or off (${defaults})`,
  ).choices([...toolsModes]);

/** `--typecheck on|off`: TypeScript checks the sources first (cached by their hash); off skips it. */
const typecheckOption = () =>
  new Option("--typecheck <mode>", "type-check the TypeScript sources first: on or off (default: on)")
    .choices([...typecheckModes])
    .default("on");

export async function main(argv: string[]): Promise<number> {
  // Before anything else: a build killed half-way is finished or undone, and what dead runs left is removed.
  try {
    recoverInterrupted(projectRoot, (text) => process.stderr.write(`${formatNote(text)}\n`));
  } catch (error) {
    return reportInternalError(error);
  }
  const program = new Command("o11y")
    .description(
      "Observability as code: compile typed dashboards, alerts and recording rules into validated Grafana and Prometheus artifacts.",
    )
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });
  let exitCode = 0;
  let running: RunningCommand = { name: undefined };
  program
    .command("build")
    .description(
      "compile, check and validate every definition, let promtool and amtool judge the files, then replace build/ atomically",
    )
    .option("--out <dir>", "output directory", "build")
    .option("--project <module>", "module exporting `project`", "src/project.ts")
    .addOption(toolsOption("the files before they replace build/"))
    .addOption(typecheckOption())
    .action(async (options: BuildOptions) => {
      running = { name: "build", out: options.out };
      exitCode = await buildCommand(options);
    });
  program
    .command("check")
    .description(
      "analyze definitions (or rule files, or one expression) against the metric catalog; exit 1 on any error",
    )
    .argument("[rule-files...]", "Prometheus rule files to analyze instead of the project's definitions")
    .option("--expr <promql>", "analyze one PromQL expression")
    .option("--dashboard", "with --expr: judge it as a Grafana panel query (variables, $__rate_interval)")
    .addOption(
      new Option("--format <format>", "output format").choices(["text", "json", "github"]).default("text"),
    )
    .option("--project <module>", "module exporting `project`", "src/project.ts")
    .addOption(
      toolsOption(
        "what build would write (in a temporary folder), the rule files, or the --expr (not with --dashboard)",
        "default: auto; off for rule files",
      ),
    )
    .addOption(typecheckOption())
    .option(
      "--config <file>",
      "with rule files: which house rules apply to which files (default: .o11y.yaml in the working directory, if any)",
    )
    .option(
      "--prometheus <url>",
      "with rule files: take metric types from that server's metadata, and report selectors that match no series there",
    )
    .action(async (files: string[], options: CheckOptions) => {
      running = { name: "check", format: options.format };
      exitCode = await checkCommand(files, options);
    });
  program
    .command("diff")
    .description(
      "what the working tree changes in alerting and dashboards against a base revision, for review; exit 1 on --fail-on flags, 2 on bad input",
    )
    .option(
      "--base <ref>",
      "git revision to compare with (default: the merge base with origin/main, else main, else HEAD~1)",
    )
    .addOption(
      new Option("--format <format>", "output format")
        .choices(["markdown", "json", "github"])
        .default("markdown"),
    )
    .option("--fail-on <flags>", "comma-separated attention flags (or `any`) that make the exit code 1")
    .option("--project <module>", "module exporting `project`", "src/project.ts")
    .action(async (options: DiffCommandOptions) => {
      running = { name: "diff", format: options.format };
      exitCode = await diffCommand(options);
    });
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
    .action(async (file: string, options: ImportOptions) => {
      running = { name: "import" };
      exitCode = await importDashboardCommand(file, options);
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
