import { Args, Flags } from '@oclif/core';
import { ContainerCommand } from '../../container/command.js';
import { StatusError } from '../../container/errors.js';
import { DaemonError, describeError } from '../../errors.js';
import { renderInspect } from '../../inspect.js';

/** `berth container inspect`: GET /containers/{id}/json for each, printed as docker prints it. */
export default class ContainerInspect extends ContainerCommand {
  static override description = 'Display detailed information on one or more containers';
  static override usage = 'container inspect [OPTIONS] CONTAINER [CONTAINER...]';
  static override strict = false;
  static override examples = ['<%= config.bin %> container inspect web', "<%= config.bin %> container inspect -f '{{.State.Status}}' web"];
  static override args = { container: Args.string({ required: true, ignoreStdin: true, description: 'CONTAINER [CONTAINER...]' }) };
  static override flags = {
    format: Flags.string({ char: 'f', description: "'json' or a Go template such as '{{.State.Status}}'" }),
    size: Flags.boolean({ default: false, char: 's', description: 'display total file sizes' }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(ContainerInspect);
    const client = await this.containerClient(flags);
    const raws: string[] = [];
    const errors: string[] = [];
    for (const name of argv as string[]) {
      try {
        raws.push(await client.text('GET', `/containers/${name}/json`, { query: { size: flags.size ? '1' : undefined } }));
      } catch (err) {
        if (!(err instanceof DaemonError)) throw err;
        errors.push(describeError(err));
      }
    }
    // What was found is printed even when something was not, as docker does.
    process.stdout.write(renderInspect(raws, flags.format));
    if (errors.length > 0) throw new StatusError(1, errors.join('\n'));
  }
}
