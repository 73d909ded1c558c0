import path from "node:path";
import type { Diagnostic } from "../../diagnostics.ts";
import type { Artifact } from "../../render/artifact.ts";
import { amtool } from "./amtool.ts";
import { promtool, readPromtoolOutput, type PromtoolLine, type PromtoolProblem } from "./promtool.ts";
import { judgeRuleTests } from "./promtool-tests.ts";
import { runStaged } from "./standby.ts";
import { vmalert } from "./vmalert.ts";
import {
  acceptedBefore,
  climbsAbove,
  defaultVerdictCache,
  rememberAcceptance,
  toolFolder,
  toolInputs,
  verdictKey,
} from "./verdict-cache.ts";
import {
  artifactAt,
  fileDiagnostic,
  findExecutable,
  nameWithVersion,
  runTool,
  type ExternalTool,
  type ToolSubject,
  type ToolsMode,
} from "./tool.ts";

export { toolsModes, type ToolsMode } from "./tool.ts";
export { promtoolFix, type PromtoolLine, type PromtoolProblem } from "./promtool.ts";

export const externalTools: ExternalTool[] = [promtool, amtool, vmalert];

export interface ToolsVerdict {
  diagnostics: Diagnostic[];
  /** What the user should know that is not a problem: a tool that is not installed, in `auto` mode. */
  notes: string[];
  /** The tools that ran and accepted their files. */
  accepted?: string[];
}

/**
 * Whether the tools may read this file of the build: what `judgeWithTools` makes of a build depends on these files
 * only (the folders the tools are pointed at, where promtool's tests and vmalert's rule files are), so a verdict on
 * them alone is the build's.
 */
export function readByTools(artifact: Artifact): boolean {
  return (
    externalTools.some((tool) => artifact.path.startsWith(toolFolder(tool))) ||
    artifact.schema === "promtool-tests" ||
    externalTools.some((tool) => tool.judges?.([artifact]).length)
  );
}

/**
 * Whether the tools can judge `files` (every file of a build `readByTools`) before the rest of the build is staged
 * beside them: none names a relative path out of its own folder of build/ (`../grafana/...`), which the tools would
 * read and the rest of the build may not have written yet.
 */
export function judgeableAlone(files: Artifact[]): boolean {
  return files.every((file) => !climbsAbove(file, 1));
}

/**
 * Runs every tool whose file is in the build over the staged copy in `stagedDir`, all at once. Their
 * diagnostics are errors: the staged build must not replace build/. A tool that accepted exactly the files it
 * reads before is not run again (verdict-cache.ts); `cacheDir` undefined runs every one. Aborting `signal` kills
 * the tools: the verdict is then no verdict.
 */
export async function judgeWithTools(
  stagedDir: string,
  artifacts: Artifact[],
  mode: ToolsMode,
  env: NodeJS.ProcessEnv = process.env,
  cacheDir: string | undefined = env.O11Y_CACHE === "off" ? undefined : defaultVerdictCache,
  signal?: AbortSignal,
): Promise<ToolsVerdict> {
  if (mode === "off") return nothing();
  // promtool's unit tests run beside the tools; when check config rejects a rule file, their failures only repeat it.
  const tests = judgeRuleTests(stagedDir, artifacts, mode, env, undefined, signal);
  const verdicts = await Promise.all(
    externalTools.map(async (tool): Promise<ToolsVerdict> => {
      const judged = tool.judges?.(artifacts);
      const artifact = judged ? judged[0] : artifactAt(artifacts, tool.entry);
      if (!artifact) return nothing();
      const found = locate(tool, mode, env, {
        what: tool.entry,
        subject: tool.about?.subject ?? artifact.subject,
        source: tool.about?.source ?? artifact.source,
      });
      if ("verdict" in found) return found.verdict;
      const entry = path.join(stagedDir, tool.entry);
      const args = judged
        ? tool.args(
            tool.entry,
            judged.map((a) => a.path),
          )
        : tool.args(path.basename(entry));
      const key = verdictKey(tool, found.file, args, toolInputs(tool, artifacts));
      if (acceptedBefore(cacheDir, key)) return { ...nothing(), accepted: [tool.command] };
      const run = judged
        ? await runTool(found.file, args, stagedDir, undefined, signal)
        : await runStaged(
            found.file,
            args,
            stagedDir,
            path.dirname(tool.entry),
            path.basename(tool.entry),
            // Only where its verdict may be kept (nothing it reads is outside the staged folder).
            tool.readsEntryOnce === true && key !== undefined,
            signal,
          );
      if (run.error) return couldNotRun(tool, found.file, { what: tool.entry, ...artifact }, run.error);
      if (run.code === 0) {
        rememberAcceptance(cacheDir, key);
        return { ...nothing(), accepted: [tool.command] };
      }
      return {
        diagnostics: tool.diagnose(run.output, artifacts, await nameWithVersion(tool, found.file)),
        notes: [],
      };
    }),
  );
  const testFailures = (await tests).diagnostics;
  const configRejected = verdicts[externalTools.indexOf(promtool)]!.diagnostics.length > 0;
  return {
    diagnostics: [...verdicts.flatMap((v) => v.diagnostics), ...(configRejected ? [] : testFailures)],
    notes: verdicts.flatMap((v) => v.notes),
    accepted: verdicts.flatMap((v) => v.accepted ?? []),
  };
}

