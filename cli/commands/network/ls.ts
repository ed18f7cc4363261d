import { Flags } from '@oclif/core';
import type { Network } from '../../../protocol/types/networks.js';
import { BerthCommand } from '../../base.js';
import { encodeFilters, parseFilters } from '../../filters.js';
import { goTimeString } from '../../render/gotime.js';
import { renderListing } from '../../render/listing.js';

/** One row as templates see it (docker's networkContext fields). */
interface NetworkRow {
  CreatedAt: string;
  Driver: string;
  ID: string;
  IPv4: string;
  IPv6: string;
  Internal: string;
  Labels: string;
  Name: string;
  Scope: string;
}

const HEADERS: Record<keyof NetworkRow, string> = {
  CreatedAt: 'CREATED AT', Driver: 'DRIVER', ID: 'NETWORK ID', IPv4: 'IPV4', IPv6: 'IPV6', Internal: 'INTERNAL', Labels: 'LABELS', Name: 'NAME', Scope: 'SCOPE',
};

/** Go's Time.String() of an RFC 3339 time, its fraction kept (trailing zeros dropped) as Go prints it. */
function createdAt(rfc: string): string {
  // Go's zero time (the built-in networks'): before any zone rule, always UTC.
  if (rfc.startsWith('0001-01-01T00:00:00')) return '0001-01-01 00:00:00 +0000 UTC';
  const text = goTimeString(Math.floor(Date.parse(rfc) / 1000));
  const frac = (/\.(\d+)/.exec(rfc)?.[1] ?? '').replace(/0+$/, '');
  return frac ? text.replace(/^(\S+ \S+)/, `$1.${frac}`) : text;
}

function row(n: Network, noTrunc: boolean): NetworkRow {
  return {
    CreatedAt: createdAt(n.Created), Driver: n.Driver, ID: noTrunc ? n.Id : n.Id.slice(0, 12), IPv4: String(n.EnableIPv4 ?? true), IPv6: String(n.EnableIPv6),
    Internal: String(n.Internal), Labels: Object.entries(n.Labels ?? {}).map(([k, v]) => `${k}=${v}`).join(','), Name: n.Name, Scope: n.Scope,
  };
}

/** `berth network ls`: GET /networks, sorted by name, as docker's table, a template or JSON lines. */
export default class NetworkLs extends BerthCommand {
  static override description = 'List networks';
  static override aliases = ['network:list'];
  static override examples = ['<%= config.bin %> network ls', '<%= config.bin %> network ls -f type=custom -q'];
  static override flags = {
    quiet: Flags.boolean({ char: 'q', description: 'only display network IDs' }),
    'no-trunc': Flags.boolean({ description: 'do not truncate the output' }),
    filter: Flags.string({ char: 'f', multiple: true, multipleNonGreedy: true, description: "provide filter values (e.g. 'driver=bridge')" }),
    format: Flags.string({ description: "'table', 'table TEMPLATE', 'json' or a Go template such as '{{.Name}}'" }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(NetworkLs);
    const client = await this.connect(flags);
    const nets = await client.get<Network[]>('/networks', { filters: encodeFilters(parseFilters(flags.filter ?? [])) });
    const rows = nets.sort((a, b) => a.Name.localeCompare(b.Name)).map((n) => row(n, flags['no-trunc']));
    const format = flags.quiet ? '{{.ID}}' : (flags.format ?? 'table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}');
    process.stdout.write(renderListing(format, rows, HEADERS));
  }
}
