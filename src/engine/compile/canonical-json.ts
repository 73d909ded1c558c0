/**
 * Results of `canonicalize`, which need no second pass. They are treated as read-only from then on:
 * the compiled model keeps them and the renderers write them as they are.
 */
const canonical = new WeakSet<object>();

/**
 * Plain JSON with object keys sorted, so the bytes do not depend on the order builder methods were
 * called in. Functions (the SDK leaves some on built objects) and undefined values are dropped.
 *
 * The result is exactly what `JSON.parse(JSON.stringify(result))` gives back (values JSON cannot hold
 * become what JSON.stringify writes for them: null, or nothing), so a renderer may validate the value it
 * stringified instead of parsing its own output again.
 */
export function canonicalize(value: unknown): unknown {
  if (value !== null && typeof value === "object" && canonical.has(value)) return value;
  const result = canonicalValue(value);
  if (result !== null && typeof result === "object") canonical.add(result);
  return result;
}

/** Whether `value` came out of `canonicalize`: its JSON is `JSON.stringify(value)` as it stands. */
export function isCanonical(value: unknown): boolean {
  return value !== null && typeof value === "object" && canonical.has(value);
}

/** What JSON.stringify writes in place of a value: `undefined` where it writes nothing (or null in an array). */
function canonicalValue(value: unknown): unknown {
  switch (typeof value) {
    case "undefined":
    case "function":
    case "symbol":
      return undefined;
    case "number":
      // NaN and the infinities are written as null, -0 as 0.
      return Number.isFinite(value) ? (value === 0 ? 0 : value) : null;
    case "bigint":
      // JSON.stringify throws on one; a definition's wrong value is reported by its validation, rendering must not throw first.
      return String(value);
    case "object":
      break;
    default:
      return value;
  }
  if (value === null) return null;
  if (Array.isArray(value)) {
    // A loop, not map(): holes are written as null.
    const out: unknown[] = new Array(value.length);
    for (let i = 0; i < value.length; i++) out[i] = canonicalValue(value[i]) ?? null;
    return out;
  }
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const item = canonicalValue((value as Record<string, unknown>)[key]);
    if (item === undefined) continue;
    // An own key `__proto__` (JSON.parse makes one) is written by JSON.stringify like any other; assigned, it would
    // set the prototype instead, and the key would vanish from the output, from diffs and from the model's hash.
    if (key === "__proto__")
      Object.defineProperty(out, key, { value: item, enumerable: true, writable: true, configurable: true });
    else out[key] = item;
  }
  return out;
}

export function stringifyJson(value: unknown): string {
  return `${JSON.stringify(canonicalize(value), null, 2)}\n`;
}
