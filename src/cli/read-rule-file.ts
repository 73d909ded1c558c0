/**
 * Reading a rule file from elsewhere, within bounds: only a regular file (a FIFO would wait forever, /dev/zero
 * never ends), of at most maxRuleFileBytes, in UTF-8 (or UTF-16 with its byte order mark, as Prometheus's YAML
 * reader also accepts). Anything else is refused with a reason, before more than the limit is read.
 */
import { isUtf8 } from "node:buffer";
import { closeSync, constants, fstatSync, openSync, readSync, statSync, type Stats } from "node:fs";
import type { RuleFileRefusal } from "../engine/check/rule-file.ts";

/** The largest rule file `o11y check` reads: some 90,000 rules, about 20 s and 1 GB here; Prometheus reads many files. */
export const maxRuleFileBytes = 32 * 1024 * 1024;

/** Why a rule file was not read: said as `cannot be read: <why>`, at `line`. */
export class UnreadableRuleFile extends Error implements RuleFileRefusal {
  constructor(
    readonly why: string,
    readonly fix: string,
    readonly line = 1,
  ) {
    super(why);
  }
}

const splitFix =
  "split it into several rule files: Prometheus loads every file its rule_files patterns match.";

/** What a path is, when it is not a regular file. */
function notAFile(stats: Stats): string | undefined {
  if (stats.isFile()) return undefined;
  if (stats.isDirectory()) return "it is a folder";
  if (stats.isFIFO()) return "it is a named pipe (FIFO), not a file: reading it could wait forever";
  if (stats.isSocket()) return "it is a socket, not a file";
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return "it is a device, not a file";
  return "it is not a regular file";
}

function refuseUnlessSmallFile(stats: Stats): void {
  const kind = notAFile(stats);
  if (kind)
    throw new UnreadableRuleFile(kind, "pass the path of a Prometheus rule file (YAML with `groups:`).");
  if (stats.size > maxRuleFileBytes)
    throw new UnreadableRuleFile(
      `it is ${stats.size} bytes, more than the ${maxRuleFileBytes} (32 MiB) o11y check reads from one file`,
      splitFix,
    );
}

/** Offset of the first byte that does not belong to a valid UTF-8 sequence (there is one). */
function firstInvalidUtf8(bytes: Buffer): number {
  for (let i = 0; i < bytes.length;) {
    const lead = bytes[i]!;
    const length =
      lead < 0x80
        ? 1
        : lead >= 0xc2 && lead <= 0xdf
          ? 2
          : lead >= 0xe0 && lead <= 0xef
            ? 3
            : lead >= 0xf0 && lead <= 0xf4
              ? 4
              : 0;
    if (length === 0) return i;
    // The text decoder knows the finer rules (overlong forms, surrogates, beyond U+10FFFF).
    if (length > 1 && !isUtf8(bytes.subarray(i, i + length))) return i;
    i += length;
  }
  return bytes.length;
}

/** The text of a rule file, or an UnreadableRuleFile (or the file system's own error: no such file, no permission). */
export function readRuleFileText(file: string): string {
  refuseUnlessSmallFile(statSync(file));
  // Non-blocking, in case the path became a FIFO since: a regular file reads the same either way.
  const fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  let bytes: Buffer;
  try {
    refuseUnlessSmallFile(fstatSync(fd));
    // Up to one byte past the limit: a file that grows, or claims no size (/proc), is still bounded.
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(1 << 20, maxRuleFileBytes + 1 - total));
      const read = readSync(fd, chunk, 0, chunk.length, null);
      if (read === 0) break;
      chunks.push(chunk.subarray(0, read));
      total += read;
      if (total > maxRuleFileBytes)
        throw new UnreadableRuleFile(
          `it is more than the ${maxRuleFileBytes} bytes (32 MiB) o11y check reads from one file`,
          splitFix,
        );
    }
    bytes = Buffer.concat(chunks, total);
  } finally {
    closeSync(fd);
  }
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder("utf-16le").decode(bytes);
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder("utf-16be").decode(bytes);
  if (!isUtf8(bytes)) {
    const at = firstInvalidUtf8(bytes);
    const before = bytes.subarray(0, at);
    const line = before.filter((byte) => byte === 0x0a).length + 1;
    const column = at - (before.lastIndexOf(0x0a) + 1) + 1;
    throw new UnreadableRuleFile(
      `it is not UTF-8 text: byte 0x${bytes[at]!.toString(16).padStart(2, "0")} at line ${line}, byte ${column} of the line`,
      "save the file as UTF-8: Prometheus refuses it as it is.",
      line,
    );
  }
  return bytes.toString("utf8");
}
