/**
 * Where imported alerts notify (import/notifications.ts), on the diff tests' fixture project: each alert walked
 * through the fixture's routing, and the same build with its routing broken in the ways a project can be.
 */
import { describe, expect, it } from "vitest";
import { notificationsOf } from "../../src/engine/import/notifications.ts";
import type { ArtifactFile } from "../../src/engine/diff/snapshot.ts";
import { base, edited, model, type Doc } from "../diff/build.ts";

const alertmanager = "alertmanager/alertmanager.yml";
const receiver = (doc: Doc, name: string): Doc => doc.receivers.find((r: Doc) => r.name === name);
const outcomes = (files: ArtifactFile[] | undefined, names?: string[]) =>
  notificationsOf(model, (alert) => names === undefined || names.includes(alert.name), files).map((n) => [
    n.alert,
    n.pages,
    n.outcome,
  ]);

describe("where imported alerts notify", () => {
  it("reads the routing it renders from the model, as the build writes it", () => {
    expect(outcomes(undefined)).toEqual(outcomes(base));
    expect(outcomes(undefined).length).toBe(model.alerts.length);
  });

  it("walks each alert through the project's routes: pages, notifies, and how soon", () => {
    expect(outcomes(base, ["ShopHigh5xxErrorRate", "QueueLagHigh", "OrdersFailingInRegions"])).toEqual([
      [
        "ShopHigh5xxErrorRate",
        "always",
        "pages, first after 5m10s; receiver shop-page (pagerduty, slack #shop-oncall)",
      ],
      [
        "QueueLagHigh",
        "always",
        "pages, first after 6m; receiver shop-urgent (pagerduty, slack #shop-oncall)",
      ],
      [
        "OrdersFailingInRegions",
        "never",
        "notifies without paging, first after 15m; receiver shop-triage (slack #shop-alerts)",
      ],
    ]);
  });

  it.each([
    [
      "a receiver with no integration",
      { [alertmanager]: (doc: Doc) => void (receiver(doc, "shop-triage").slack_configs = undefined) },
      [
        "OrdersFailingInRegions",
        "never",
        "sends nothing: every receiver it reaches has no integration; receiver shop-triage (sends nothing)",
      ],
    ],
    [
      "a Prometheus that names no Alertmanager",
      { "prometheus/prometheus.yml": (doc: Doc) => void delete doc.alerting },
      [
        "OrdersFailingInRegions",
        "never",
        "reaches no one: prometheus/prometheus.yml names no Alertmanager (alerting.alertmanagers): Prometheus sends alerts nowhere",
      ],
    ],
    [
      "a route that pages on a medium alert",
      {
        [alertmanager]: (doc: Doc) =>
          void (doc.route.routes.find((r: Doc) => r.receiver === "shop-triage").receiver = "shop-page"),
      },
      [
        "OrdersFailingInRegions",
        "always",
        "pages, first after 15m; receiver shop-page (pagerduty, slack #shop-oncall)",
      ],
    ],
  ])("says so for %s", (_, edits, expected) => {
    expect(outcomes(edited(edits), ["OrdersFailingInRegions"])).toEqual([expected]);
  });

  it("fails loudly, never silently, for an alert the build does not hold", () => {
    const files = base.filter(
      (f) => !f.path.includes("rules/") || !f.content.includes("OrdersFailingInRegions"),
    );
    expect(() => notificationsOf(model, (alert) => alert.name === "OrdersFailingInRegions", files)).toThrow(
      /alert OrdersFailingInRegions \(line \d+\) is not in the build/,
    );
  });
});
