import { Args } from '@oclif/core';
import { INDEX_SERVER, convertToHostname, readConfig, writeConfig } from '../auth-config.js';
import { BerthCommand } from '../base.js';

/** `berth logout`: forgets the stored credentials of a registry (the daemon is not asked). */
export default class Logout extends BerthCommand {
  static override description = 'Log out from a registry';
  static override examples = ['<%= config.bin %> logout 127.0.0.1:5000', '<%= config.bin %> logout'];
  static override args = { server: Args.string({ ignoreStdin: true, description: `SERVER (default: ${INDEX_SERVER})` }) };

  async run(): Promise<void> {
    const { args } = await this.parse(Logout);
    const key = args.server && args.server !== 'docker.io' ? convertToHostname(args.server) : INDEX_SERVER;
    this.log(`Removing login credentials for ${key}`);
    // Older clients stored a registry with its scheme; those entries go too, as docker's logout does.
    const names = key === INDEX_SERVER ? [key] : [key, `http://${key}`, `https://${key}`];
    const config = await readConfig();
    const auths = { ...config.auths };
    if (!names.some((name) => name in auths)) return;
    for (const name of names) delete auths[name];
    await writeConfig({ ...config, auths });
  }
}
