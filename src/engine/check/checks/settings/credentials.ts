import { readFileSync } from "node:fs";
import path from "node:path";
import type { DashboardModel, Model, PanelModel } from "../../../model.ts";
import { findSecrets, redactSecrets, type SecretMatch } from "../../../secrets.ts";
import { projectRoot, type SourceLocation } from "../../../source.ts";
import type { Finding, ModelCheck } from "../../check.ts";

/** Where settings and severity policies are written; they carry no source line of their own (as in the renderers). */
const settingsFile = "src/config.ts";
const severitiesFile = "src/alerts/severities.ts";

/** Where one string sits: the definition, and the field inside it (`datasource.url`, `annotations.runbook_url`). */
interface Place {
  subject: string;
  source: SourceLocation;
}

/** The keys leading to `text`; turned into a path (pathOf) only for the few strings that hold a secret. */
type Visit = (text: string, keys: ReadonlyArray<string | number>) => void;

const pathOf = (keys: ReadonlyArray<string | number>) =>
  keys
    .map((key, i) =>
      typeof key === "number"
        ? `[${key}]`
        : /^[A-Za-z_][A-Za-z0-9_]*$/.test(key)
          ? i === 0
            ? key
            : `.${key}`
          : `[${JSON.stringify(key)}]`,
    )
    .join("");

/** Every string under `value`, with its path (`links[0].url`). */
function walk(value: unknown, visit: Visit, keys: Array<string | number> = []): void {
  if (typeof value === "string") visit(value, keys);
  else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      keys.push(i);
      walk(value[i], visit, keys);
      keys.pop();
    }
  } else if (value !== null && typeof value === "object") {
    for (const key of Object.keys(value)) {
      keys.push(key);
      walk((value as Record<string, unknown>)[key], visit, keys);
      keys.pop();
    }
  }
}

/** Whether any string under `value` holds a secret: the quick pass, without paths, over thousands of dashboards. */
function holdsSecret(value: unknown): boolean {
  if (typeof value === "string") return findSecrets(value).length > 0;
  if (Array.isArray(value)) return value.some(holdsSecret);
  if (value !== null && typeof value === "object") {
    for (const key in value) if (holdsSecret((value as Record<string, unknown>)[key])) return true;
  }
  return false;
}

/** The line of `file` that holds `text` as a string literal, else 1. The text itself is never shown. */
function lineHolding(file: string, text: string, files: Map<string, string | undefined>): number {
  if (!files.has(file)) {
    try {
      files.set(file, readFileSync(path.join(projectRoot, file), "utf8"));
    } catch {
      files.set(file, undefined);
    }
  }
  const content = files.get(file);
  const index =
    content === undefined
      ? -1
      : Math.max(
          content.indexOf(JSON.stringify(text)),
          content.indexOf(`'${text}'`),
          content.indexOf(`\`${text}\``),
        );
  return index < 0 ? 1 : content!.slice(0, index).split("\n").length;
}

/** At most this much of the redacted text is quoted, around the first secret. */
const quoteLength = 160;

function quote(text: string): string {
  const redacted = redactSecrets(text);
  if (redacted.length <= quoteLength) return JSON.stringify(redacted);
  const at = redacted.indexOf("***");
  const start = Math.max(0, at - quoteLength / 2);
  return `${start > 0 ? "…" : ""}${JSON.stringify(redacted.slice(start, start + quoteLength))}…`;
}

const kinds = (found: SecretMatch[]) => [...new Set(found.map((s) => s.kind))].join(" and ");

function fixFor(where: string, found: SecretMatch[]): string {
  const fromFile = "build/ is committed and deployed as it is, so nothing secret may be written into it.";
  if (where === "datasource.url") {
    return `take the user and password out of the URL and give them to Grafana where it runs (its datasource provisioning reads $__env{NAME} and files); ${fromFile}`;
  }
  if (where.startsWith("scrapeTargets") || where.startsWith("alertmanagers")) {
    return `keep host:port here; Prometheus reads credentials from files (basic_auth.password_file, authorization.credentials_file), added where it is deployed. ${fromFile}`;
  }
  if (
    found.every((s) => s.userinfo) &&
    (where === "grafana.baseUrl" || where === "runbookUrl" || where.includes("url") || where.includes("link"))
  ) {
    return `remove the user and password: a link is opened by someone who logs in by themselves, and every alert and dashboard would carry them. ${fromFile}`;
  }
  return `remove it, and let the program that needs it read it from a file or the environment where it runs (as the Alertmanager receivers read theirs, *_file). ${fromFile}`;
}

