/**
 * Inhibition against the real Alertmanager: Debian's alertmanager loads the generated alertmanager.yml (route
 * timers compressed, channels replaced by a webhook, as in e2e.test.ts), alerts are posted to its API, and its own
 * answer says which are held back. A firing critical or high alert holds back the lower-severity alerts of the
 * same service, job and SLO (sloth_id), and nothing else: an SLO's page its own tickets, never another SLO's alerts.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compile } from "../../src/engine/pipeline.ts";
import { renderAlertmanager } from "../../src/engine/render/alertmanager.ts";
import { project } from "../../src/project.ts";
import {
  eventually,
  folderWith,
  removeFolders,
  requireBinary,
  startServer,
  WebhookSink,
  type Server,
} from "./harness.ts";
import { firingLabels, heldBackBy, inhibitionOf } from "./inhibit.ts";
import { alertmanagerTestConfig } from "./profile.ts";

const { model } = compile(project);
const generated = renderAlertmanager(model).content;
const sink = new WebhookSink();
let alertmanager: Server | undefined;

interface PostedAlert {
  labels: Record<string, string>;
}
interface AlertState {
  labels: Record<string, string>;
  fingerprint: string;
  status: { state: string; inhibitedBy: string[] };
}

async function post(alerts: PostedAlert[]): Promise<void> {
  const startsAt = new Date().toISOString();
  const response = await fetch(`${alertmanager!.url}/api/v2/alerts`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(alerts.map((a) => ({ labels: a.labels, annotations: {}, startsAt }))),
  });
  expect(response.status, await response.text()).toBe(200);
}

/** Alertmanager's own view of each alert, by alertname. */
async function states(): Promise<Map<string, AlertState>> {
  const alerts = (await (await fetch(`${alertmanager!.url}/api/v2/alerts`)).json()) as AlertState[];
  return new Map(alerts.map((a) => [a.labels.alertname!, a]));
}

/** The names of the alerts that hold `state` back, as Alertmanager says (it names them by fingerprint). */
function holders(state: AlertState | undefined, all: Map<string, AlertState>): string[] {
  const names = new Map([...all.values()].map((a) => [a.fingerprint, a.labels.alertname!]));
  return (state?.status.inhibitedBy ?? []).map((f) => names.get(f) ?? f).sort();
}

const { inhibit } = model.routing;

/** Synthetic alerts around one service: each name says whether it is held back while SourceCritical or SloPage fires. */
const probe = (name: string, severity: string, service: string, labels: Record<string, string>) => ({
  labels: { alertname: name, severity, service, team: "platform", ...labels },
});
const job = (name: string) => ({ job: name });
const slo = (id: string) => ({ sloth_id: id });
const probes: PostedAlert[] = [
  probe("SourceCritical", "critical", "probe-api", job("probe-job")),
  probe("HeldHigh", "high", "probe-api", job("probe-job")),
  probe("HeldMedium", "medium", "probe-api", job("probe-job")),
  probe("HeldLow", "low", "probe-api", job("probe-job")),
  probe("FreeOtherService", "medium", "probe-db", job("probe-job")),
  probe("FreeOtherJob", "medium", "probe-api", job("probe-other-job")),
  probe("FreeSameLevel", "critical", "probe-api", job("probe-job")),
  // An SLO's alerts carry no job: its page holds back its own ticket, and neither another SLO's nor a jobless alert.
  probe("SloPage", "critical", "probe-api", slo("probe-api-a")),
  probe("SloHeldTicket", "medium", "probe-api", slo("probe-api-a")),
  probe("FreeOtherSlo", "medium", "probe-api", slo("probe-api-b")),
  probe("FreeWithoutJob", "medium", "probe-api", {}),
];

/** Every real alert, with the labels it fires with. */
const real = model.alerts.map((alert) => ({ alert, labels: firingLabels(alert) }));
/** What the generated rules must do with the real alerts all firing at once: held back by which of them. */
const heldBy = (target: (typeof real)[number]) =>
  heldBackBy(target.alert, model.alerts, inhibitionOf(generated));

beforeAll(async () => {
  const binary = requireBinary("prometheus-alertmanager", "prometheus-alertmanager");
  const sinkUrl = await sink.listen();
  const dir = folderWith("o11y-e2e-inhibition-", {
    "alertmanager.yml": alertmanagerTestConfig(generated, sinkUrl),
  });
  alertmanager = await startServer(
    "alertmanager",
    binary,
    (port) => [
      "--config.file=alertmanager.yml",
      "--storage.path=data",
      `--web.listen-address=127.0.0.1:${port}`,
      "--cluster.listen-address=",
    ],
    dir,
  );
  await post([...probes, ...real.map((r) => ({ labels: r.labels }))]);
}, 60_000);