const install = (tool: ExternalTool) =>
  `install Debian's ${tool.debianPackage} package, or set ${tool.envVar} to the executable`;

const nothing = (): ToolsVerdict => ({ diagnostics: [], notes: [] });

/** The tool was found but did not finish: an error, whatever the mode. */
function couldNotRun(
  tool: ExternalTool,
  file: string,
  about: ToolSubject & { what: string },
  error: string,
): ToolsVerdict {
  return {
    diagnostics: [
      fileDiagnostic(
        tool,
        about,
        `${file} could not judge ${about.what}: ${error}`,
        `check that ${file} runs; ${install(tool)}.`,
      ),
    ],
    notes: [],
  };
}

/**
 * The tool's executable, or, when there is none, the verdict for `what` it was to judge: a note in `auto`, an
 * error on `subject` in `require`.
 */
function locate(
  tool: ExternalTool,
  mode: ToolsMode,
  env: NodeJS.ProcessEnv,
  about: ToolSubject & { what: string },
): { file: string } | { verdict: ToolsVerdict } {
  const found = findExecutable(tool, env);
  if (!("missing" in found)) return found;
  if (mode === "require") {
    const message = `${tool.command} must judge ${about.what} (--tools require), but ${found.missing}`;
    return {
      verdict: { diagnostics: [fileDiagnostic(tool, about, message, `${install(tool)}.`)], notes: [] },
    };
  }
  return {
    verdict: {
      diagnostics: [],
      notes: [
        `${tool.command} did not judge ${about.what}: ${found.missing} (${install(tool)}; --tools require makes this an error)`,
      ],
    },
  };
}

/** What `promtool check rules` said of files it rejected, or the whole verdict: it accepted them, or did not run. */
export type RuleFilesJudgement =
  { rules: PromtoolProblem[]; other: PromtoolLine[]; name: string } | { verdict: ToolsVerdict };

/**
 * `promtool check rules` over rule files from elsewhere, each at the path given (promtool names them so in its
 * output). The caller knows the files, so it turns the problems into diagnostics.
 */
export async function promtoolCheckRules(
  paths: string[],
  mode: ToolsMode,
  about: ToolSubject & { what: string },
  env: NodeJS.ProcessEnv = process.env,
): Promise<RuleFilesJudgement> {
  if (mode === "off" || paths.length === 0) return { verdict: nothing() };
  const found = locate(promtool, mode, env, about);
  if ("verdict" in found) return found;
  // No lint: a duplicate rule in a file from elsewhere loads all the same. After `--`, a file named `--help` is a file.
  const run = await runTool(found.file, ["check", "rules", "--lint=none", "--", ...paths], process.cwd());
  if (run.error) return { verdict: couldNotRun(promtool, found.file, about, run.error) };
  if (run.code === 0) return { verdict: nothing() };
  return { ...readPromtoolOutput(run.output), name: await nameWithVersion(promtool, found.file) };
}
