import { Command, loadHelpClass } from '@oclif/core';

/** `berth volume`: the volume topic; on its own it lists the volume commands, as `docker volume` does. */
export default class Volume extends Command {
  static override description = 'Manage volumes';
  static override examples = ['<%= config.bin %> volume create data', '<%= config.bin %> volume ls'];

  async run(): Promise<void> {
    const Help = await loadHelpClass(this.config);
    await new Help(this.config).showHelp(['volume']);
  }
}
