import { sloInhibition } from "../../../src/engine/check/checks/slo/inhibition.ts";
import type { AlertModel, Model, SloModel } from "../../../src/engine/model.ts";
import { describeModelCheck, realModel, type BadModel, type GoodModel } from "../../helpers/checks.ts";
import { sloModel, withSlos } from "../../helpers/slos.ts";

const routingSource = { file: "src/alerts/fixture-severities.ts", line: 12 };

/** An SLO of service shop with its four alerts at the given page and ticket severities. */
function shopSlo(name: string, prefix: string, page: string, ticket: string) {
  const base = realModel().alerts[0]!;
  const alert = (suffix: string, severity: string): AlertModel => ({
    ...base,
    name: `${prefix}BudgetBurn${suffix}`,
    severity,
    labels: { ...base.labels, severity, service: "shop" },
  });
  const alerts = [
    alert("Page1h", page),
    alert("Page6h", page),
    alert("Ticket1d", ticket),
    alert("Ticket3d", ticket),
  ];
  const slo: SloModel = sloModel({ id: `shop-${name}`, name, alerts: alerts.map((a) => a.name) });
  return { slo, alerts };
}

function model(
  slos: Array<ReturnType<typeof shopSlo>>,
  inhibit: Model["routing"]["inhibit"] = { severities: ["critical", "high"], equal: ["service", "job"] },
): () => Model {
  return () => {
    const base = withSlos(slos.map((s) => s.slo));
    return {
      ...base,
      alerts: [...base.alerts, ...slos.flatMap((s) => s.alerts)],
      routing: { ...base.routing, inhibit, source: routingSource },
    };
  };
}

const checkout = () => shopSlo("checkout", "Checkout", "critical", "medium");
const search = () => shopSlo("search", "Search", "critical", "medium");

const bad: BadModel[] = [
  {
    name: "two SLOs of one service, compared on service and job",
    model: model([checkout(), search()]),
    message:
      "inhibit.equal [service, job] does not compare sloth_id, and an SLO's alerts carry no job: Alertmanager counts a label both alerts lack as equal, so while CheckoutBudgetBurnPage1h (shop-checkout) fires, it holds back SearchBudgetBurnTicket1d (shop-search)",
  },
  {
    name: "one SLO: its page holds back the service's alerts without a job",
    model: model([checkout()]),
    message:
      "while CheckoutBudgetBurnPage1h (shop-checkout) fires, it holds back every lower-severity alert of service shop that has no job label",
  },
  {
    name: "an SLO whose alerts inhibit nothing is still held back",
    model: model([shopSlo("checkout", "Checkout", "medium", "low")]),
    message:
      "a critical or high alert of service shop without a job label holds back the alerts of shop-checkout",
  },
  {
    name: "compared on service only",
    model: model([checkout(), search()], { severities: ["critical"], equal: ["service"] }),
    message: "inhibit.equal [service] does not compare sloth_id",
  },
].map((b) => ({
  ...b,
  subject: "alert routing",
  source: routingSource,
  fix: 'add "sloth_id" to inhibit.equal',
}));

const good: GoodModel[] = [
  {
    name: "two SLOs, compared on service, job and sloth_id",
    model: model([checkout(), search()], {
      severities: ["critical", "high"],
      equal: ["service", "job", "sloth_id"],
    }),
  },
  { name: "no inhibition", model: model([checkout(), search()], { severities: [], equal: [] }) },
  { name: "no SLOs", model: model([]) },
  { name: "the real project", model: realModel },
];

describeModelCheck("slo/inhibition", sloInhibition, { severity: "error", match: "message", bad, good });
