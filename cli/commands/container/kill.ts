import { Args, Flags } from '@oclif/core';
import { ContainerCommand } from '../../container/command.js';
import { eachContainer } from '../../container/each.js';

/** `berth kill`: POST /containers/{id}/kill?signal= for each (SIGKILL when -s is not given). */
export default class ContainerKill extends ContainerCommand {
  static override description = 'Kill one or more running containers';
  static override aliases = ['kill'];
  static override usage = 'kill [OPTIONS] CONTAINER [CONTAINER...]';
  static override strict = false;
  static override examples = ['<%= config.bin %> kill web', '<%= config.bin %> kill -s HUP web'];
  static override args = { container: Args.string({ required: true, ignoreStdin: true, description: 'CONTAINER [CONTAINER...]' }) };
  static override flags = {
    signal: Flags.string({ char: 's', description: 'signal to send to the container' }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(ContainerKill);
    const client = await this.containerClient(flags);
    await eachContainer(argv as string[], async (name) => {
      await client.text('POST', `/containers/${name}/kill`, { query: { signal: flags.signal } });
    });
  }
}
