#!/usr/bin/env node
// Starts the TypeScript CLI: from a cached bundle of it when the command is for the default project (the
// fastest start, see below), else through tsx's ESM hooks (faster start than the tsx CLI).
import { createHash, randomBytes } from "node:crypto";
import {
  accessSync,
  closeSync,
  constants,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { isAscii } from "node:buffer";
import { builtinModules, createRequire, SourceMap } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Script } from "node:vm";

// A head start for the plain-JavaScript dependencies (hundreds of CommonJS files, most of them the Grafana
// SDK's): loaded before tsx's hooks are registered, they skip the hooks' worker thread, and Node reads no
// source maps for them. The TypeScript sources import them as usual and get these same module instances.
// Only a shortcut: a name missing here is loaded later all the same, one that fails to load is left to fail
// where it is really imported. (The cached bundle lists its own, in its header.)
const plainDependencies = [
  // The CLI and the engine (not lezer-promql: src/engine/promql/parse.ts requires it at the first parse).
  "commander",
  "yaml",
  // The definitions, which every command loads (`--help` does not).
  "@grafana/grafana-foundation-sdk/common",
  "@grafana/grafana-foundation-sdk/dashboard",
  "@grafana/grafana-foundation-sdk/heatmap",
  "@grafana/grafana-foundation-sdk/prometheus",
  "@grafana/grafana-foundation-sdk/stat",
  "@grafana/grafana-foundation-sdk/table",
  "@grafana/grafana-foundation-sdk/timeseries",
];
const args = process.argv.slice(2);

/*
 * The cached bundle: src/cli/main.ts and the project module src/project.ts bundled by esbuild into one CommonJS
 * script with an inline source map, in .o11y-cache/ (git-ignored). It runs without tsx, its hooks' worker thread
 * and a transpile per file, compiled from V8's code cache of it (see `evaluateBundle`); its source map, registered
 * for src/engine/source.ts, places every definition (and every frame of a stack it reads) in the .ts sources
 * exactly as under tsx, and each module's `import.meta.url` is its own file's URL, as under tsx. The CommonJS
 * packages that every command loads (those that static imports reach) are bundled in, their code unmapped (see
 * `buildBundle`); the ES module ones are imported by Node before the bundle runs; the others stay outside, loaded by
 * Node when the code that needs them runs.
 *
 * Its name holds a hash of everything it is made from: this file, package.json, package-lock.json, the installed
 * tree (node_modules/.package-lock.json), tsconfig.json, the Node version, the project module, and the path and
 * contents of every file under src/ (the build checks that the bundle holds no other file). A bundle of other
 * sources is never loaded: an edit makes a new name, built by the next run (~0.2 s more), which removes the
 * project's previous bundle. A bundle is written to a temporary file and renamed, so a concurrent run sees a whole
 * bundle or none; two runs building the same one write the same bytes. Sources esbuild cannot bundle (a syntax
 * error, say) leave a `.failed` note under the same name, so that the next runs go straight to tsx (which reports
 * the error) until the sources change.
 *
 * Only for the bundled project (the default; O11Y_CACHE_PROJECT names another, for tests): `--project` with any
 * other module starts through tsx, as do O11Y_CACHE=off, a checkout where .o11y-cache/ cannot be written, and any
 * failure to build or load the bundle. O11Y_CACHE=require makes those errors (tests).
 */
const cacheDir = ".o11y-cache";
/** The bundle's own `import.meta.url`, set in its first line, for each module's URL to be resolved against. */
const bundleUrl = "__o11yBundleUrl";
/** What `import.meta.url` becomes in each module: its own file's URL, resolved against the bundle's. */
const moduleUrl = "__o11yModuleUrl";
/** The bundle's `require`, for the CommonJS packages. */
const bundleRequire = "__o11yRequire";
/** What the bundle has for an ES module package: the module, as Node imported it before the bundle ran. */
const bundleImported = "__o11yImported";

/** Writes V8's code cache of the bundle after the command ran, when there was none it could use. */
let keepCodeCache;

/** Why no bundle can be made of these sources (a syntax error, say); remembered until they change. */
class Unbundlable extends Error {}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const cacheMode = process.env.O11Y_CACHE || "auto";
if (!["auto", "off", "require"].includes(cacheMode))
  cannotStart(new Error(`O11Y_CACHE=${cacheMode}: use off, require or auto`));
const bundledProject = process.env.O11Y_CACHE_PROJECT || "src/project.ts";

