import { Args, Flags } from '@oclif/core';
import { DaemonError, describeError } from '../../errors.js';
import { ImageCommand } from '../../image-command.js';
import { renderInspect } from '../../inspect.js';

/** `berth image inspect`: GET /images/{name}/json for each name, printed as docker prints it. */
export default class ImageInspect extends ImageCommand {
  static override description = 'Display detailed information on one or more images';
  static override strict = false;
  static override examples = ['<%= config.bin %> image inspect busybox', "<%= config.bin %> image inspect -f '{{json .Config.Cmd}}' busybox"];
  static override args = { image: Args.string({ required: true, ignoreStdin: true, description: 'IMAGE [IMAGE...]' }) };
  static override flags = {
    // docker's -f here is --format (images' -f is --filter).
    format: Flags.string({ char: 'f', description: "'json' or a Go template such as '{{.Id}}'" }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(ImageInspect);
    const client = await this.apiClient(flags);
    const raws: string[] = [];
    const errors: string[] = [];
    for (const name of argv as string[]) {
      try {
        raws.push(await client.text('GET', `/images/${name}/json`));
      } catch (err) {
        if (!(err instanceof DaemonError)) throw err;
        errors.push(describeError(err));
      }
    }
    // Like docker: what was found is printed even when something was not.
    process.stdout.write(renderInspect(raws, flags.format));
    if (errors.length > 0) this.fail(errors.join('\n'), 1);
  }
}
