/**
 * Terminal and CI-log text: what a definition, a rule file or a tool wrote is shown escaped (control
 * characters, escape sequences, bidi overrides), and no line of `o11y check`'s text, JSON or GitHub output can
 * be taken by GitHub's runner for a workflow command, except the annotations it writes on purpose.
 */
import { describe, expect, it } from "vitest";
import { formatReport } from "../../src/cli/format.ts";
import { formatDiagnostic, type Diagnostic } from "../../src/engine/diagnostics.ts";
import {
  githubCommandData,
  githubCommandProperty,
  jsonForTerminal,
  spellHidden,
  terminalLines,
  terminalText,
} from "../../src/engine/escape.ts";
import { generator, hostilePieces, randomStrings } from "./random.ts";

/** Any character that acts on a terminal or hides text; ours (our color codes aside) must never print one raw. */
const raw = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;
/** What GitHub's runner takes for a workflow command (actions/runner ActionCommand: TryParseV2, then the legacy TryParse). */
const commandLine = (line: string) => /^[\s\p{DI}]*:\p{DI}*:/u.test(line) || /#\p{DI}*#\p{DI}*\[/u.test(line);

describe("terminalText", () => {
  const cases: Array<[string, string, string]> = [
    ["an SGR color sequence", "\u001b[31mred\u001b[0m", "\\x1b[31mred\\x1b[0m"],
    ["a title-setting OSC with BEL", "\u001b]0;pwned\u0007", "\\x1b]0;pwned\\x07"],
    ["CR that rewrites the line", "ok\rFAIL", "ok\\rFAIL"],
    ["line breaks and tabs", "a\nb\r\nc\td", "a\\nb\\r\\nc\\td"],
    ["DEL and C1 controls (8-bit CSI, NEL)", "\u007f\u009b31m\u0085", "\\x7f\\x9b31m\\x85"],
    ["a bidi override (Trojan Source)", "user\u202e\u2066admin\u2069", "user\\u202e\\u2066admin\\u2069"],
    [
      "zero-width characters, a BOM and a soft hyphen",
      "up\u200b\u200d\ufeff\u00adx",
      "up\\u200b\\u200d\\ufeff\\xadx",
    ],
    ["line and paragraph separators", "a\u2028b\u2029c", "a\\u2028b\\u2029c"],
    ["a tag character (invisible ASCII)", "x\u{e0041}", "x\\u{e0041}"],
    ["a lone surrogate", "a\ud800b\udc00", "a\\ud800b\\udc00"],
    ["a workflow command at the start", "::error file=a::pwned", "\\x3a:error file=a::pwned"],
    ["a workflow command after white space", " \u00a0\u3000::warning::x", " \u00a0\u3000\\x3a:warning::x"],
    [
      "a workflow command behind an ignorable character",
      "\u034f:\u034f:add-mask::x",
      "\u034f\\x3a\u034f:add-mask::x",
    ],
    ["a legacy command anywhere", "expr ##[error]pwned", "expr ##\\x5berror]pwned"],
    [
      "a legacy command split by ignorable characters",
      "#\u034f#[set-output name=x]y",
      "#\u034f#\\x5bset-output name=x]y",
    ],
  ];
  it.each(cases)("spells out %s", (_name, text, shown) => {
    expect(terminalText(text)).toBe(shown);
  });

  it("leaves ordinary text as it is: PromQL with its backslashes, colons inside a line, any script and emoji", () => {
    for (const text of [
      'sum by (le) (rate(x{path=~"/api/\\\\d+"}[5m])) > 0.5',
      "job:phoenix_http_requests_5xx:ratio_rate5m",
      "a::b",
      "Ünïcödé 中文 العربية ❤️ 😀",
      "# comment [x]",
    ]) {
      expect(terminalText(text)).toBe(text);
    }
  });

  it("keeps each line break of a message a line, each line escaped", () => {
    expect(terminalLines("first\r\n::error::second\n\u001b[2Jthird")).toEqual([
      "first",
      "\\x3a:error::second",
      "\\x1b[2Jthird",
    ]);
  });

  it("never leaves a raw hidden character or a workflow command in random hostile text", () => {
    for (const text of randomStrings(301, 1000, hostilePieces)) {
      const shown = terminalText(text);
      expect({ text, raw: raw.test(shown), command: commandLine(shown) }).toEqual({
        text,
        raw: false,
        command: false,
      });
      // Placed after white space, at the start of a line, it is still no command.
      expect({ text, command: commandLine(`    ${shown}`) }).toEqual({ text, command: false });
    }
  });
});

describe("jsonForTerminal", () => {
  it("escapes what JSON.stringify leaves raw, and the JSON still reads back the same", () => {
    for (const text of randomStrings(302, 500, hostilePieces)) {
      const json = jsonForTerminal(JSON.stringify({ text }, null, 2));
      expect(JSON.parse(json)).toEqual({ text });
      expect({
        text,
        raw: raw.test(json.replace(/\n/g, "")),
        command: json.split("\n").some(commandLine),
      }).toEqual({ text, raw: false, command: false });
    }
  });
});