afterAll(async () => {
  await Promise.allSettled([alertmanager?.stop(), sink.close()]);
  removeFolders();
});

describe("the generated inhibit_rules in the real Alertmanager", () => {
  it("inhibit from critical and high, on service, job and sloth_id", () => {
    expect(inhibit.severities).toEqual(["critical", "high"]);
    expect(inhibit.equal).toEqual(["service", "job", "sloth_id"]);
  });

  it.each(["HeldHigh", "HeldMedium", "HeldLow"])(
    "hold back %s while a critical alert of its service and job fires",
    async (name) => {
      const source = (await states()).get("SourceCritical")!;
      const found = (await states()).get(name);
      expect(found?.status.state, JSON.stringify(found)).toBe("suppressed");
      expect(found?.status.inhibitedBy).toHaveLength(1);
      expect(source.status.state).toBe("active");
    },
  );

  it("hold back an SLO's ticket while its page fires, by that page alone", async () => {
    const all = await states();
    const found = all.get("SloHeldTicket");
    expect(found?.status.state, JSON.stringify(found)).toBe("suppressed");
    expect(holders(found, all)).toEqual(["SloPage"]);
  });

  it.each(["FreeOtherService", "FreeOtherJob", "FreeSameLevel", "FreeOtherSlo", "FreeWithoutJob"])(
    "leave %s alone",
    async (name) => {
      const found = (await states()).get(name);
      expect(found?.status.state, JSON.stringify(found)).toBe("active");
      expect(found?.status.inhibitedBy).toEqual([]);
    },
  );

  it("hold back the real alerts of a service while a more urgent one of it fires, by those, and only those", async () => {
    const seen = await states();
    // Alertmanager names one of the alerts that hold another back (the first it finds), so that one must be among them.
    const verdict = (held: string[]) => (held.length ? `held back by one of ${held.join(", ")}` : "active");
    const expected = real.map((r) => `${r.alert.name}: ${verdict(heldBy(r))}`);
    const actual = real.map((r) => {
      const state = seen.get(r.alert.name);
      const by = holders(state, seen);
      const held = heldBy(r);
      if (state?.status.state === "suppressed" && by.length > 0 && by.every((h) => held.includes(h)))
        return `${r.alert.name}: ${verdict(held)}`;
      return `${r.alert.name}: ${state?.status.state}${by.length ? ` by ${by.join(", ")}` : ""}`;
    });
    expect(actual).toEqual(expected);
    // The real project has both cases (a held-back alert, and a lower one of another service that is not), so this can fail either way.
    const lower = real.filter((r) => r.alert.severity !== "critical");
    expect(lower.some((r) => heldBy(r).length > 0)).toBe(true);
    expect(lower.some((r) => heldBy(r).length === 0)).toBe(true);
  });

  it.each((model.slos ?? []).map((s) => ({ slo: s, id: s.id })))(
    "hold back SLO $id's tickets by its own pages only, and nothing else by them",
    async ({ slo }) => {
      const seen = await states();
      const own = new Set(slo.alerts);
      const pages = slo.alerts.filter((name) =>
        (inhibit.severities as string[]).includes(seen.get(name)?.labels.severity ?? ""),
      );
      const tickets = slo.alerts.filter((name) => !pages.includes(name));
      expect(pages.length, "the SLO has page alerts of an inhibiting severity").toBeGreaterThan(0);
      expect(tickets.length, "the SLO has ticket alerts below them").toBeGreaterThan(0);
      for (const ticket of tickets) {
        const state = seen.get(ticket);
        expect(state?.status.state, ticket).toBe("suppressed");
        expect(
          holders(state, seen).filter((h) => !pages.includes(h)),
          `${ticket} is held back by`,
        ).toEqual([]);
      }
      // Another SLO's alerts and the service's threshold alerts are not held back by this SLO's pages.
      const heldByPages = [...seen.values()].filter(
        (a) => !own.has(a.labels.alertname!) && holders(a, seen).some((h) => pages.includes(h)),
      );
      expect(heldByPages.map((a) => a.labels.alertname)).toEqual([]);
    },
  );

  it("notify the alerts it leaves alone, never those it holds back", async () => {
    const free = ["FreeOtherService", "FreeOtherJob", "FreeSameLevel", "FreeOtherSlo", "FreeWithoutJob"];
    // Medium's group_wait is 5m, 5s compressed: by the time those arrive, a held-back alert would have been sent too.
    const failures = await eventually(Date.now() + 30_000, async () =>
      free.filter((name) => sink.receiversOf(name).length === 0).map((name) => `${name} was not notified`),
    );
    expect(failures).toEqual([]);
    for (const name of ["HeldHigh", "HeldMedium", "SloHeldTicket"])
      expect(sink.receiversOf(name), name).toEqual([]);
  }, 45_000);
});
