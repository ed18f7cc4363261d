import { Args, Flags } from '@oclif/core';
import type { ImageSummary } from '../../../protocol/types/images-api.js';
import { BerthCommand } from '../../base.js';
import { encodeFilters, parseFilters } from '../../filters.js';
import { IMAGE_HEADERS, imageFormat, imageRows } from '../../render/images.js';
import { renderListing } from '../../render/listing.js';

/** `berth image ls` / `berth images`: GET /images/json as docker's table, a template or JSON lines. */
export default class ImageLs extends BerthCommand {
  static override description = 'List images';
  static override aliases = ['images', 'image:list'];
  static override examples = [
    '<%= config.bin %> images',
    '<%= config.bin %> images --digests busybox',
    "<%= config.bin %> images --format 'table {{.Repository}}\\t{{.Tag}}'",
    '<%= config.bin %> images -f dangling=true -q',
  ];

  static override args = { reference: Args.string({ ignoreStdin: true, description: 'REPOSITORY[:TAG] to list' }) };
  static override flags = {
    all: Flags.boolean({ char: 'a', description: 'show all images (default hides intermediate images)' }),
    quiet: Flags.boolean({ char: 'q', description: 'only show image IDs' }),
    digests: Flags.boolean({ description: 'show digests' }),
    'no-trunc': Flags.boolean({ description: "don't truncate output" }),
    filter: Flags.string({ char: 'f', multiple: true, multipleNonGreedy: true, description: 'filter output, key=value (dangling, label, before, since, reference, until)' }),
    format: Flags.string({ description: "'table', 'table TEMPLATE', 'json' or a Go template such as '{{.ID}}'" }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ImageLs);
    const filters = parseFilters(flags.filter ?? []);
    if (args.reference) (filters.reference ??= []).push(args.reference);
    const client = await this.connect(flags);
    const images = await client.get<ImageSummary[]>('/images/json', { all: flags.all ? '1' : undefined, filters: encodeFilters(filters) });
    const rows = imageRows(images, { digests: flags.digests, noTrunc: flags['no-trunc'], nowMs: Date.now() });
    process.stdout.write(renderListing(imageFormat(flags.format, flags.quiet, flags.digests), rows, IMAGE_HEADERS));
  }
}
