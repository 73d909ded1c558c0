// Preloaded with --import when /usr/bin/time is missing: reports the process's peak RSS on exit.
process.on("exit", () => process.stderr.write(`\n[bench-maxrss-kb] ${process.resourceUsage().maxRSS}\n`));
