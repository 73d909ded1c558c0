/**
 * `o11y preview`: every dashboard of the compiled project as a static page (and, with --png, a picture) in a
 * folder of its own, with data from a Prometheus server when --prometheus names one.
 */
import { lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { formatDiagnostic } from "../engine/diagnostics.ts";
import { terminalLines } from "../engine/escape.ts";
import { compile } from "../engine/pipeline.ts";
import type { PreviewDashboard } from "../engine/preview/page.ts";
import {
  dashboardsOf,
  fetchPreviewData,
  PreviewError,
  previewPages,
  scrapeIntervalMs,
} from "../engine/preview/preview.ts";
import { PrometheusClient, PrometheusUnreachable } from "../engine/preview/query.ts";
import { ChromiumMissing, chromiumPath, startBrowser } from "../engine/preview/screenshot.ts";
import { redactSecrets } from "../engine/secrets.ts";
import { projectRoot } from "../engine/source.ts";
import { formatNote } from "./format.ts";
import { loadProject } from "./load-project.ts";

export interface PreviewOptions {
  out: string;
  prometheus?: string;
  png?: boolean;
  from?: string;
  to?: string;
  project: string;
}

/** What the folder holds that a preview wrote, so that the next preview replaces it and nothing else. */
const markerFile = ".o11y-preview.json";

/** A folder or server the preview cannot use: one line, exit 2. */
class PreviewRefused extends Error {}

/** The files an earlier preview wrote into `dir`; throws when the folder is not one a preview may write into. */
function previousFiles(dir: string, shown: string): string[] {
  let stat;
  try {
    stat = lstatSync(dir);
  } catch {
    return [];
  }
  if (stat.isSymbolicLink() || !stat.isDirectory())
    throw new PreviewRefused(
      `--out ${shown} is not a folder: pass a new folder, or one an earlier preview wrote`,
    );
  try {
    const marker = JSON.parse(readFileSync(path.join(dir, markerFile), "utf8")) as { files?: unknown };
    if (Array.isArray(marker.files))
      return marker.files.filter((f): f is string => typeof f === "string" && /^[A-Za-z0-9_.-]+$/.test(f));
  } catch {
    // No marker: the folder must be empty.
  }
  if (readdirSync(dir).length)
    throw new PreviewRefused(
      `--out ${shown} holds files that no preview wrote (it has no ${markerFile}): pass a new or empty folder`,
    );
  return [];
}

/** Never the project, a folder above it, its sources or its build. */
function refuseFolder(dir: string, shown: string): void {
  const inside = (parent: string) => dir === parent || dir.startsWith(`${parent}${path.sep}`);
  const above = projectRoot === dir || projectRoot.startsWith(`${dir}${path.sep}`);
  const source = ["src", "build", "node_modules", ".git"].find((name) =>
    inside(path.join(projectRoot, name)),
  );
  if (above || source)
    throw new PreviewRefused(
      `--out ${shown} is ${above ? "the project or a folder above it" : `inside ${source}/`}: pass a folder of its own (the default is .o11y/preview)`,
    );
}

export async function previewCommand(options: PreviewOptions): Promise<number> {
  const note = (text: string) => process.stderr.write(`${formatNote(text)}\n`);
  const fail = (message: string, fix?: string) => {
    process.stderr.write(
      `${terminalLines(`o11y preview: ${redactSecrets(message)}`).join("\n")}\n${fix ? `    fix: ${fix}\n` : ""}`,
    );
    return 2;
  };
  try {
    const out = path.resolve(projectRoot, options.out);
    refuseFolder(out, options.out);
    const previous = previousFiles(out, options.out);
    // Before any work: a missing browser is said at once.
    const chromium = options.png ? chromiumPath() : undefined;
    const result = compile(await loadProject(options.project));
    if (!result.ok) {
      for (const d of result.diagnostics)
        if (d.severity === "error") process.stderr.write(`${formatDiagnostic(d)}\n`);
      process.stderr.write("\npreview failed: the project does not build; nothing was written.\n");
      return 1;
    }
    const dashboards = dashboardsOf(result.artifacts);
    const nowMs = Date.now();
    let data;
    if (options.prometheus !== undefined) {
      const client = new PrometheusClient({ url: options.prometheus });
      data = await fetchPreviewData(dashboards, client, {
        from: options.from,
        to: options.to,
        nowMs,
        scrapeMs: scrapeIntervalMs(result.artifacts),
      });
      note(
        `asked ${redactSecrets(client.url)} ${client.requests} request(s) for ${dashboards.length} dashboard(s)`,
      );
    } else if (options.from !== undefined || options.to !== undefined) {
      return fail("--from and --to choose the range of the data: they need --prometheus <url>");
    }
    const pictures = chromium ? new Map(dashboards.map((d) => [d.uid, pictureName(d)])) : undefined;
    const files = previewPages(dashboards, { data, pictures });
    mkdirSync(out, { recursive: true });
    const written = new Set([...files.map((f) => f.path), ...(pictures?.values() ?? [])]);
    for (const stale of previous) if (!written.has(stale)) rmSync(path.join(out, stale), { force: true });
    for (const file of files) writeFileSync(path.join(out, file.path), file.content);
    writeFileSync(
      path.join(out, markerFile),
      `${JSON.stringify({ generatedBy: "o11y preview", files: [...written].sort() }, null, 2)}\n`,
    );
    if (chromium && pictures) {
      const browser = await startBrowser(chromium);
      try {
        for (const dashboard of dashboards)
          writeFileSync(
            path.join(out, pictures.get(dashboard.uid)!),
            await browser.picture(path.join(out, dashboard.page)),
          );
      } finally {
        await browser.close();
      }
    }
    const shown = path.relative(process.cwd(), path.join(out, "index.html")) || "index.html";
    process.stdout.write(
      `previewed ${dashboards.length} dashboard(s)${data ? " with data" : " (layout only)"}${pictures ? ", with pictures," : ""} into ${options.out}/: open ${shown}\n`,
    );
    return 0;
  } catch (error) {
    if (error instanceof PrometheusUnreachable)
      return fail(
        error.message,
        "pass the URL of a running Prometheus (http://host:9090), or leave --prometheus out for the layout only.",
      );
    if (error instanceof ChromiumMissing || error instanceof PreviewRefused || error instanceof PreviewError)
      return fail(error.message);
    throw error;
  }
}

export const pictureName = (dashboard: PreviewDashboard) => dashboard.page.replace(/\.html$/, ".png");
