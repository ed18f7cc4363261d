import { Flags } from '@oclif/core';
import { BerthCommand } from '../base.js';
import { encodeFilters, parseFilters } from '../filters.js';
import { formatEvent, parseEventLine } from '../render/events.js';
import { renderFormat } from '../render/template.js';
import { parseTimestamp } from '../time.js';

/** `berth events`: streams GET /events until --until passes, the daemon ends it, or SIGINT/SIGTERM. */
export default class Events extends BerthCommand {
  static override description = 'Get real time events from the server';
  static override examples = [
    '<%= config.bin %> events --since 10m',
    '<%= config.bin %> events -f type=container -f event=start --format json',
  ];

  static override flags = {
    since: Flags.string({ description: 'show events created since this time (unix seconds, RFC 3339 date, or duration like 10m)' }),
    until: Flags.string({ description: 'stream events until this time (same forms as --since)' }),
    filter: Flags.string({ char: 'f', multiple: true, description: 'filter output, key=value (repeatable)' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Events);
    // Everything the user typed is checked before the daemon is asked anything.
    const query = {
      since: flags.since === undefined ? undefined : parseTimestamp(flags.since),
      until: flags.until === undefined ? undefined : parseTimestamp(flags.until),
      filters: encodeFilters(parseFilters(flags.filter ?? [])),
    };
    const client = await this.connect(flags);
    const abort = new AbortController();
    const stop = (): void => abort.abort();
    process.once('SIGINT', stop).once('SIGTERM', stop);
    try {
      for await (const line of client.lines('/events', query, abort.signal)) this.log(render(flags.format, line));
    } finally {
      process.off('SIGINT', stop).off('SIGTERM', stop);
    }
  }
}

/** One output line; `json` passes the daemon's line through so nothing (timeNano digits) is lost. */
function render(format: string | undefined, line: string): string {
  if (format === undefined) return formatEvent(parseEventLine(line));
  return format.trim() === 'json' ? line : renderFormat(format, JSON.parse(line));
}
