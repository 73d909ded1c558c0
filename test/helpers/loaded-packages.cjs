/**
 * Preloaded (`node --require`) into a run of bin/o11y.js: when it exits, prints the CommonJS packages it loaded, by
 * name, sorted, on one line: `o11y-loaded-packages <json>`.
 */
process.on("exit", () => {
  const names = new Set();
  for (const file of Object.keys(require.cache)) {
    const match = /[\\/]node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)[\\/]/.exec(file);
    if (match) names.add(match[1].replace("\\", "/"));
  }
  process.stderr.write(`o11y-loaded-packages ${JSON.stringify([...names].sort())}\n`);
});
