import type { SystemInfo } from '../../protocol/types/system.js';
import { BerthCommand } from '../base.js';
import { ConnectError, DaemonError, describeError } from '../errors.js';
import { clientVersion } from '../platform.js';
import { renderClientInfo, renderServerInfo, renderWarnings } from '../render/info.js';

/** `berth info`: system-wide information from GET /info. */
export default class Info extends BerthCommand {
  static override description = 'Display system-wide information';
  static override examples = ['<%= config.bin %> info', "<%= config.bin %> info --format '{{.ServerVersion}}'"];

  async run(): Promise<void> {
    const { flags } = await this.parse(Info);
    const client = await this.connect(flags);
    if (flags.format) {
      // Scripted use: the raw SystemInfo, and docker's exit 1 when there is none.
      this.printFormatted(flags.format, await client.get<SystemInfo>('/info'));
      return;
    }
    this.log(renderClientInfo(clientVersion(), client.host.text).join('\n'));
    this.log('');
    let info: SystemInfo;
    try {
      info = await client.get<SystemInfo>('/info');
    } catch (err) {
      if (!(err instanceof DaemonError || err instanceof ConnectError)) throw err;
      // docker info shows the client part, then the server error, and exits 1.
      this.log('Server:');
      return this.fail(`ERROR: ${describeError(err)}`, 1);
    }
    this.log(renderServerInfo(info).join('\n'));
    const warnings = renderWarnings(info);
    if (warnings.length > 0) this.logToStderr(warnings.join('\n'));
  }
}
