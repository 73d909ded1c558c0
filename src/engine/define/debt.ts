/**
 * Migration debt: a check that a definition brought in by `o11y import` does not satisfy yet, and why. It is
 * written where the import found it (a dashboard, panel or variable; an alert or a recording rule), so that the
 * imported definition builds on the first run and `o11y check` lists the debt until someone pays it. Each one
 * stands for a `# o11y-disable <check>: <reason>` at its site (check/suppression.ts).
 */
export interface MigrationDebt {
  check: string;
  reason: string;
}

export function debt(check: string, reason: string): MigrationDebt {
  return { check, reason };
}
