import { describe, expect, it } from "vitest";
import { findSecrets, redactSecrets, redactStrings } from "../../src/engine/secrets.ts";

describe("redactSecrets", () => {
  it.each([
    ["http://user:Zq8vK3pLw7@host:9090/x", "http://***@host:9090/x", "credentials in a URL"],
    ["https://Zq8vK3pLw7Ab12Cd34@github.com/o/r", "https://***@github.com/o/r", "credentials in a URL"],
    ["user:Zq8vK3pLw7@alertmanager:9093", "***@alertmanager:9093", "credentials before a host"],
    ["targets: [user:pw@am:9093]", "targets: [***@am:9093]", "credentials before a host"],
    [
      "https://x/?q=1&access_token=Vv93kLpq2Mx#a",
      "https://x/?q=1&access_token=***#a",
      "a secret in a URL's query",
    ],
    [
      "https://hooks.slack.com/services/T0ABC/B0DEF/Xy7Zq8vK3p",
      "https://hooks.slack.com/services/***",
      "a Slack webhook URL",
    ],
    ["token xoxb-2048-9317-QwErTy0987 here", "token *** here", "a Slack token"],
    [`ghp_${"a1".repeat(18)}`, "***", "a GitHub token"],
    [`github_pat_${"A1_".repeat(8)}`, "***", "a GitHub token"],
    [`glpat-${"x1".repeat(10)}`, "***", "a GitLab token"],
    [`glsa_${"a".repeat(32)}_0123abcd`, "***", "a Grafana token"],
    ["AKIAIOSFODNN7EXAMPLE", "***", "an AWS access key"],
    [`AIza${"b".repeat(35)}`, "***", "a Google API key"],
    [`sk_live_${"c".repeat(24)}`, "***", "a Stripe key"],
    ["eyJhbGciOiJIUzI1.eyJzdWIiOiIxMjM0.SflKxwRJSMeKKF2QT4", "***", "a JSON Web Token"],
    ["-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----", "***", "a private key"],
    ["Authorization: Basic dXNlcjpwYXNzd29yZA==", "Authorization: Basic ***", "an Authorization value"],
  ])("hides %j", (text, redacted, kind) => {
    expect(redactSecrets(text)).toBe(redacted);
    expect(findSecrets(text).map((s) => s.kind)).toEqual([kind]);
  });

  it.each([
    "http://localhost:9090",
    "ssh://git@github.com/o/r.git",
    "mailto:oncall@example.com",
    "oncall@example.com",
    "http://grafana:$__env{PASSWORD}@prometheus:9090",
    "http://{{ $labels.user }}:x@host",
    "https://logs/?token=${token}",
    "https://logs/?tokens=5&keyword=x",
    "Basic authentication with a bearer token failed; rotate the password",
    "Bearer authenticationfailures",
    "image app:1.2@sha256:abcdef0123",
    "at 10:30@home",
    'sum by (job) (rate(phoenix_http_request_total{job=~"$job", instance=~"$instance"}[$__rate_interval]))',
    "/d/gs-phoenix-metrics?viewPanel=101&var-job=$job",
  ])("leaves %j alone", (text) => {
    expect(findSecrets(text)).toEqual([]);
    expect(redactSecrets(text)).toBe(text);
  });

  it("hides every secret of a text, and each whole", () => {
    expect(redactSecrets("a http://u:p1@h b xoxp-1234567890-x c")).toBe("a http://***@h b *** c");
  });
});

describe("redactStrings", () => {
  it("redacts every string of a report at any depth, keys included, and keeps its shape", () => {
    const report = {
      base: "main",
      count: 3,
      missing: undefined,
      flags: [
        {
          id: "link-changed",
          before: "http://admin:hunter2@grafana:3000/d/x",
          after: "http://grafana:3000/d/x",
        },
      ],
      files: { "http://bob:s3cret@host/": { changed: true } },
    };
    const redacted = redactStrings(report);
    expect(redacted).toEqual({
      base: "main",
      count: 3,
      missing: undefined,
      flags: [
        { id: "link-changed", before: "http://***@grafana:3000/d/x", after: "http://grafana:3000/d/x" },
      ],
      files: { "http://***@host/": { changed: true } },
    });
    expect(JSON.stringify(redacted)).not.toMatch(/hunter2|s3cret/);
  });
});
