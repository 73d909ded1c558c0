/**
 * Where the imported alerts notify in the project that takes them in: each walked through the project's own
 * Alertmanager routing, as `o11y diff` walks it (diff/delivery.ts). A rule file's `severity: critical` meant the
 * other team's pager; here it means whatever the project's critical route does, from the first deployed build on.
 * The import's report says so, alert by alert, before anyone is woken by it.
 */
import { analysisOf } from "../diff/analysis.ts";
import { deliveryOf, routingContext, type Delivery } from "../diff/delivery.ts";
import { readSnapshot, type ArtifactFile } from "../diff/snapshot.ts";
import type { AlertModel, Model } from "../model.ts";
import { renderAlertmanager } from "../render/alertmanager.ts";
import { renderPrometheus, seriesText } from "../render/prometheus.ts";

export interface ImportedNotification {
  alert: string;
  /** Its line in the rule file. */
  line: number;
  /** One line: whether it pages, whom it reaches and how soon, or why nothing leaves. */
  outcome: string;
  pages: Delivery["pages"];
}

/**
 * The delivery of every alert `imported` picks. The files routing reads (prometheus.yml, the rule files,
 * alertmanager.yml) are rendered from the model here: the import's compile holds no artifacts while the imported
 * rules still have errors that become debt.
 */
export function notificationsOf(
  model: Model,
  imported: (alert: AlertModel) => boolean,
  files: ArtifactFile[] = [...renderPrometheus(model), renderAlertmanager(model)],
): ImportedNotification[] {
  const snapshot = readSnapshot(files, model.settings.evaluationInterval, "import");
  const context = routingContext(snapshot, analysisOf(snapshot, model.metrics), "import");
  const unused = new Set(snapshot.alerts);
  const out: ImportedNotification[] = [];
  for (const alert of model.alerts.filter(imported)) {
    // The alert as the build wrote it (the routing reads the rendered files): same name and labels.
    const built = [...unused].find(
      (a) => seriesText(a.name, a.labels) === seriesText(alert.name, alert.labels),
    );
    if (built === undefined)
      throw new Error(
        `alert ${alert.name} (line ${alert.source.line}) is not in the build it was compiled into`,
      );
    unused.delete(built);
    const delivery = deliveryOf(built, context);
    out.push({
      alert: alert.name,
      line: alert.source.line,
      outcome: outcomeText(delivery),
      pages: delivery.pages,
    });
  }
  return out;
}

function outcomeText(delivery: Delivery): string {
  if (delivery.nowhere) return `reaches no one: ${delivery.nowhere}`;
  const receivers = [
    ...new Map(
      delivery.outcomes
        .flatMap((o) => o.routes)
        .map((r) => [
          r.receiver,
          `${r.receiver} (${r.integrations.length ? r.integrations.join(", ") : "sends nothing"})`,
        ]),
    ).values(),
  ];
  const paging: Record<Delivery["pages"], string> = {
    always: `pages, first after ${delivery.firstPage}`,
    "part-time": `pages outside its route's muted times, first after ${delivery.firstPage}`,
    depends: `pages or not, depending on ${delivery.dependsOn.join(", ")} when it fires`,
    never: delivery.firstNotice ? `notifies without paging, first after ${delivery.firstNotice}` : "",
  };
  const how =
    delivery.silent === "always"
      ? "sends nothing: every receiver it reaches has no integration"
      : paging[delivery.pages];
  return `${how}; ${receivers.length === 1 ? "receiver" : "receivers"} ${receivers.join(", ")}`;
}
