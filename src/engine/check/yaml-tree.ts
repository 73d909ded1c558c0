/**
 * A YAML document as a small tree of strings with source offsets, read from js-yaml's event stream. Reading a
 * rule file this way is some ten times faster than composing a full `yaml` Document, and a rule file needs no
 * more: every scalar is kept as the string it decodes to (names, PromQL, durations, template text), a plain
 * empty, `~` or `null` as null, and every node knows where it starts and ends, for file:line locations.
 */
import { EVENT_ID, getScalarValue, parseEvents, SCALAR_STYLE, YAMLException, type Event } from "js-yaml";

export type YamlNode = YamlScalar | YamlSequence | YamlMap;
interface Span {
  /** Offset of the node's first character (a block scalar: of its first content line). */
  start: number;
  /** Offset just after its last character. */
  end: number;
}
export interface YamlScalar extends Span {
  kind: "scalar";
  value: string | null;
}
export interface YamlSequence extends Span {
  kind: "sequence";
  items: YamlNode[];
}
export interface YamlMap extends Span {
  kind: "map";
  /** `alias`: the value was written as this alias (`key: *name`), which some readers take for the name itself. */
  entries: Array<{ key: YamlNode; value: YamlNode; alias?: string }>;
}

/** A problem with the text as YAML, at an offset. */
export interface YamlProblem {
  offset: number;
  message: string;
  /** How to fix it, when there is more to say than "fix the YAML here". */
  fix?: string;
}

/**
 * Collections nest at most this deep, aliases expanded: a rule file needs about seven levels (groups, a group,
 * its rules, a rule, its labels), and Prometheus refuses anything deeper than that as the wrong type anyway.
 * Every walk over the tree (plain(), the shape checks) may recurse this deep and no deeper.
 */
export const maxYamlDepth = 100;

/**
 * How much of a document may come from expanding aliases: yaml.v3's rule, which Prometheus reads rule files
 * with. Up to 400,000 nodes 99% may, from 4,000,000 only 10%, in between it falls linearly; small documents
 * (100 aliased nodes, 1,000 in all) always pass. A billion laughs fails within its first few lines, and what
 * passes costs every walk over the tree at most about as much as the written nodes themselves, and 400,000 more.
 */
function excessiveAliasing(aliased: number, total: number): boolean {
  if (aliased <= 100 || total <= 1000) return false;
  const allowed =
    total <= 400_000 ? 0.99 : total >= 4_000_000 ? 0.1 : 0.99 - 0.89 * ((total - 400_000) / 3_600_000);
  return aliased / total > allowed;
}

/**
 * What a node stands for once its aliases are expanded: how many nodes (`weight`, itself included) and how
 * many collections deep (`height`: 0 for a scalar, 1 for a collection of scalars).
 */
interface Expanded {
  weight: number;
  height: number;
}

type Frame = {
  node: YamlSequence | YamlMap | undefined;
  key?: YamlNode;
  keys?: Set<string>;
  expanded: Expanded;
  anchored?: boolean;
};

const nullPlain = /^(~|null|Null|NULL)?$/;

/**
 * The document of `text` (undefined for an empty file), or the problems that keep it from being one: a syntax
 * error, a key given twice, an alias to no anchor or to a node that holds it, more than one document, nesting
 * deeper than maxYamlDepth, aliases that expand to too much (the first such alias stops the reading).
 *
 * An alias is not copied: the tree holds its anchor's node again, so reading costs what the text does.
 */
