/** One benchmarked operation: awaited back to back. */
export type Op = () => Promise<unknown>;

/** Runs `op` back to back (each awaited: workerd's clock advances across each) for at least `ms`. */
export async function timeOp(op: Op, ms: number): Promise<{ ops: number; ms: number }> {
  let ops = 0;
  const t0 = performance.now();
  let elapsed = 0;
  do {
    await op();
    await op();
    await op();
    await op();
    ops += 4;
    elapsed = performance.now() - t0;
  } while (elapsed < ms);
  return { ops, ms: elapsed };
}