let main;
try {
  main = (cacheMode !== "off" && (await bundledMain())) || (await tsxMain());
} catch (error) {
  // The CLI's own modules do not load (a syntax error in one, say): said in a few lines, not a stack.
  cannotStart(error);
}
process.exitCode = await main(args);
keepCodeCache?.();

function cannotStart(error) {
  const lines = String(error?.message ?? error)
    .split("\n")
    .slice(0, 5)
    .join("\n    ");
  process.stderr.write(`o11y: cannot start: ${lines}\n`);
  if (process.env.O11Y_DEBUG === "1" && error?.stack) process.stderr.write(`${error.stack}\n`);
  process.exit(1);
}

async function tsxMain() {
  const helpOnly =
    args.length === 0 ||
    args[0] === "help" ||
    args.some((arg) => arg === "--help" || arg === "-h" || arg === "--version" || arg === "-V");
  const preload = helpOnly
    ? plainDependencies.filter((name) => !name.startsWith("@grafana/"))
    : plainDependencies;
  await Promise.allSettled(preload.map((name) => import(name)));
  const { register } = await import("tsx/esm/api");
  register();
  return (await import("../src/cli/main.ts")).main;
}

/** The bundle's `main`; undefined when the bundle does not apply or could not be built or loaded. */
async function bundledMain() {
  let bundle;
  try {
    bundle = bundleFor(args);
    if (!bundle) return undefined;
    const packages = bundle.stale
      ? await buildBundle(bundle, createRequire(import.meta.url)("esbuild"))
      : readHeader(bundle.file);
    bundle.imported = await preload(packages);
  } catch (error) {
    if (error instanceof Unbundlable) {
      try {
        writeFileSync(bundle.failed, `${error.message}\n`);
      } catch {
        // Tried again next time.
      }
    }
    if (cacheMode === "require") throw error;
    return undefined;
  }
  try {
    // Evaluates the CLI's and the engine's modules, not the project's (`loadProject` does).
    return evaluateBundle(bundle.file, bundle.imported).main;
  } catch (error) {
    // Removed by a concurrent run that built a newer one, say: tsx loads the modules again, from the start.
    if (cacheMode === "require") throw error;
    return undefined;
  }
}

/**
 * Runs the bundle, a CommonJS script, in this context, and returns its exports.
 *
 * Compiling 2 MB of JavaScript is a sixth of a warm build, and Node 20 caches no compiled code for modules. A
 * `vm.Script` takes V8's code cache: kept beside the bundle (`<bundle>.v8`), written after a run that had none it
 * could use (so it also holds every function that run compiled). V8 refuses a cache of another V8 or other flags
 * (the script is then compiled as usual, and the cache written again), but of the source it checks only the length,
 * and a damaged cache crashes it: so a sha256 of the source and the cache comes first in the file, and a cache
 * that does not match it is not given to V8.
 *
 * Two things a module has and this script has not, given here: Node 20 cannot serve `import()` from code compiled
 * from a code cache, so the bundle imports through this module's own (src/engine/import-module.ts; `buildBundle`
 * refuses a bundle that calls `import()` itself); and Node does not map a script's frames, so the bundle's source
 * map is registered for src/engine/source.ts, which maps each frame it reads.
 */
function evaluateBundle(file, imported) {
  const bytes = readFileSync(file);
  // Built in ASCII (`asciiCode`): Latin-1 makes the same string without decoding; else (no map, left as it was) UTF-8.
  const source = isAscii(bytes) ? bytes.toString("latin1") : bytes.toString("utf8");
  const cacheFile = `${file}.v8`;
  const checksum = (data) => createHash("sha256").update(bytes).update(data).digest();
  let cachedData;
  try {
    const kept = readFileSync(cacheFile);
    const data = kept.subarray(32);
    if (checksum(data).equals(kept.subarray(0, 32))) cachedData = data;
  } catch {
    // None yet: written after this run.
  }
  registerSourceMap(file, source);
  globalThis[Symbol.for("o11y.import")] = (specifier) => import(specifier);
  // Strict, as the ES module it is made of; the wrapper is on the header's line, which has no mappings.
  const script = new Script(
    `(function (exports, require, module, __filename, __dirname, ${bundleImported}) {"use strict";${source}\n})`,
    { filename: file, cachedData },
  );
  if (cachedData === undefined || script.cachedDataRejected) {
    keepCodeCache = () => {
      try {
        const temp = `${cacheFile}.${process.pid}-${randomBytes(4).toString("hex")}.tmp`;
        const data = script.createCachedData();
        writeFileSync(temp, Buffer.concat([checksum(data), data]));
        renameSync(temp, cacheFile);
      } catch {
        // Written by a later run.
      }
    };
  }
  const module = { exports: {} };
  const importedModule = (name) => {
    const loaded = imported.get(name);
    if (!loaded) throw new Error(`${name} was not imported before the bundle ran`);
    if (loaded.status === "rejected") throw loaded.reason;
    // Marked as an ES module's exports, for esbuild's interop: a default import is the module's `default`.
    return { __esModule: true, ...loaded.value };
  };
  script.runInThisContext()(
    module.exports,
    createRequire(file),
    module,
    file,
    path.dirname(file),
    importedModule,
  );
  return module.exports;
}

