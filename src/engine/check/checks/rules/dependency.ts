import { fromElsewhere, type Finding, type ModelCheck } from "../../check.ts";
import { expressionSites } from "../../sites.ts";

/** Names with a colon are recorded series: each one used must be recorded, and no rule may depend on itself. */
export const ruleDependency: ModelCheck = {
  id: "rules/dependency",
  kind: "house",
  severity: "error",
  summary:
    "A recorded series that is used but never recorded, or recording rules that depend on each other in a cycle.",
  scope: "model",
  check(model, ctx) {
    const recorded = new Map(model.recordingRules.map((r) => [r.record, r]));
    // From the run's parses: the expression checks have parsed every site already.
    const uses = (expr: string, grafana: boolean) =>
      ctx.metricNames(expr, { grafana }).flatMap((metric) => (metric?.includes(":") ? [metric] : []));
    const findings: Finding[] = [];
    const sites = model === ctx.model ? ctx.sites() : expressionSites(model);
    for (const site of sites) {
      for (const name of uses(site.expr, site.kind !== "expression")) {
        if (!recorded.has(name)) {
          findings.push({
            subject: site.subject,
            source: site.source,
            message: `${name} is used but no recording rule records it`,
            fix: fromElsewhere(ctx)
              ? "record it in a rule file checked together with this one (they are read as Prometheus loads them), or use the raw expression."
              : "define it in src/recording-rules/, or use the raw expression.",
          });
        }
      }
    }
    // Depth-first search for cycles among recording rules; `path` is the chain of rules being visited, each with
    // the dependencies still to visit. A stack of its own, not the call stack: a chain may be thousands of rules long.
    const state = new Map<string, "visiting" | "done">();
    const path: Array<{ name: string; pending: string[] }> = [];
    const enter = (name: string) => {
      if (state.get(name) === "done") return;
      if (state.get(name) === "visiting") {
        const names = path.map((step) => step.name);
        const cycle = [...names.slice(names.indexOf(name)), name];
        const rule = recorded.get(name)!;
        findings.push({
          subject: `recording rule ${name}`,
          source: rule.source,
          message: `recording rules depend on each other in a cycle: ${cycle.join(" -> ")}`,
          fix: "break the cycle: a rule must be computable from raw series.",
        });
        return;
      }
      state.set(name, "visiting");
      path.push({
        name,
        pending: uses(recorded.get(name)!.expr, false)
          .filter((dependency) => recorded.has(dependency))
          .reverse(),
      });
    };
    for (const name of recorded.keys()) {
      enter(name);
      while (path.length) {
        const step = path[path.length - 1]!;
        const next = step.pending.pop();
        if (next !== undefined) enter(next);
        else {
          path.pop();
          state.set(step.name, "done");
        }
      }
    }
    return findings;
  },
};
