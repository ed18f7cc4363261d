import { Command, loadHelpClass } from '@oclif/core';

/** `berth network`: the network topic; on its own it lists the network commands, as `docker network` does. */
export default class Network extends Command {
  static override description = 'Manage networks';
  static override examples = ['<%= config.bin %> network ls', '<%= config.bin %> network create n'];

  async run(): Promise<void> {
    const Help = await loadHelpClass(this.config);
    await new Help(this.config).showHelp(['network']);
  }
}