export function readYaml(text: string): { root: YamlNode | undefined; problems: YamlProblem[] } {
  let events: Event[];
  try {
    // js-yaml counts the document and one more level: this lets collections nest exactly maxYamlDepth deep.
    events = parseEvents(text, { maxDepth: maxYamlDepth + 2 });
  } catch (error) {
    const mark = error instanceof YAMLException ? error.mark : undefined;
    let reason = error instanceof YAMLException ? error.reason : String(error);
    if (reason.startsWith("nesting exceeded maxDepth"))
      reason = `collections nest more than ${maxYamlDepth} deep: no rule file needs more than a few levels`;
    return { root: undefined, problems: [{ offset: mark?.position ?? 0, message: reason }] };
  }
  const problems: YamlProblem[] = [];
  const anchors = new Map<string, YamlNode>();
  /** What each anchored node stands for, aliases in it expanded. */
  const anchoredSizes = new Map<YamlNode, Expanded>();
  const stack: Frame[] = [];
  /** Collections open around the current event. */
  let depth = 0;
  /** Nodes the document stands for, aliases expanded, and how many of them come from aliases: yaml.v3's counts. */
  let total = 0;
  let aliased = 0;
  const documents: Array<YamlNode | undefined> = [];
  /** Where the last scalar ended: an empty value (no offset of its own) is placed there, beside its key. */
  let lastEnd = 0;

  const add = (node: YamlNode, expanded: Expanded, alias?: string) => {
    const frame = stack.at(-1);
    if (frame) {
      frame.expanded.weight += expanded.weight;
      frame.expanded.height = Math.max(frame.expanded.height, expanded.height + 1);
    }
    if (!frame?.node) {
      documents[documents.length - 1] = node;
      return;
    }
    const parent = frame.node;
    parent.end = Math.max(parent.end, node.end);
    if (parent.kind === "sequence") {
      parent.items.push(node);
    } else if (frame.key === undefined) {
      frame.key = node;
      const name = node.kind === "scalar" ? node.value : undefined;
      if (typeof name === "string" && name !== "<<" && frame.keys!.has(name))
        problems.push({
          offset: node.start,
          message: `duplicate key "${name}" (Prometheus refuses the file)`,
        });
      if (typeof name === "string") frame.keys!.add(name);
    } else {
      parent.entries.push(
        alias === undefined ? { key: frame.key, value: node } : { key: frame.key, value: node, alias },
      );
      frame.key = undefined;
    }
  };
  const anchor = (event: { anchorStart: number; anchorEnd: number }, node: YamlNode) => {
    if (event.anchorStart >= 0) anchors.set(text.slice(event.anchorStart, event.anchorEnd), node);
  };

  for (const event of events) {
    switch (event.type) {
      case EVENT_ID.DOCUMENT:
        documents.push(undefined);
        stack.push({ node: undefined, expanded: { weight: 0, height: 0 } });
        break;
      case EVENT_ID.SEQUENCE:
      case EVENT_ID.MAPPING: {
        const node: YamlSequence | YamlMap =
          event.type === EVENT_ID.SEQUENCE
            ? { kind: "sequence", items: [], start: event.start, end: event.start }
            : { kind: "map", entries: [], start: event.start, end: event.start };
        anchor(event, node);
        const frame: Frame = { node, expanded: { weight: 1, height: 1 }, anchored: event.anchorStart >= 0 };
        if (node.kind === "map") frame.keys = new Set();
        stack.push(frame);
        depth++;
        total++;
        break;
      }
      case EVENT_ID.SCALAR: {
        const value = getScalarValue(text, event);
        const at =
          event.valueStart >= 0
            ? { start: event.valueStart, end: event.valueEnd }
            : { start: lastEnd, end: lastEnd };
        const node: YamlScalar = {
          kind: "scalar",
          value: event.style === SCALAR_STYLE.PLAIN && nullPlain.test(value) ? null : value,
          ...at,
        };
        lastEnd = node.end;
        anchor(event, node);
        if (event.anchorStart >= 0) anchoredSizes.set(node, { weight: 1, height: 0 });
        total++;
        add(node, { weight: 1, height: 0 });
        break;
      }
      case EVENT_ID.ALIAS: {
        const name = text.slice(event.anchorStart, event.anchorEnd);
        const target = anchors.get(name);
        const size = target && anchoredSizes.get(target);
        if (!target) problems.push({ offset: event.anchorStart, message: `alias *${name} names no anchor` });
        else if (!size)
          problems.push({
            offset: event.anchorStart,
            message: `alias *${name} refers to a node that contains it`,
          });
        else {
          // yaml.v3 counts the alias itself, then every node it stands for.
          total += 1 + size.weight;
          aliased += size.weight;
          if (excessiveAliasing(aliased, total)) {
            const message = `aliases expand too much: by alias *${name}, ${aliased} of the ${total} nodes read so far come from aliases; Prometheus's YAML reader refuses such a document ("excessive aliasing")`;
            const fix =
              "write the repeated parts out, or alias them fewer times: a rule file needs aliases for a few shared labels at most.";
            return { root: undefined, problems: [...problems, { offset: event.anchorStart, message, fix }] };
          }
          if (depth + size.height > maxYamlDepth) {
            const message = `alias *${name} nests collections ${depth + size.height} deep, more than ${maxYamlDepth}: no rule file needs more than a few levels`;
            return {
              root: undefined,
              problems: [
                ...problems,
                {
                  offset: event.anchorStart,
                  message,
                  fix: "flatten the nesting: groups, rules and their labels are all a rule file holds.",
                },
              ],
            };
          }
          add(target, size, name);
        }
        break;
      }
      case EVENT_ID.POP: {
        const frame = stack.pop();
        if (frame?.node) {
          depth--;
          if (frame.anchored) anchoredSizes.set(frame.node, frame.expanded);
          add(frame.node, frame.expanded);
        }
        break;
      }
    }
  }
  // A trailing `---` makes an empty document (nothing, or one empty value); only those with content count.
  const filled = documents.filter(
    (document): document is YamlNode =>
      document !== undefined && !(document.kind === "scalar" && document.value === null),
  );
  if (filled.length > 1)
    problems.push({
      offset: 0,
      message: `${filled.length} YAML documents in one file; Prometheus reads a rule file as one`,
    });
  return { root: filled[0], problems };
}

/** The value under `key` in a map, if any. */
export function get(node: YamlNode | undefined, key: string): YamlNode | undefined {
  if (node?.kind !== "map") return undefined;
  return node.entries.find((entry) => entry.key.kind === "scalar" && entry.key.value === key)?.value;
}

/** The node as plain data: strings (or null), arrays and objects, with `<<` merge keys applied. */
export function plain(node: YamlNode | undefined): unknown {
  if (!node) return undefined;
  if (node.kind === "scalar") return node.value;
  if (node.kind === "sequence") return node.items.map(plain);
  // Keys gathered in a Map and made an object at once: every key is an own key, `__proto__`, `constructor` and
  // `toString` too (assigned, `__proto__` would set the prototype; `in` would find the others on Object.prototype).
  const out = new Map<string, unknown>();
  const merged: Array<Record<string, unknown>> = [];
  for (const { key, value } of node.entries) {
    if (key.kind !== "scalar" || key.value === null) continue;
    if (key.value === "<<") {
      for (const source of value.kind === "sequence" ? value.items : [value]) {
        const fields = plain(source);
        if (fields !== null && typeof fields === "object" && !Array.isArray(fields))
          merged.push(fields as Record<string, unknown>);
      }
      continue;
    }
    out.set(key.value, plain(value));
  }
  // Keys written in the map win over merged ones; among merged maps, the first wins.
  for (const fields of merged)
    for (const [field, value] of Object.entries(fields)) if (!out.has(field)) out.set(field, value);
  return Object.fromEntries(out);
}
