import { Command, CommanderError } from "commander";
import { buildCommand } from "./build.ts";

export async function main(argv: string[]): Promise<number> {
  const program = new Command("o11y")
    .description("Observability as code: compile typed dashboards, alerts and recording rules into validated Grafana and Prometheus artifacts.")
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });
  let exitCode = 0;
  program
    .command("build")
    .description("compile, check and validate every definition, then replace build/ atomically")
    .option("--out <dir>", "output directory", "build")
    .option("--project <module>", "module exporting `project`", "src/project.ts")
    .action(async (options: { out: string; project: string }) => {
      exitCode = await buildCommand(options);
    });
  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    throw error;
  }
  return exitCode;
}
