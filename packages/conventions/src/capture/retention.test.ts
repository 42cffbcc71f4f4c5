import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

describe('retention', () => {
  it('a single 50 MB chunk is collectable while its capture is still alive (only a bounded copy is kept); a released sink lets go of its call', async () => {
    const child = fileURLToPath(new URL('./retention-child.ts', import.meta.url));
    const { stdout } = await run(process.execPath, ['--expose-gc', '--import', 'tsx', child], {
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
      maxBuffer: 1024 * 1024,
    });
    const result = JSON.parse(stdout) as { collected: string[]; lookAheadLengths: number[]; lookAheadSizes: number[]; heldSinks: number };
    // Both sinks were still reachable: only the released one let go (the other one's state stays).
    expect(result.heldSinks).toBe(2);
    expect(result.collected).toEqual([
      'look-ahead gzip',
      'look-ahead identity',
      'released sink',
      'wrapper application/json',
      'wrapper text/event-stream',
    ]);
    expect(result.lookAheadLengths).toEqual([64 * 1024, 64 * 1024]);
    expect(result.lookAheadSizes[0]).toBe(64 * 1024);
  }, 60_000);
});