/**
 * Registers the bundle's inline source map (its sources made absolute URLs, as Node makes them) for
 * src/engine/source.ts, by the bundle's path; parsed when a frame is first mapped.
 */
function registerSourceMap(file, source) {
  const marker = "\n//# sourceMappingURL=data:application/json;base64,";
  const at = source.lastIndexOf(marker);
  if (at < 0) return;
  const encoded = source.slice(at + marker.length).trim();
  let map;
  const maps = (globalThis[Symbol.for("o11y.scriptSourceMaps")] ??= new Map());
  maps.set(file, () => {
    if (map === undefined) {
      const payload = JSON.parse(Buffer.from(encoded, "base64").toString("utf8"));
      const base = pathToFileURL(file);
      const entries = payload[mapEntriesField()];
      if (Array.isArray(entries)) map = decodedMap(payload.sources, entries, base);
      else {
        payload.sources = payload.sources.map((name) => new URL(name, base).href);
        map = new SourceMap(payload);
      }
    }
    return map;
  });
}

/**
 * Where the bundle's source map keeps its mappings decoded when the bundle was built (`withContentMappings`): five
 * numbers per segment, its generated line and column, its source's index (-1 for none) and its original line and
 * column, sorted as Node sorts them. Node's SourceMap decodes the mappings when it is made, ~15 ms of every start
 * (its decoder runs cold); these come with the map's JSON. (A function: this module's constants are not set when
 * the command runs.)
 */
function mapEntriesField() {
  return "x_o11yEntries";
}

/** `findEntry` as Node's SourceMap answers it (its binary search, over the same entries), each source made a URL once. */
function decodedMap(sources, entries, base) {
  const urls = new Array(sources.length);
  const line = (index) => entries[index * 5];
  const column = (index) => entries[index * 5 + 1];
  return {
    findEntry(atLine, atColumn) {
      let first = 0;
      let count = entries.length / 5;
      if (count === 0) return {};
      while (count > 1) {
        const step = count >> 1;
        const middle = first + step;
        if (atLine < line(middle) || (atLine === line(middle) && atColumn < column(middle))) count = step;
        else {
          first = middle;
          count -= step;
        }
      }
      if (first === 0 && (atLine < line(0) || (atLine === line(0) && atColumn < column(0)))) return {};
      const source = entries[first * 5 + 2];
      const found = { generatedLine: line(first), generatedColumn: column(first) };
      if (source < 0) return found;
      urls[source] ??= new URL(sources[source], base).href;
      return {
        ...found,
        originalSource: urls[source],
        originalLine: entries[first * 5 + 3],
        originalColumn: entries[first * 5 + 4],
      };
    },
  };
}

/**
 * Loads the packages a bundle loads from outside (those not bundled in), before it does; returns how each ES module
 * package's import settled, by name.
 */
async function preload(packages) {
  const require = createRequire(path.join(root, cacheDir, "bundle.mjs"));
  for (const name of packages.require) {
    try {
      require(name);
    } catch {
      // Left to fail where the bundle requires it.
    }
  }
  const settled = await Promise.allSettled(packages.import.map((name) => import(name)));
  return new Map(packages.import.map((name, i) => [name, settled[i]]));
}

/** The project module a command names with `--project`, read as commander reads it; null when unclear. */
function requestedProject(argv) {
  const values = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--") break;
    if (argv[i] === "--project") values.push(argv[++i]);
    else if (argv[i].startsWith("--project=")) values.push(argv[i].slice("--project=".length));
  }
  if (values.length === 0) return "src/project.ts";
  return values.length === 1 && values[0] ? values[0] : null;
}

