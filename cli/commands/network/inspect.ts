import { Args, Flags } from '@oclif/core';
import { DaemonError, describeError } from '../../errors.js';
import { ImageCommand } from '../../image-command.js';
import { renderInspect } from '../../inspect.js';

/** `berth network inspect`: GET /networks/{id} for each network, printed as docker prints it. */
export default class NetworkInspect extends ImageCommand {
  static override description = 'Display detailed information on one or more networks';
  static override strict = false;
  static override examples = ['<%= config.bin %> network inspect n', "<%= config.bin %> network inspect -f '{{json .IPAM}}' n"];
  static override args = { network: Args.string({ required: true, ignoreStdin: true, description: 'NETWORK [NETWORK...]' }) };
  static override flags = { format: Flags.string({ char: 'f', description: "'json' or a Go template such as '{{.Id}}'" }) };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(NetworkInspect);
    const client = await this.apiClient(flags);
    const raws: string[] = [];
    const errors: string[] = [];
    for (const name of argv as string[]) {
      try {
        raws.push(await client.text('GET', `/networks/${encodeURIComponent(name)}`));
      } catch (err) {
        if (!(err instanceof DaemonError)) throw err;
        errors.push(describeError(err));
      }
    }
    process.stdout.write(renderInspect(raws, flags.format));
    if (errors.length > 0) this.fail(errors.join('\n'), 1);
  }
}
