import { Args, Flags } from '@oclif/core';
import { DaemonError, describeError } from '../../errors.js';
import { ImageCommand } from '../../image-command.js';

/** `berth network rm`: DELETE /networks/{id} for each network, going on past failures as docker does. */
export default class NetworkRm extends ImageCommand {
  static override description = 'Remove one or more networks';
  static override aliases = ['network:remove'];
  static override strict = false;
  static override examples = ['<%= config.bin %> network rm n other'];
  static override args = { network: Args.string({ required: true, ignoreStdin: true, description: 'NETWORK [NETWORK...]' }) };
  static override flags = { force: Flags.boolean({ char: 'f', description: 'do not error if the network does not exist' }) };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(NetworkRm);
    const client = await this.apiClient(flags);
    const errors: string[] = [];
    for (const name of argv as string[]) {
      try {
        await client.text('DELETE', `/networks/${encodeURIComponent(name)}`);
        this.log(name);
      } catch (err) {
        if (!(err instanceof DaemonError)) throw err;
        if (!(flags.force && err.status === 404)) errors.push(describeError(err));
      }
    }
    if (errors.length > 0) this.fail(errors.join('\n'), 1);
  }
}