/**
 * A credential written into a setting or a definition: it would land in build/ (committed, deployed, shown in
 * every alert) and in messages. Values derived from a setting (every alert's dashboard_url from grafana.baseUrl)
 * are reported once, at the setting.
 */
export const credentials: ModelCheck = {
  id: "settings/credentials",
  kind: "correctness",
  severity: "error",
  summary:
    "A credential in a setting or definition: a URL with user:password@, a token, a key or an Authorization value.",
  scope: "model",
  check(model) {
    const findings: Finding[] = [];
    const files = new Map<string, string | undefined>();
    const fromSettings = new Set<string>();
    const report = (place: Place, where: string, text: string, found: SecretMatch[]) => {
      const what = place.subject === `setting ${where}` ? "its value" : where;
      findings.push({
        subject: place.subject,
        source: place.source,
        message: `${what} holds ${kinds(found)}: ${quote(text)}`,
        fix: fixFor(where, found),
      });
    };

    walk(model.settings, (text, keys) => {
      const found = findSecrets(text);
      if (found.length === 0) return;
      for (const s of found) fromSettings.add(text.slice(s.from, s.to));
      const where = pathOf(keys);
      report(
        {
          subject: `setting ${where}`,
          source: { file: settingsFile, line: lineHolding(settingsFile, text, files) },
        },
        where,
        text,
        found,
      );
    });

    /** The secrets of `text` that do not come from a setting. */
    const own = (text: string) =>
      findSecrets(text).filter((s) => !fromSettings.has(text.slice(s.from, s.to)));
    const scan = (value: unknown, place: Place | ((where: string, text: string) => Place)) =>
      walk(value, (text, keys) => {
        const found = own(text);
        if (found.length === 0) return;
        const where = pathOf(keys);
        report(typeof place === "function" ? place(where, text) : place, where, text, found);
      });

    for (const dashboard of model.dashboards)
      if (holdsSecret(dashboard.json)) scan(dashboard.json, dashboardPlace(dashboard));
    for (const alert of model.alerts) {
      const { name, expr, labels, annotations, tests } = alert;
      scan({ expr, labels, annotations, tests }, { subject: `alert ${name}`, source: alert.source });
    }
    for (const rule of model.recordingRules) {
      const { expr, labels, tests } = rule;
      scan({ expr, labels, tests }, { subject: `recording rule ${rule.record}`, source: rule.source });
    }
    for (const policy of model.severities) {
      scan(policy, (_where, text) => ({
        subject: `severity policy ${policy.severity}`,
        source: { file: severitiesFile, line: lineHolding(severitiesFile, text, files) },
      }));
    }
    return findings;
  },
};

/** A string in a dashboard's JSON belongs to the panel it is under (`panels[3]...`), else to the dashboard. */
function dashboardPlace(dashboard: DashboardModel): (where: string) => Place {
  const byId = new Map<number, PanelModel>([...dashboard.rows, ...dashboard.panels].map((p) => [p.id, p]));
  const jsonPanels =
    (dashboard.json.panels as Array<{ id?: number; panels?: Array<{ id?: number }> }> | undefined) ?? [];
  return (where) => {
    const match = /^panels\[(\d+)\](?:\.panels\[(\d+)\])?/.exec(where);
    const outer = match ? jsonPanels[Number(match[1])] : undefined;
    const inner = match?.[2] === undefined ? outer : outer?.panels?.[Number(match[2])];
    const panel = inner?.id === undefined ? undefined : byId.get(inner.id);
    if (panel)
      return {
        subject: `dashboard ${dashboard.uid} › panel ${panel.id} "${panel.title}"`,
        source: panel.source,
      };
    return { subject: `dashboard ${dashboard.uid} "${dashboard.title}"`, source: dashboard.source };
  };
}