/** The bundle for this command: its file, and whether it must be built; undefined when it does not apply. */
function bundleFor(argv) {
  const requested = requestedProject(argv);
  const project = path.resolve(root, bundledProject);
  if (requested === null || path.resolve(root, requested) !== project) {
    if (cacheMode === "require")
      throw new Error(
        `O11Y_CACHE=require: the bundle holds ${bundledProject}, the command asks for ${requested}`,
      );
    return undefined;
  }
  const { key, inputs, meta } = sourceKey(project);
  const dir = path.join(root, cacheDir);
  const slot = slotOf(project);
  const file = path.join(dir, `cli-${slot}-${key.slice(0, 32)}.cjs`);
  const failed = file.replace(/\.cjs$/, ".failed");
  try {
    statSync(file);
    return { file, stale: false };
  } catch {
    // Not built yet: below.
  }
  let failure;
  try {
    failure = readFileSync(failed, "utf8").trim();
  } catch {
    // Not tried yet.
  }
  if (failure !== undefined) {
    if (cacheMode === "require")
      throw new Error(`O11Y_CACHE=require: no bundle can be made of these sources: ${failure}`);
    return undefined;
  }
  mkdirSync(dir, { recursive: true });
  // Built only where it can be cached (else every run would build it), and only in a real folder (a bundle
  // reached through a symlink would resolve its modules' URLs from elsewhere).
  accessSync(dir, constants.W_OK);
  if (!lstatSync(dir).isDirectory()) throw new Error(`${cacheDir} is not a folder`);
  return { file, failed, dir, slot, key, project, inputs, meta, stale: true };
}

/** The project module's part of its cached files' names. */
function slotOf(project) {
  return createHash("sha256").update(path.relative(root, project)).digest("hex").slice(0, 8);
}

/**
 * A hash of everything the bundle is made from, the files it may hold and those of them that read `import.meta`
 * (absolute paths).
 *
 * Reading and hashing every source costs more than the rest of the start; so, as git's index does, the key is kept
 * with each file's size, inode and change times (`.o11y-cache/sources-<slot>.json`), and while none of them moved the
 * kept key answers (`fresh`, to hash them whatever the record says). A file changed within two seconds of being
 * read is not recorded (an edit in the same tick of the clock could keep its times), so it is read again next time.
 */
function sourceKey(project, fresh = false) {
  const own = { "bin/o11y.js": fileURLToPath(import.meta.url) };
  // node_modules/.package-lock.json: the tree npm installed, for the packages bundled in (an install that the
  // lockfile does not show, `npm install` of another version, makes another bundle).
  const manifests = [
    "bin/o11y.js",
    "package.json",
    "package-lock.json",
    "node_modules/.package-lock.json",
    "tsconfig.json",
  ].map((name) => [name, own[name] ?? path.join(root, name)]);
  const inputs = new Set();
  const walk = (dir) => {
    const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    );
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else inputs.add(full);
    }
  };
  walk(path.join(root, "src"));
  inputs.add(project);
  const files = [...manifests.map(([, file]) => file), ...inputs];
  const stamp = (file) => {
    try {
      const stat = statSync(file, { bigint: true });
      return [file, String(stat.size), String(stat.ino), String(stat.mtimeNs), String(stat.ctimeNs)].join(
        "\0",
      );
    } catch (error) {
      if (error.code !== "ENOENT") throw error;
      return `${file}\0missing`;
    }
  };
  const record = path.join(root, cacheDir, `sources-${slotOf(project)}.json`);
  const stamps = files.map(stamp);
  const stampsText = stamps.join("\n");
  if (!fresh) {
    try {
      const kept = JSON.parse(readFileSync(record, "utf8"));
      if (kept.node === process.versions.node && kept.stamps === stampsText)
        return { key: kept.key, inputs, meta: kept.meta };
    } catch {
      // None kept yet, or unreadable: hashed below.
    }
  }
  const hash = createHash("sha256");
  const add = (name, content) => hash.update(`${name}\0${content.length}\0`).update(content);
  add("o11y bundle", `1 node ${process.versions.node} project ${path.relative(root, project)}`);
  for (const [name, file] of manifests) {
    let content;
    try {
      content = readFileSync(file);
    } catch (error) {
      if (error.code !== "ENOENT") throw error;
      content = "\0missing";
    }
    add(name, content);
  }
  const meta = [];
  for (const file of inputs) {
    const content = readFileSync(file);
    add(path.relative(root, file), content);
    if (/\.[cm]?[jt]sx?$/.test(file) && content.includes("import.meta")) meta.push(file);
  }
  const key = hash.digest("hex");
  keepSourceKey(record, { node: process.versions.node, stamps: stampsText, key, meta }, files, stamps, stamp);
  return { key, inputs, meta };
}

