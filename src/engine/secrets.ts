/**
 * Secret-looking text: credentials in a URL, a secret in a URL's query, a Slack webhook, and tokens whose shape
 * their issuer made recognizable. Shapes are narrow on purpose: a false alarm costs a build, and a word like
 * "token" or "password" in prose is not a secret. Whatever is found is never printed, not even in part:
 * messages show the text with each secret replaced by `***`.
 */

export interface SecretMatch {
  /** What it looks like, for messages: `credentials in a URL`, `a GitHub token`. */
  kind: string;
  /** The secret's span in the text: what `redactSecrets` hides. */
  from: number;
  to: number;
  /** Whether it is a URL's user and password (the fix differs). */
  userinfo?: boolean;
}

interface Detector {
  kind: string;
  /** Global, with indices (`d`); the secret is capture group 1 when there is one, else the whole match. */
  pattern: RegExp;
  /** False for a match that is not a secret after all (a template variable in its place). */
  accept?: (secret: string) => boolean;
  userinfo?: boolean;
}

/** A template or a variable stands in for the value: `$__env{PASSWORD}`, `{{ $labels.user }}`, `${user}`. */
const literal = (secret: string) => !/[${}]/.test(secret);
/** Long, with letters and digits: a generated value rather than a name. */
const tokenLike = (text: string) => text.length >= 16 && /[0-9]/.test(text) && /[a-zA-Z]/.test(text);
/** Base64 of a real credential has a digit, `+`, `/` or `=`; a run of letters is a word. */
const encoded = (secret: string) => /[0-9+/=]/.test(secret);

const detectors: Detector[] = [
  // A user and password; or a user alone that looks like a token (`https://<token>@github.com`), not `ssh://git@host`.
  {
    kind: "credentials in a URL",
    pattern: /\b[a-zA-Z][a-zA-Z0-9+.-]*:\/\/([^\s/?#@"'`<>]+)@/dg,
    accept: (user) => literal(user) && (user.includes(":") || tokenLike(user)),
    userinfo: true,
  },
  // `user:password@host:port` without a scheme, as a scrape target or an Alertmanager address would be written; not
  // `mailto:someone@host`, nor an image `name:tag@sha256:...`.
  {
    kind: "credentials before a host",
    pattern:
      /(?<![^\s"'`(=,[])((?!(?:mailto|sips?|tel|xmpp|urn|data):)[A-Za-z_][^\s/?#@"'`<>:=]*:[^\s/?#@"'`<>]+)@(?!sha\d+:)(?=[A-Za-z0-9[])/dg,
    accept: literal,
    userinfo: true,
  },
  {
    kind: "a secret in a URL's query",
    pattern:
      /[?&;](?:access[_-]?token|api[_-]?key|apikey|auth[_-]?token|client[_-]?secret|pass|passwd|password|private[_-]?token|secret|token)=([^&#\s"'`<>]+)/dgi,
    accept: literal,
  },
  {
    kind: "a Slack webhook URL",
    pattern: /\bhooks\.slack\.com\/(?:services|workflows|triggers)\/([A-Za-z0-9_/-]{8,})/dg,
  },
  { kind: "a Slack token", pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,}/dg },
  { kind: "a GitHub token", pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})/dg },
  { kind: "a GitLab token", pattern: /\bglpat-[A-Za-z0-9_-]{20,}/dg },
  {
    kind: "a Grafana token",
    pattern: /\b(?:glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}|glc_[A-Za-z0-9+/]{32,}={0,2})/dg,
  },
  { kind: "an AWS access key", pattern: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/dg },
  { kind: "a Google API key", pattern: /\bAIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])/dg },
  { kind: "a Stripe key", pattern: /\b[rs]k_live_[0-9a-zA-Z]{24,}/dg },
  { kind: "a JSON Web Token", pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/dg },
  {
    kind: "a private key",
    pattern: /-----BEGIN (?:[A-Z]+ )*PRIVATE KEY-----(?:[\s\S]*?-----END (?:[A-Z]+ )*PRIVATE KEY-----)?/dg,
  },
  {
    kind: "an Authorization value",
    pattern: /\b(?:Bearer|Basic)\s+([A-Za-z0-9+/._~-]{16,}={0,2})/dg,
    accept: (secret) => literal(secret) && encoded(secret),
  },
];

/**
 * Cheap test that rules most text out before the detectors run: every detector's match holds one of these (a
 * URL's userinfo an `@`, a query secret one of `?&;`). Case-sensitive, which V8 runs several times faster.
 */
const maybe =
  /[@?&;]|hooks\.slack|xox|gh[pousr]_|github_pat_|glpat-|gl(?:sa|c)_|AKIA|ASIA|AIza|k_live_|eyJ|PRIVATE KEY|Bearer|Basic/;

/** Every secret in `text`, in order, without overlaps. */
export function findSecrets(text: string): SecretMatch[] {
  if (!maybe.test(text)) return [];
  const found: SecretMatch[] = [];
  for (const detector of detectors) {
    for (const match of text.matchAll(detector.pattern)) {
      const secret = match[1] ?? match[0];
      if (secret === "" || (detector.accept && !detector.accept(secret))) continue;
      const [from, to] = match.indices?.[1] ?? [match.index, match.index + secret.length];
      const entry: SecretMatch = { kind: detector.kind, from, to };
      if (detector.userinfo) entry.userinfo = true;
      found.push(entry);
    }
  }
  found.sort((a, b) => a.from - b.from || b.to - a.to);
  const kept: SecretMatch[] = [];
  for (const match of found) if (kept.length === 0 || match.from >= kept.at(-1)!.to) kept.push(match);
  return kept;
}

/** `text` with every secret replaced by `***`: `http://***@grafana:3000`. */
export function redactSecrets(text: string): string {
  const secrets = findSecrets(text);
  if (secrets.length === 0) return text;
  let out = "";
  let at = 0;
  for (const { from, to } of secrets) {
    out += `${text.slice(at, from)}***`;
    at = to;
  }
  return out + text.slice(at);
}

/** A copy of plain data (a report) with every string in it redacted, at any depth. */
export function redactStrings<T>(value: T): T {
  if (typeof value === "string") return redactSecrets(value) as T;
  if (Array.isArray(value)) return value.map(redactStrings) as T;
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [redactSecrets(key), redactStrings(inner)]),
    ) as T;
  }
  return value;
}

/** A diagnostic as it may be shown: every text field redacted (a tool's output or a check may quote a value). */
export function redactDiagnostic<
  T extends { subject: string; message: string; fix?: string; suppressed?: string },
>(d: T): T {
  const redacted = { ...d, subject: redactSecrets(d.subject), message: redactSecrets(d.message) };
  if (d.fix !== undefined) redacted.fix = redactSecrets(d.fix);
  if (d.suppressed !== undefined) redacted.suppressed = redactSecrets(d.suppressed);
  return redacted;
}
