import { Args, Flags } from '@oclif/core';
import { ApiClient } from '../../api.js';
import { BerthCommand } from '../../base.js';
import { DaemonError, describeError } from '../../errors.js';
import { parseHost } from '../../host.js';
import { loadTls, wantsTls } from '../../tls.js';

/** `berth volume rm`: DELETE /volumes/{name} for each name, going on past failures; exit 1 if any failed (docker's). */
export default class VolumeRm extends BerthCommand {
  static override description = 'Remove one or more volumes';
  static override aliases = ['volume:remove'];
  static override strict = false;
  static override examples = ['<%= config.bin %> volume rm data', '<%= config.bin %> volume rm -f data cache'];
  static override args = { volume: Args.string({ required: true, ignoreStdin: true, description: 'VOLUME [VOLUME...]' }) };
  static override flags = { force: Flags.boolean({ char: 'f', description: 'force the removal of one or more volumes' }) };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(VolumeRm);
    const client = new ApiClient(parseHost(flags.host, wantsTls(flags)), await loadTls(flags));
    const errors: string[] = [];
    try {
      for (const name of argv as string[]) {
        try {
          await client.text('DELETE', `/volumes/${encodeURIComponent(name)}`, { query: { force: flags.force ? '1' : undefined } });
          this.log(name);
        } catch (err) {
          if (!(err instanceof DaemonError)) throw err;
          errors.push(describeError(err));
        }
      }
    } finally {
      client.close();
    }
    if (errors.length > 0) this.fail(errors.join('\n'), 1);
  }
}
