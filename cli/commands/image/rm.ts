import { Args, Flags } from '@oclif/core';
import type { ImageDeleteResponseItem } from '../../../protocol/types/images-api.js';
import { DaemonError, describeError } from '../../errors.js';
import { ImageCommand } from '../../image-command.js';
import { deleteLines } from '../../render/image-delete.js';

/**
 * `berth image rm` / `berth rmi`: DELETE /images/{name} for each name, going on past failures as
 * docker does; with -f, images that do not exist are reported but do not fail the command.
 */
export default class ImageRm extends ImageCommand {
  static override description = 'Remove one or more images';
  static override aliases = ['rmi', 'image:remove'];
  static override strict = false;
  static override examples = ['<%= config.bin %> rmi busybox 127.0.0.1:5000/app:v1', '<%= config.bin %> rmi -f 0123456789ab'];
  static override args = { image: Args.string({ required: true, ignoreStdin: true, description: 'IMAGE [IMAGE...]' }) };
  static override flags = {
    force: Flags.boolean({ char: 'f', description: 'force removal of the image' }),
    'no-prune': Flags.boolean({ description: 'do not delete untagged parents' }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(ImageRm);
    const client = await this.apiClient(flags);
    const errors: string[] = [];
    let fatal = false;
    for (const name of argv as string[]) {
      try {
        const query = { force: flags.force ? '1' : undefined, noprune: flags['no-prune'] ? '1' : undefined };
        const deleted = JSON.parse(await client.text('DELETE', `/images/${name}`, { query })) as ImageDeleteResponseItem[];
        process.stdout.write(deleteLines(deleted));
      } catch (err) {
        if (!(err instanceof DaemonError)) throw err;
        fatal ||= err.status !== 404;
        errors.push(describeError(err));
      }
    }
    if (errors.length === 0) return;
    // docker forgives only "no such image" under -f.
    if (flags.force && !fatal) this.logToStderr(errors.join('\n'));
    else this.fail(errors.join('\n'), 1);
  }
}