/**
 * Keeps a source key with the stamps it was hashed under: when no file changed while it was read (stamped the same
 * again), nor within two seconds before (wall clock and file times are the same kernel clock).
 */
function keepSourceKey(record, kept, files, stamps, stamp) {
  const settled = BigInt(Date.now() - 2000) * 1_000_000n;
  try {
    for (let i = 0; i < files.length; i++) {
      if (stamp(files[i]) !== stamps[i]) return;
      const [, , , mtime, ctime] = stamps[i].split("\0");
      if (ctime !== undefined && (BigInt(mtime) > settled || BigInt(ctime) > settled)) return;
    }
    mkdirSync(path.dirname(record), { recursive: true });
    const temp = `${record}.${process.pid}-${randomBytes(4).toString("hex")}.tmp`;
    writeFileSync(temp, JSON.stringify(kept));
    renameSync(temp, record);
  } catch {
    // Not kept: the next run hashes again.
  }
}

/** The packages a bundle loads, from its header: `/*o11y-bundle {"require":[...],"import":[...]}*\/`. */
function readHeader(file) {
  // Its first line only: the file is read whole once, when it runs.
  let bytes = Buffer.alloc(16384);
  const fd = openSync(file, "r");
  try {
    bytes = bytes.subarray(0, readSync(fd, bytes, 0, bytes.length, 0));
  } finally {
    closeSync(fd);
  }
  if (bytes.indexOf("*/") < 0) bytes = readFileSync(file);
  const match = /^\/\*o11y-bundle (.*)\*\/$/.exec(bytes.toString("utf8", 0, bytes.indexOf("*/") + 2));
  if (!match) throw new Error(`${file} has no header`);
  return JSON.parse(match[1]);
}

/**
 * How the bundle loads a package: `require` when Node's `import` would load a CommonJS file that `require`
 * loads too, else `import`. Throws when `importer` (a module) would find another package than the bundle.
 */
function loadedWith(name, importer) {
  // The bundle resolves packages from .o11y-cache/; a module resolving one from elsewhere is not bundled.
  const resolved = (from) => {
    try {
      return createRequire(from).resolve(name);
    } catch (error) {
      return `error ${error.code}`;
    }
  };
  const fromBundle = resolved(path.join(root, cacheDir, "bundle.mjs"));
  if (importer !== undefined && resolved(importer) !== fromBundle)
    throw new Error(`${importer} resolves ${name} to another file than the bundle would`);
  const url = import.meta.resolve(name);
  if (!url.startsWith("file:")) return "import";
  const file = fileURLToPath(url);
  if (file !== fromBundle) return "import";
  if (file.endsWith(".cjs")) return "require";
  if (!file.endsWith(".js")) return "import";
  // A .js file is CommonJS unless the nearest package.json says "type": "module".
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    let manifest;
    try {
      manifest = readFileSync(path.join(dir, "package.json"), "utf8");
    } catch {
      if (dir === path.dirname(dir)) return "require";
      continue;
    }
    return JSON.parse(manifest).type === "module" ? "import" : "require";
  }
}

/**
 * Builds the bundle with esbuild and writes it; returns its header. Throws when it cannot be built (a syntax
 * error: tsx then reports it) or cached.
 *
 * Two passes: the first, with every package left to Node, finds the packages that the CLI and the project reach by
 * static imports (what every command loads); the second bundles those in. One file then stands for some 250 CommonJS
 * files (the Grafana SDK's, mostly), which Node would each resolve, read, wrap and compile: about 60 ms of every start.
 * Packages reached only by a dynamic `import()` (the import command's ts-morph and prettier) stay outside, loaded by
 * Node when that code runs.
 *
 * ES module packages (lezer-promql with @lezer/lr and @lezer/common, js-yaml, commander) stay outside too: a few
 * files each, which Node imports before the bundle runs, as they are. Bundled, their code went through `keepNames`,
 * which the CLI's own code needs (the names tsx keeps) and which marks every function and class with its name;
 * lezer's parser and trees ran at about half their speed that way (`o11y check` over 10,000 rules: 2.9 s of CPU
 * before they were bundled, 4.9 s after; bench/README.md, part 3).
 */
