import { Flags } from '@oclif/core';
import type { ContainerSummary } from '../../../protocol/types/containers.js';
import { ContainerCommand } from '../../container/command.js';
import { encodeFilters, parseFilters } from '../../filters.js';
import { CONTAINER_HEADERS, containerFormat, containerRow } from '../../render/containers.js';
import { renderListing } from '../../render/listing.js';

/** `berth ps` / `berth container ls`: GET /containers/json as docker's table, a template or JSON lines. */
export default class ContainerLs extends ContainerCommand {
  static override description = 'List containers';
  static override aliases = ['ps', 'container:list', 'container:ps'];
  static override usage = 'ps [OPTIONS]';
  static override examples = [
    '<%= config.bin %> ps -a',
    "<%= config.bin %> ps --format '{{.Names}}\\t{{.Status}}'",
    '<%= config.bin %> ps -q -f status=exited',
  ];

  static override flags = {
    all: Flags.boolean({ char: 'a', description: 'show all containers (default shows just running)' }),
    quiet: Flags.boolean({ default: false, char: 'q', description: 'only display container IDs' }),
    last: Flags.string({ char: 'n', description: 'show n last created containers (includes all states)' }),
    latest: Flags.boolean({ default: false, char: 'l', description: 'show the latest created container (includes all states)' }),
    size: Flags.boolean({ default: false, char: 's', description: 'display total file sizes' }),
    'no-trunc': Flags.boolean({ default: false, description: "don't truncate output" }),
    filter: Flags.string({ char: 'f', multiple: true, multipleNonGreedy: true, description: 'filter output based on conditions provided' }),
    format: Flags.string({ description: "'table', 'table TEMPLATE', 'json' or a Go template such as '{{.ID}}'" }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(ContainerLs);
    const last = flags.latest ? 1 : Number(flags.last ?? -1);
    const client = await this.containerClient(flags);
    const query = {
      all: flags.all ? '1' : undefined,
      limit: last > 0 ? String(last) : undefined,
      size: flags.size ? '1' : undefined,
      filters: encodeFilters(parseFilters(flags.filter ?? [])),
    };
    const list = await client.get<ContainerSummary[]>('/containers/json', query);
    const rows = list.map((c) => containerRow(c, { noTrunc: flags['no-trunc'], nowMs: Date.now() }));
    process.stdout.write(renderListing(containerFormat(flags.format, flags.quiet, flags.size), rows, CONTAINER_HEADERS));
  }
}
