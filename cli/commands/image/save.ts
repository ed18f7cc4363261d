import { Args, Flags } from '@oclif/core';
import { pipeline } from 'node:stream/promises';
import { ImageCommand } from '../../image-command.js';
import { atomicOutput, checkOutputPath } from '../../local-files.js';

/** `berth image save` / `berth save`: GET /images/get?names=… (docker's tar format) to a file or stdout. */
export default class ImageSave extends ImageCommand {
  static override description = 'Save one or more images to a tar archive (streamed to STDOUT by default)';
  static override aliases = ['save'];
  static override strict = false;
  static override examples = ['<%= config.bin %> save -o busybox.tar busybox', '<%= config.bin %> save busybox app:1 | gzip > images.tar.gz'];
  static override args = { image: Args.string({ required: true, ignoreStdin: true, description: 'IMAGE [IMAGE...]' }) };
  static override flags = {
    output: Flags.string({ char: 'o', description: 'write to a file, instead of STDOUT' }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(ImageSave);
    if (!flags.output && process.stdout.isTTY) return this.fail('cowardly refusing to save to a terminal. Use the -o flag or redirect', 1);
    if (flags.output) await checkOutputPath(flags.output);
    const client = await this.apiClient(flags);
    const res = await client.stream('GET', '/images/get', { query: { names: argv as string[] } });
    if (!flags.output) return pipeline(res, process.stdout, { end: false });
    const file = atomicOutput(flags.output);
    try {
      await pipeline(res, file.stream);
      await file.commit();
    } catch (err) {
      await file.abort();
      throw err;
    }
  }
}
