/** A level database in a fresh temporary directory (`<dir>/db`), closed and removed when the test ends. */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Level } from 'level';

export async function tempLevel(t: { teardown(fn: () => Promise<void>): void }, name: string): Promise<{ db: Level<string, unknown>; dir: string }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), `berth-test-${name}-`));
  const db = new Level<string, unknown>(path.join(dir, 'db'), { valueEncoding: 'json' });
  await db.open();
  t.teardown(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { db, dir };
}