async function buildBundle(bundle, { build }) {
  const specifier = (file) => JSON.stringify(`./${path.relative(root, file).split(path.sep).join("/")}`);
  const entry = [
    `import { provideBundledProject } from ${specifier(path.join(root, "src/cli/load-project.ts"))};`,
    `export { main } from ${specifier(path.join(root, "src/cli/main.ts"))};`,
    `provideBundledProject(${JSON.stringify(path.relative(root, bundle.project))}, () => import(${specifier(bundle.project)}), ${JSON.stringify(bundle.key)});`,
  ].join("\n");
  /** One pass; `inside` names the packages bundled in, with everything they import. */
  const bundlePass = async (inside) => {
    const packages = { require: new Set(), import: new Set() };
    const plugin = {
      name: "o11y-bundle",
      setup(build) {
        // `import.meta.url` (replaced by `moduleUrl`, see `define`): the line is prepended to the module's
        // first line, so every other line keeps its number.
        const escape = (file) => file.replace(/[\\^$.*+?()[\]{}|]/g, "\\$&");
        build.onLoad({ filter: new RegExp(`^(?:${bundle.meta.map(escape).join("|")})$`) }, (args) => {
          const source = readFileSync(args.path, "utf8");
          const relative = path.relative(path.dirname(bundle.file), args.path).split(path.sep).join("/");
          return {
            contents: `var ${moduleUrl} = new URL(${JSON.stringify(relative)}, ${bundleUrl}).href; ${source}`,
            loader: "default",
          };
        });
        build.onResolve({ filter: /^[^./]/ }, (args) => {
          if (args.path.startsWith("node:") || builtinModules.includes(args.path))
            return { path: args.path, external: true };
          // A bundled package's own imports are bundled with it.
          if (inside.has(args.path) || args.importer.includes(`${path.sep}node_modules${path.sep}`))
            return undefined;
          // An ES module package: the module Node imports before the bundle runs (a script cannot import it).
          if (loadedWith(args.path, args.importer) === "import") {
            packages.import.add(args.path);
            return { path: args.path, namespace: "o11y-import" };
          }
          packages.require.add(args.path);
          return { path: args.path, namespace: "o11y-require" };
        });
        build.onLoad({ filter: /.*/, namespace: "o11y-require" }, (args) => ({
          contents: `module.exports = ${bundleRequire}(${JSON.stringify(args.path)});`,
          loader: "js",
        }));
        build.onLoad({ filter: /.*/, namespace: "o11y-import" }, (args) => ({
          contents: `module.exports = ${bundleImported}(${JSON.stringify(args.path)});`,
          loader: "js",
        }));
      },
    };
    const result = await build({
      absWorkingDir: root,
      stdin: { contents: entry, resolveDir: root, sourcefile: "o11y-bundle-entry.js", loader: "js" },
      outfile: bundle.file,
      write: false,
      bundle: true,
      format: "cjs",
      platform: "node",
      // As tsx transpiles: for this Node, keeping functions' and classes' names.
      target: `node${process.versions.node}`,
      keepNames: true,
      // Without esbuild's default "module" condition, a package's require() gets its CommonJS build, as Node gives
      // it: tslib's ES module build, required by each of the Grafana SDK's ~250 files, was wrapped anew each time (a
      // copy of its 40 exports per file: ~25 ms of every start, and its garbage).
      conditions: [],
      minifyWhitespace: true,
      sourcemap: "inline",
      sourcesContent: false,
      define: { "import.meta.url": moduleUrl },
      banner: {
        // `require` (evaluateBundle's, the bundle's own): what the bundled CommonJS packages call for Node's
        // built-in modules.
        js: `const ${bundleUrl} = require("node:url").pathToFileURL(__filename).href; const ${bundleRequire} = require;`,
      },
      plugins: [plugin],
      metafile: true,
      logLevel: "silent",
    }).catch((error) => {
      // esbuild's own report of what it cannot bundle (else a failure to run it).
      if (Array.isArray(error?.errors) && error.errors.length)
        throw new Unbundlable(
          error.errors
            .map((e) => `${e.location?.file ?? ""}:${e.location?.line ?? ""}: ${e.text}`)
            .join("; "),
        );
      throw error;
    });
    return { result, header: startupPackages(result.metafile, bundle.project, packages) };
  };
  const reached = (await bundlePass(new Set())).header;
  const { result, header } = await bundlePass(new Set(reached.require));
  const output = result.outputFiles.find((file) => file.path === bundle.file)?.text;
  if (output === undefined) throw new Unbundlable("esbuild made no bundle");
  // Only files the key covers (and the packages, which node_modules/.package-lock.json covers).
  const outside = Object.keys(result.metafile.inputs).filter(
    (input) =>
      !input.startsWith("o11y-require:") &&
      !input.startsWith("o11y-import:") &&
      !/(?:^|\/)node_modules\//.test(input) &&
      input !== "o11y-bundle-entry.js" &&
      !bundle.inputs.has(path.resolve(root, input)),
  );
  if (outside.length)
    throw new Unbundlable(`the bundle would hold files its key does not cover: ${outside.join(", ")}`);
  // A script has no `import.meta`: esbuild makes any other use of it an empty object, and says so.
  if (
    output.includes("import.meta") ||
    result.warnings.some((warning) => warning.text.includes("import.meta"))
  )
    throw new Unbundlable("a module reads import.meta other than import.meta.url");
  // Nor an `import()` of its own (see evaluateBundle): the one left is src/engine/import-module.ts's, for tsx.
  if (output.split("import(").length !== 2)
    throw new Unbundlable("a module calls import() itself: use importModule (src/engine/import-module.ts)");
  // A source edited while esbuild read it: the bundle may hold either version, so it is not cached.
  if (sourceKey(bundle.project, true).key !== bundle.key)
    throw new Error("the sources changed while the bundle was built");
  const headerText = JSON.stringify(header);
  if (headerText.includes("*/")) throw new Unbundlable("a package name holds */");
  // On the banner's line, which has no mappings: every mapped line keeps its number.
  const temp = `${bundle.file}.${process.pid}-${randomBytes(4).toString("hex")}.tmp`;
  writeFileSync(temp, `/*o11y-bundle ${headerText}*/${withContentMappings(output)}`);
  renameSync(temp, bundle.file);
  removeOldBundles(bundle);
  return header;
}

