import { Args, Flags } from '@oclif/core';
import type { ImageSearchResponseItem } from '../../protocol/types/image.js';
import { DEFAULT_DOMAIN } from '../../protocol/reference.js';
import { registryAuthHeader } from '../auth-config.js';
import { encodeFilters, parseFilters } from '../filters.js';
import { ImageCommand } from '../image-command.js';
import { renderListing } from '../render/listing.js';
import { SEARCH_HEADERS, searchFormat, searchRows } from '../render/search.js';

/** `berth search`: GET /images/search, with the credentials stored for the registry searched. */
export default class Search extends ImageCommand {
  static override description = 'Search a registry for images';
  static override examples = ['<%= config.bin %> search busybox', '<%= config.bin %> search --limit 5 -f is-official=true 127.0.0.1:5000/app'];
  static override args = { term: Args.string({ required: true, ignoreStdin: true, description: 'TERM' }) };
  static override flags = {
    filter: Flags.string({ char: 'f', multiple: true, multipleNonGreedy: true, description: 'filter output, key=value (stars, is-official, is-automated)' }),
    limit: Flags.integer({ min: 0, description: 'max number of search results' }),
    'no-trunc': Flags.boolean({ description: "don't truncate output" }),
    format: Flags.string({ description: "'table', 'table TEMPLATE', 'json' or a Go template such as '{{.Name}}'" }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Search);
    const query = { term: args.term, limit: flags.limit || undefined, filters: encodeFilters(parseFilters(flags.filter ?? [])) };
    const client = await this.apiClient(flags);
    const headers = { 'X-Registry-Auth': await registryAuthHeader(searchedRegistry(args.term)) };
    const items = JSON.parse(await client.text('GET', '/images/search', { query, headers })) as ImageSearchResponseItem[];
    process.stdout.write(renderListing(searchFormat(flags.format), searchRows(items, flags['no-trunc']), SEARCH_HEADERS));
  }
}

/** The registry a term searches: its first part when that looks like a host (docker's rule), else Docker Hub. */
export function searchedRegistry(term: string): string {
  const slash = term.indexOf('/');
  const first = slash === -1 ? '' : term.slice(0, slash);
  return slash !== -1 && (/[.:]/.test(first) || first === 'localhost') ? first : DEFAULT_DOMAIN;
}
