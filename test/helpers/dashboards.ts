import { dashboard, query, sel, stat } from "../../src/engine/define/dashboard-kit.ts";
import { markAsHelper } from "../../src/engine/source.ts";

// Locations then point at the test line that called these, as for content wrappers.
markAsHelper(import.meta.url);

export const testDashboard = (uid: string) =>
  dashboard({
    uid,
    title: `Test ${uid}`,
    description: "A dashboard under test.",
    tags: ["test"],
    anchorMetric: "up",
    defaultDatasourceUid: "gs-prometheus",
    defaultJob: "global-sovereign",
  });

export const goodPanel = (id: number, expr = `sum(up{${sel}})`) =>
  stat({ id, title: `Panel ${id}`, description: "A fine panel.", unit: "short", queries: [query(expr)] });