describe("GitHub workflow command escapes", () => {
  // The runner's decoding (actions/runner ActionCommand.UnescapeData and UnescapeProperty), in its order.
  const unescapeData = (s: string) => s.replace(/%0D/g, "\r").replace(/%0A/g, "\n").replace(/%25/g, "%");
  const unescapeProperty = (s: string) =>
    s
      .replace(/%0D/g, "\r")
      .replace(/%0A/g, "\n")
      .replace(/%3A/g, ":")
      .replace(/%2C/g, ",")
      .replace(/%25/g, "%");

  it("round-trips through the runner's decoding, on one line", () => {
    for (const text of [...randomStrings(303, 500, hostilePieces), "%0A", "%250A", "a,b:c", "%3A%2C"]) {
      expect(githubCommandData(text)).not.toMatch(/[\r\n]/);
      expect(githubCommandProperty(text)).not.toMatch(/[\r\n,:]/);
      expect(unescapeData(githubCommandData(text))).toBe(text);
      expect(unescapeProperty(githubCommandProperty(text))).toBe(text);
    }
  });
});

/** A diagnostic whose every part comes from the hostile pieces. */
function randomDiagnostic(next: () => number, index: number): Diagnostic {
  const [file, subject, message, fix, check, reason] = randomStrings(1000 + index, 6, hostilePieces, 12);
  const suppressed = next() < 0.2;
  return {
    check: check!,
    severity: next() < 0.5 ? "error" : "warning",
    subject: subject!,
    source: { file: file!, line: 1 + Math.floor(next() * 100) },
    message: message!,
    ...(next() < 0.6 ? { fix: fix! } : {}),
    ...(next() < 0.3 ? { position: { line: 1, column: 2 } } : {}),
    ...(suppressed ? { suppressed: reason! } : {}),
  };
}

describe("o11y check's formats", () => {
  const next = generator(304);
  const diagnostics = Array.from({ length: 400 }, (_, i) => randomDiagnostic(next, i));
  const hostile: Diagnostic = {
    check: "promql/unknown-metric",
    severity: "error",
    subject: 'alert ::error file=x::pwned\n##[error]two "\u202eevil"',
    source: { file: "::warning::rules.yaml", line: 3 },
    message: "unknown metric \u001b[31mred\u001b[0m\r\n::add-mask::secret",
    fix: "did you mean\n::error::this?",
  };

  it("text: the issue's kind of input, spelled out, and every line after the first indented", () => {
    expect(formatDiagnostic(hostile)).toBe(
      [
        '\\x3a:warning::rules.yaml:3 error alert ::error file=x::pwned\\n##\\x5berror]two "\\u202eevil": unknown metric \\x1b[31mred\\x1b[0m',
        "    \\x3a:add-mask::secret [promql/unknown-metric]",
        "    fix: did you mean",
        "         \\x3a:error::this?",
      ].join("\n"),
    );
  });

  it("text: no raw hidden character and no workflow command on any line, one unindented line per diagnostic", () => {
    const output = formatReport(diagnostics, "text", false);
    const lines = output.slice(0, -1).split("\n");
    expect(lines.filter((line) => !line.startsWith("    "))).toHaveLength(diagnostics.length);
    for (const line of lines)
      expect({ line, raw: raw.test(line), command: commandLine(line) }).toEqual({
        line,
        raw: false,
        command: false,
      });
    // In color, the escape sequences are ours alone.
    const colored = formatReport(diagnostics, "text", true).replace(/\u001b\[(?:31|33|2|0)m/g, "");
    expect(colored).toBe(output);
  });

  it("json: the values as they are, no raw hidden character and no workflow command on any line", () => {
    const output = formatReport(diagnostics, "json", false);
    expect(JSON.parse(output)).toEqual({ diagnostics });
    for (const line of output.slice(0, -1).split("\n"))
      expect({ line, raw: raw.test(line), command: commandLine(line) }).toEqual({
        line,
        raw: false,
        command: false,
      });
  });

  it("github: exactly one annotation line per diagnostic, which the runner decodes to the escaped text", () => {
    const output = formatReport([hostile, ...diagnostics], "github", false);
    const lines = output.slice(0, -1).split("\n");
    expect(lines).toHaveLength(diagnostics.length + 1);
    const command = /^::(error|warning|notice) file=([^,:\r]*),line=(\d+),title=([^,:\r]*)::([^\r]*)$/;
    for (const [i, line] of lines.entries()) {
      const d = i === 0 ? hostile : diagnostics[i - 1]!;
      const match = command.exec(line);
      expect({ line, match: match !== null, raw: raw.test(line) }).toEqual({ line, match: true, raw: false });
      const [, level, file, number, title, data] = match!;
      expect(level).toBe(d.suppressed !== undefined ? "notice" : d.severity);
      expect(decodeURIComponent(file!)).toBe(spellHidden(d.source.file));
      expect(Number(number)).toBe(d.source.line);
      expect(decodeURIComponent(title!)).toBe(spellHidden(d.check));
      const message = data!.replace(/%0D/g, "\r").replace(/%0A/g, "\n").replace(/%25/g, "%");
      const where = d.position ? ` (expression line ${d.position.line}, column ${d.position.column})` : "";
      const tail =
        d.suppressed !== undefined
          ? [`suppressed: ${terminalText(d.suppressed)}`]
          : d.fix
            ? [`fix: ${terminalLines(d.fix).join("\n")}`]
            : [];
      expect(message).toBe(
        [`${terminalText(d.subject)}: ${terminalLines(d.message).join("\n")}${where}`, ...tail].join("\n"),
      );
      // Each line of the annotation, as the log shows it, is no command either.
      for (const shown of message.split("\n"))
        expect({ shown, command: commandLine(shown) }).toEqual({ shown, command: false });
    }
  });
});
