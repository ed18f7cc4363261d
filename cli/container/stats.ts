/**
 * docker's `stats`: one sample per container (--no-stream, `stream=0`: the daemon fills precpu), or
 * a stream per container redrawn in place every half second until interrupted.
 */
import type { ContainerSummary } from '../../protocol/types/containers.js';
import type { ApiClient } from '../api.js';
import { renderListing } from '../render/listing.js';
import { STATS_HEADERS, statsRow, type StatsDocument, type StatsRow } from '../render/stats.js';

/** What to show and how. */
export interface StatsOptions {
  noTrunc: boolean;
  format: string;
}

/** The containers to watch: those named, else the running ones (all with -a), by short ID. */
export async function statsTargets(client: ApiClient, names: readonly string[], all: boolean): Promise<string[]> {
  if (names.length > 0) return [...names];
  const list = await client.get<ContainerSummary[]>('/containers/json', { all: all ? '1' : undefined });
  return list.map((c) => c.Id.slice(0, 12));
}

/** The table (or template lines) for rows in the order of the targets. */
export function renderStats(rows: readonly StatsRow[], o: StatsOptions): string {
  return renderListing(o.format, rows, STATS_HEADERS);
}

/** One sample of each container, in order; the first failure ends it (docker exits 1 on it). */
export async function sampleOnce(client: ApiClient, targets: readonly string[], o: StatsOptions): Promise<StatsRow[]> {
  const docs = await Promise.all(targets.map((name) => client.text('GET', `/containers/${name}/stats`, { query: { stream: '0' } })));
  return docs.map((text, i) => statsRow(targets[i]!, JSON.parse(text) as StatsDocument, o.noTrunc));
}

// Home, then each line cleared to its end, then the rest of the screen: a redraw without flicker.
const HOME = '\x1b[H';
const CLEAR_EOL = '\x1b[K';
const CLEAR_BELOW = '\x1b[J';
const REDRAW_MS = 500;

/** Streams the stats of each target and redraws until the process is interrupted. */
export async function streamStats(client: ApiClient, targets: readonly string[], o: StatsOptions): Promise<void> {
  const rows = new Map<string, StatsRow>();
  const readers = targets.map(async (name) => {
    const res = await client.stream('GET', `/containers/${name}/stats`, { query: { stream: '1' } });
    for await (const line of client.readLines(res)) rows.set(name, statsRow(name, JSON.parse(line) as StatsDocument, o.noTrunc));
  });
  process.stdout.write('\x1b[2J');
  const draw = (): void => {
    const shown = targets.map((t) => rows.get(t)).filter((r): r is StatsRow => r !== undefined);
    const text = renderStats(shown, o).split('\n').join(`${CLEAR_EOL}\n`);
    process.stdout.write(`${HOME}${text}${CLEAR_BELOW}`);
  };
  const timer = setInterval(draw, REDRAW_MS);
  try {
    await Promise.all(readers);
  } finally {
    clearInterval(timer);
    draw();
  }
}
