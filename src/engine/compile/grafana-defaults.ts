/**
 * What the Foundation SDK writes that means nothing to Grafana: the interval variable's `auto` settings on every
 * variable, `repeatDirection` on panels that do not repeat, and fields that only restate Grafana's own default
 * (Grafana fills them in when it loads the dashboard, and writes them back only when someone saves it). Left out,
 * the JSON says what this project chose and nothing else, and a diff of it shows only real changes.
 */

type Json = Record<string, unknown>;

/** A field to leave out, where it holds this value (or, for a function, where it says so). */
type Rule = [field: string, when: unknown];

/** Grafana's defaults for the parts of a dashboard, as its panel and variable models set them. */
export const grafanaDefaults: Record<string, Rule[]> = {
  // `annotations: {}` stays: Grafana's schema requires the object, even empty.
  dashboard: [["fiscalYearStartMonth", 0]],
  link: [
    ["asDropdown", false],
    ["includeVars", false],
    ["keepTime", false],
    ["targetBlank", false],
    // Set by the SDK on every link: it moves the links into a menu on the Grafana versions that know it.
    ["placement", "inControlsMenu"],
  ],
  variable: [
    ["allowCustomValue", true],
    ["skipUrlSync", false],
  ],
  /** On variables other than `interval`, which alone has an automatic step. */
  notInterval: [
    ["auto", (value: unknown) => value !== undefined],
    ["auto_count", (value: unknown) => value !== undefined],
    ["auto_min", (value: unknown) => value !== undefined],
  ],
  datasourceVariable: [
    ["includeAll", false],
    ["multi", false],
  ],
  panel: [["transparent", false]],
  statOptions: [
    ["colorMode", "value"],
    ["justifyMode", "auto"],
    ["orientation", "auto"],
    ["textMode", "auto"],
    ["wideLayout", true],
    ["showPercentChange", false],
    ["percentChangeColorMode", "standard"],
  ],
  tableOptions: [
    ["cellHeight", "sm"],
    ["frameIndex", 0],
    ["showHeader", true],
    ["showTypeIcons", false],
  ],
  tableFieldDefaults: [
    ["align", "auto"],
    ["inspect", false],
  ],
};

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function strip(object: unknown, rules: Rule[] | undefined): void {
  if (typeof object !== "object" || object === null || !rules) return;
  const record = object as Json;
  for (const [field, when] of rules) {
    if (!(field in record)) continue;
    const matches =
      typeof when === "function"
        ? (when as (v: unknown) => boolean)(record[field])
        : same(record[field], when);
    if (matches) delete record[field];
  }
}

function stripPanel(panel: Json): void {
  strip(panel, grafanaDefaults.panel);
  // Which way to repeat means something only with `repeat`.
  if (panel.repeat === undefined) delete panel.repeatDirection;
  if (panel.type === "stat") strip(panel.options, grafanaDefaults.statOptions);
  if (panel.type === "table") {
    const options = panel.options as Json | undefined;
    strip(options, grafanaDefaults.tableOptions);
    // A footer that is not shown: its settings mean nothing.
    if (options && (options.footer as Json | undefined)?.show === false) delete options.footer;
    const custom = ((panel.fieldConfig as Json | undefined)?.defaults as Json | undefined)?.custom as
      Json | undefined;
    strip(custom, grafanaDefaults.tableFieldDefaults);
    if (custom && Object.keys(custom).length === 0)
      delete ((panel.fieldConfig as Json).defaults as Json).custom;
  }
  for (const nested of (panel.panels as Json[] | undefined) ?? []) stripPanel(nested);
}

/** The dashboard without what Grafana would ignore or assume anyway; changed in place. */
export function withoutGrafanaDefaults<T extends object>(dashboard: T): T {
  const json = dashboard as Json;
  strip(json, grafanaDefaults.dashboard);
  for (const link of (json.links as Json[] | undefined) ?? []) strip(link, grafanaDefaults.link);
  for (const variable of ((json.templating as Json | undefined)?.list as Json[] | undefined) ?? []) {
    strip(variable, grafanaDefaults.variable);
    if (variable.type !== "interval") strip(variable, grafanaDefaults.notInterval);
    if (variable.type === "datasource") strip(variable, grafanaDefaults.datasourceVariable);
  }
  for (const panel of (json.panels as Json[] | undefined) ?? []) stripPanel(panel);
  return dashboard;
}
