import { links } from "../../../src/engine/check/checks/dashboard/links.ts";
import { linkTogether } from "../../../src/engine/define/dashboard-kit.ts";
import type { DashboardModel, Model } from "../../../src/engine/model.ts";
import { describeModelCheck, realModel, type BadModel, type GoodModel } from "../../helpers/checks.ts";
import { goodPanel, testDashboard } from "../../helpers/dashboards.ts";
import { compileWith } from "../../helpers/project.ts";

const model = realModel();

/** The real model with one dashboard edited. */
function edited(uid: string, edit: (d: DashboardModel) => DashboardModel): Model {
  return { ...model, dashboards: model.dashboards.map((d) => (d.uid === uid ? edit(d) : d)) };
}

const bad: BadModel[] = [
  {
    name: "a dashboard missing its link to another",
    model: () =>
      edited("gs-beam-health", (d) => ({
        ...d,
        links: d.links.filter((l) => l.url !== "/d/gs-nats-streams"),
      })),
    findings: [{ subject: "dashboard gs-beam-health", message: "no link to gs-nats-streams" }],
  },
  {
    name: "a link to a dashboard uid we do not ship",
    model: () =>
      edited("gs-covenant-overview", (d) => ({
        ...d,
        links: [...d.links, { title: "Old overview", url: "/d/gs-overview-v1" }],
      })),
    findings: [
      {
        subject: "dashboard gs-covenant-overview",
        message: 'link "Old overview" points at unknown dashboard uid "gs-overview-v1"',
      },
    ],
  },
  {
    name: "two new dashboards never passed to linkTogether()",
    model: () =>
      compileWith([testDashboard("a").withPanel(goodPanel(1)), testDashboard("b").withPanel(goodPanel(1))])
        .model,
    findings: [
      { subject: "dashboard a", message: "no link to b" },
      { subject: "dashboard b", message: "no link to a" },
    ],
  },
  {
    name: "a dashboard dropped from the project while the others still link to it",
    model: () => ({ ...model, dashboards: model.dashboards.filter((d) => d.uid !== "gs-nats-streams") }),
    // Every other dashboard links to it (the SLO dashboard too).
    findings: model.dashboards
      .map((d) => d.uid)
      .filter((uid) => uid !== "gs-nats-streams")
      .map((uid) => ({
        subject: `dashboard ${uid}`,
        message: 'link "NATS Streams" points at unknown dashboard uid "gs-nats-streams"',
      })),
  },
];

const good: GoodModel[] = [
  { name: "the real dashboards (each links to all the others and to the runbook)", model: () => model },
  {
    name: "new dashboards joined with linkTogether()",
    model: () => {
      const dashboards = [
        testDashboard("a").withPanel(goodPanel(1)),
        testDashboard("b").withPanel(goodPanel(1)),
        testDashboard("c").withPanel(goodPanel(1)),
      ];
      linkTogether(dashboards, "https://example.com/RUNBOOK.md");
      return compileWith(dashboards).model;
    },
  },
  {
    name: "a link with a slug and a query string",
    model: () =>
      edited("gs-beam-health", (d) => ({
        ...d,
        links: d.links.map((l) =>
          l.url === "/d/gs-phoenix-metrics"
            ? { ...l, url: "/d/gs-phoenix-metrics/phoenix-metrics?orgId=1&var-job=global-sovereign" }
            : l,
        ),
      })),
  },
  {
    // Found by npm run fuzz: the check threw, out of compile().
    name: "a runbook link whose URL is no text (the settings' own error, definition/invalid)",
    model: () =>
      edited("gs-beam-health", (d) => ({
        ...d,
        links: d.links.map((l) =>
          l.title === "Runbook" ? { ...l, url: { toString: "not a function" } as unknown as string } : l,
        ),
      })),
  },
  {
    name: "a lone dashboard with no links",
    model: () => compileWith([testDashboard("alone").withPanel(goodPanel(1))]).model,
  },
];

describeModelCheck("dashboard/links", links, {
  severity: "error",
  match: "by subject",
  expect: { fix: true },
  bad,
  good,
});
