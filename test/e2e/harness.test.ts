/**
 * The harness's own guarantees: a server is ready only when the process it started answers on its port (another
 * process's server that took the port meanwhile does not count, and the port is given up for another), and a server
 * that ends on its own says so.
 */
import { once } from "node:events";
import http from "node:http";
import { afterAll, describe, expect, test } from "vitest";
import { folderWith, freePort, listensOn, removeFolders, startServer } from "./harness.ts";

/** A stand-in server: answers /-/ready on the port in its last argument, or exits as Go servers do when it is taken. */
const standIn = `
const port = Number(process.argv.at(-1));
require("node:http").createServer((req, res) => res.writeHead(200).end("mine"))
  .on("error", (e) => { console.error("listen: " + e.message); process.exit(1); })
  .listen(port, "127.0.0.1");
`;
const intruders: http.Server[] = [];

afterAll(async () => {
  await Promise.all(intruders.map((s) => new Promise((resolve) => s.close(resolve))));
  removeFolders();
});

describe("startServer", () => {
  test("gives up a port that another process took, though that one answers ready, and starts on another", async () => {
    const tried: number[] = [];
    const server = await startServer(
      "stand-in",
      process.execPath,
      (port) => {
        tried.push(port);
        if (tried.length === 1) {
          // Another suite's server takes the port between freePort and our listen, and answers for it.
          const intruder = http.createServer((req, res) => res.writeHead(200).end("not yours"));
          intruders.push(intruder);
          intruder.listen(port, "127.0.0.1");
        }
        return ["-e", standIn, String(port)];
      },
      folderWith("o11y-harness-", {}),
    );
    try {
      expect(tried).toHaveLength(2);
      expect(server.url).toBe(`http://127.0.0.1:${tried[1]}`);
      expect(await fetch(server.url).then((r) => r.text())).toBe("mine");
    } finally {
      await server.stop();
    }
  });

  test("a server that ends on its own says so with its output; one that was stopped does not", async () => {
    const script = `${standIn}; setTimeout(() => { console.error("out of memory, say"); process.exit(3); }, 300);`;
    const server = await startServer(
      "stand-in",
      process.execPath,
      (port) => ["-e", script, String(port)],
      folderWith("o11y-harness-", {}),
    );
    expect(server.exited()).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(server.exited()).toMatch(/^stand-in ended by itself \(3\):\n[^]*out of memory, say/);
    const stopped = await startServer(
      "stand-in",
      process.execPath,
      (port) => ["-e", standIn, String(port)],
      folderWith("o11y-harness-", {}),
    );
    await stopped.stop();
    expect(stopped.exited()).toBeUndefined();
  });
});

describe("listensOn", () => {
  test.each([
    ["this process, which listens", () => process.pid, true],
    ["another process", () => process.ppid, false],
  ])("%s", async (_name, pid, expected) => {
    const server = http.createServer().listen(0, "127.0.0.1");
    await once(server, "listening");
    const { port } = server.address() as { port: number };
    try {
      expect(listensOn(pid(), port)).toBe(expected);
    } finally {
      server.close();
    }
  });

  test("a port nobody listens on is nobody's", async () => {
    expect(listensOn(process.pid, await freePort())).toBe(false);
  });
});