/**
 * The packages the bundle loads as it starts and loads the project: those that static imports reach from its entry
 * and from the project module. A package that only a dynamic `import()` reaches (the import command's ts-morph and
 * prettier, some 0.3 s) loads when that code runs, not before every command.
 */
function startupPackages(metafile, project, packages) {
  const required = new Set();
  const imported = new Set();
  const queue = ["o11y-bundle-entry.js", path.relative(root, project).split(path.sep).join("/")];
  const seen = new Set();
  while (queue.length > 0) {
    const input = queue.pop();
    if (seen.has(input)) continue;
    seen.add(input);
    for (const edge of metafile.inputs[input]?.imports ?? []) {
      if (edge.kind === "dynamic-import") continue;
      const name = edge.original ?? edge.path;
      if (packages.require.has(name) && edge.path.startsWith("o11y-require:")) required.add(name);
      else if (packages.import.has(name) && edge.path.startsWith("o11y-import:")) imported.add(name);
      else if (!edge.external) queue.push(edge.path);
    }
  }
  return { require: [...required].sort(), import: [...imported].sort() };
}

/**
 * The bundle with a source map of the project's content only. Node parses the whole map when it first maps a frame
 * (src/engine/source.ts does, to place every definition), and o11y's own code is nine tenths of it. Where its code
 * starts, a segment without a source says "not mapped": findEntry then answers nothing for its frames rather than
 * the content above them, and src/engine/source.ts takes a frame left in the bundle for o11y's own. (O11Y_CACHE=off
 * runs through tsx, with every file mapped, to debug o11y itself.)
 *
 * And its code in ASCII (see `asciiCode`), the map's columns moved to match.
 */
