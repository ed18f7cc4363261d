import { Flags } from '@oclif/core';
import { pipeline } from 'node:stream/promises';
import { ImageCommand } from '../../image-command.js';
import { openInput } from '../../local-files.js';

/** `berth image load` / `berth load`: POST /images/load with a tar archive from a file or stdin. */
export default class ImageLoad extends ImageCommand {
  static override description = 'Load an image from a tar archive or STDIN';
  static override aliases = ['load'];
  static override examples = ['<%= config.bin %> load -i busybox.tar', 'gunzip -c images.tar.gz | <%= config.bin %> load'];
  static override flags = {
    input: Flags.string({ char: 'i', description: 'read from tar archive file, instead of STDIN' }),
    quiet: Flags.boolean({ char: 'q', description: 'suppress the load output' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(ImageLoad);
    if (!flags.input && process.stdin.isTTY) return this.fail('requested load from stdin, but stdin is empty', 1);
    const body = flags.input ? await openInput(flags.input) : process.stdin;
    const client = await this.apiClient(flags);
    // Like docker: the layer-by-layer progress only for a terminal; elsewhere just the "Loaded image" lines.
    const quiet = flags.quiet || !process.stdout.isTTY;
    const res = await client.stream('POST', '/images/load', { query: { quiet: quiet ? '1' : '0' }, headers: { 'Content-Type': 'application/x-tar' }, body });
    if (String(res.headers['content-type']).startsWith('application/json')) return this.showStream(client, res);
    await pipeline(res, process.stdout, { end: false });
  }
}
