import type { SystemVersion } from '../../protocol/types/system.js';
import { BerthCommand } from '../base.js';
import { ConnectError, DaemonError, describeError } from '../errors.js';
import { clientVersion } from '../platform.js';
import { renderVersion } from '../render/version.js';

/** `berth version`: the client's version and, when the daemon answers, the server's (GET /version). */
export default class Version extends BerthCommand {
  static override description = 'Show the berth version information';
  static override examples = [
    '<%= config.bin %> version',
    "<%= config.bin %> version --format '{{.Server.Version}}'",
    '<%= config.bin %> version --format json',
  ];

  async run(): Promise<void> {
    const { flags } = await this.parse(Version);
    const client = await this.connect(flags);
    let server: SystemVersion | undefined;
    let failure: DaemonError | ConnectError | undefined;
    try {
      server = await client.get<SystemVersion>('/version');
    } catch (err) {
      if (!(err instanceof DaemonError || err instanceof ConnectError)) throw err;
      failure = err;
    }
    const own = clientVersion(server ? await client.apiVersion() : undefined);
    if (flags.format) this.printFormatted(flags.format, { Client: own, Server: server ?? null });
    else this.log(renderVersion(own, server));
    // Like docker: the client part is still worth printing, but the command failed (exit 1, not 125).
    if (failure) this.fail(describeError(failure), 1);
  }
}