function withContentMappings(output) {
  const marker = "\n//# sourceMappingURL=data:application/json;base64,";
  const at = output.lastIndexOf(marker);
  if (at < 0) return output;
  const map = JSON.parse(Buffer.from(output.slice(at + marker.length).trim(), "base64").toString("utf8"));
  const { code, escapedAt } = asciiCode(output.slice(0, at));
  // o11y's own code: the engine, the CLI, the bundle's entry, its package shims and the packages bundled in.
  // A package wherever its node_modules is (esbuild names a linked or hoisted one by its real path: ../../x/node_modules).
  const ownSource =
    /^(?:\.\.\/src\/(?:engine|cli)\/|\.\.\/bin\/|\.\.\/o11y-bundle-entry\.js$|o11y-require:|o11y-import:)|(?:^|\/)node_modules\//;
  const own = map.sources.map((source) => ownSource.test(source));
  const absolute = [0, 0, 0, 0];
  const written = [0, 0, 0, 0];
  // Whether the last segment kept maps: one without a source is needed only where mapped code ends, as findEntry
  // answers with the last segment at or before a position, whichever line it is on.
  let mapped = false;
  const entries = [];
  const lines = map.mappings.split(";").map((line, index) => {
    let generated = 0;
    let writtenColumn = 0;
    const out = [];
    // Each escaped character before a column moves it right by what its escape adds.
    const escaped = escapedAt[index] ?? [];
    let before = 0;
    let wider = 0;
    for (const segment of line.split(",")) {
      if (segment === "") continue;
      const fields = decodeVlq(segment);
      generated += fields[0];
      while (before < escaped.length && escaped[before].column < generated) wider += escaped[before++].wider;
      const column = generated + wider;
      for (let i = 1; i < fields.length; i++) absolute[i - 1] += fields[i];
      const keep = fields.length > 1 && !own[absolute[0]];
      if (keep) {
        const values = [column - writtenColumn];
        for (let i = 1; i < fields.length; i++) {
          values.push(absolute[i - 1] - written[i - 1]);
          written[i - 1] = absolute[i - 1];
        }
        out.push(encodeVlq(values));
        entries.push([index, column, absolute[0], absolute[1], absolute[2]]);
        writtenColumn = column;
        mapped = true;
      } else if (mapped) {
        // The start of unmapped code: one segment without a source, for the code up to the next mapped segment.
        out.push(encodeVlq([column - writtenColumn]));
        entries.push([index, column, -1, 0, 0]);
        writtenColumn = column;
        mapped = false;
      }
    }
    return out.join(",");
  });
  // Ended by a line break: Node's decoder reads a segment that ends the text as mapped, if it has no source.
  map.mappings = `${lines.join(";")};`;
  // Sorted as Node's SourceMap sorts its entries (a stable sort by line, then column).
  entries.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  map[mapEntriesField()] = entries.flat();
  return `${code}${marker}${Buffer.from(JSON.stringify(map)).toString("base64")}\n`;
}

/**
 * The bundle's code with every character outside ASCII written as its `\uXXXX` escape, and, per line, the columns
 * (UTF-16 units) where one was and how much wider its escape is. esbuild escapes them in strings, templates and
 * names, not in regular expressions (`/≥/`); one such character makes Node decode the whole file as UTF-8 and V8
 * keep it as a two-byte string, about 25 ms of every start (bin/o11y.js reads an ASCII bundle as Latin-1, no
 * decoding). The escape means the same
 * character in a regular expression (with or without the `u` flag, a surrogate pair as a pair) and in a comment is
 * text; an identity escape (`\≥`) loses its backslash, as `\u2265` needs none.
 */
function asciiCode(code) {
  const escapedAt = [];
  const lines = code.split("\n").map((line, index) => {
    if (!/[^\x00-\x7f]/.test(line)) return line;
    const at = [];
    const text = line.replace(/(\\*)([^\x00-\x7f])/g, (_, slashes, char, offset) => {
      const identity = slashes.length % 2 === 1;
      at.push({ column: offset + slashes.length, wider: identity ? 4 : 5 });
      return `${identity ? slashes.slice(1) : slashes}\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`;
    });
    escapedAt[index] = at;
    return text;
  });
  return { code: lines.join("\n"), escapedAt };
}

/** Base64 VLQ, as source maps write numbers (functions: this module's constants are not set when it runs them). */
function vlqDigits() {
  return "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
}

function decodeVlq(segment) {
  const values = [];
  let value = 0;
  let shift = 0;
  for (const char of segment) {
    const digit = vlqDigits().indexOf(char);
    value += (digit & 31) << shift;
    if (digit & 32) shift += 5;
    else {
      values.push(value & 1 ? -(value >>> 1) : value >>> 1);
      value = 0;
      shift = 0;
    }
  }
  return values;
}

function encodeVlq(values) {
  let out = "";
  for (const value of values) {
    let rest = value < 0 ? (-value << 1) | 1 : value << 1;
    do {
      let digit = rest & 31;
      rest >>>= 5;
      if (rest > 0) digit |= 32;
      out += vlqDigits()[digit];
    } while (rest > 0);
  }
  return out;
}

/** The project's previous bundles (and their code caches), and temporary files of runs that died an hour ago or more. */
function removeOldBundles(bundle) {
  const now = Date.now();
  for (const name of readdirSync(bundle.dir)) {
    const full = path.join(bundle.dir, name);
    try {
      const old = name.endsWith(".tmp")
        ? now - statSync(full).mtimeMs > 3_600_000
        : name.startsWith(`cli-${bundle.slot}-`) && !full.startsWith(bundle.file);
      // A run about to load a bundle removed here starts through tsx instead.
      if (old) unlinkSync(full);
    } catch {
      // Removed by another run.
    }
  }
}
