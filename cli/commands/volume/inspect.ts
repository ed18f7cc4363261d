import { Args, Flags } from '@oclif/core';
import { ApiClient } from '../../api.js';
import { BerthCommand } from '../../base.js';
import { DaemonError } from '../../errors.js';
import { parseHost } from '../../host.js';
import { renderInspect } from '../../inspect.js';
import { loadTls, wantsTls } from '../../tls.js';

/** `berth volume inspect`: GET /volumes/{name} for each name, printed as docker prints it. */
export default class VolumeInspect extends BerthCommand {
  static override description = 'Display detailed information on one or more volumes';
  static override strict = false;
  static override examples = ['<%= config.bin %> volume inspect data', "<%= config.bin %> volume inspect -f '{{.Mountpoint}}' data"];
  static override args = { volume: Args.string({ required: true, ignoreStdin: true, description: 'VOLUME [VOLUME...]' }) };
  static override flags = { format: Flags.string({ char: 'f', description: "'json' or a Go template such as '{{.Mountpoint}}'" }) };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(VolumeInspect);
    const client = new ApiClient(parseHost(flags.host, wantsTls(flags)), await loadTls(flags));
    const raws: string[] = [];
    const errors: string[] = [];
    try {
      for (const name of argv as string[]) {
        try {
          raws.push(await client.text('GET', `/volumes/${encodeURIComponent(name)}`));
        } catch (err) {
          if (!(err instanceof DaemonError)) throw err;
          errors.push(err.status === 404 ? `Error: No such volume: ${name}` : `Error response from daemon: ${err.message}`);
        }
      }
    } finally {
      client.close();
    }
    // Like docker: what was found is printed even when something was not, and the command exits 1.
    process.stdout.write(renderInspect(raws, flags.format));
    if (errors.length > 0) this.fail(errors.join('\n'), 1);
  }
}
