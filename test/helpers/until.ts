/** Waits until `condition` holds, asking every `everyMs`; after `ms`, throws that `what` never came. */
export async function until(
  condition: () => boolean,
  what: string,
  { ms = 30_000, everyMs = 20 }: { ms?: number; everyMs?: number } = {},
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
