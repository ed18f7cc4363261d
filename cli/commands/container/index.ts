import { Command, loadHelpClass } from '@oclif/core';

/** `berth container`: the container topic; on its own it lists the container commands, as `docker container` does. */
export default class Container extends Command {
  static override description = 'Manage containers';
  static override examples = ['<%= config.bin %> container ls -a', '<%= config.bin %> container prune -f'];

  async run(): Promise<void> {
    const Help = await loadHelpClass(this.config);
    await new Help(this.config).showHelp(['container']);
  }
}
