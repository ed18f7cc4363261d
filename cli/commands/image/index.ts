import { Command, loadHelpClass } from '@oclif/core';

/** `berth image`: the image topic; on its own it lists the image commands, as `docker image` does. */
export default class Image extends Command {
  static override description = 'Manage images';
  static override examples = ['<%= config.bin %> image ls', '<%= config.bin %> image prune -a'];

  async run(): Promise<void> {
    const Help = await loadHelpClass(this.config);
    await new Help(this.config).showHelp(['image']);
  }
}
