/**
 * Plain JSON with object keys sorted, so the bytes do not depend on the order builder methods were
 * called in. Functions (the SDK leaves some on built objects) and undefined values are dropped.
 */
export function canonicalize(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((item) => (item === undefined || typeof item === "function" ? null : canonicalize(item)));
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const item = (value as Record<string, unknown>)[key];
      if (item === undefined || typeof item === "function") continue;
      out[key] = canonicalize(item);
    }
    return out;
  }
  return value;
}

export function stringifyJson(value: unknown): string {
  return `${JSON.stringify(canonicalize(value), null, 2)}\n`;
}
