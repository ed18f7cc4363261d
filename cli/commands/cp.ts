import { Args, Flags } from '@oclif/core';
import { invalidParameter } from '../../protocol/errdefs.js';
import { ApiClient } from '../api.js';
import { BerthCommand } from '../base.js';
import { copyFrom, copyTo } from '../cp/copy.js';
import { parseHost } from '../host.js';
import { humanSize } from '../render/humanize.js';
import { loadTls, wantsTls } from '../tls.js';

/** `CONTAINER:PATH` → its parts; a local path (one with a `/` before any `:`) is not a container. */
function splitRef(arg: string): { container: string; path: string } | null {
  const colon = arg.indexOf(':');
  if (colon <= 0 || arg.slice(0, colon).includes('/')) return null;
  return { container: arg.slice(0, colon), path: arg.slice(colon + 1) };
}

/** `berth cp` / `berth container cp`: files between a container and the local filesystem, either way. */
export default class Cp extends BerthCommand {
  static override description = 'Copy files/folders between a container and the local filesystem';
  static override aliases = ['container:cp'];
  static override examples = ['<%= config.bin %> cp ./app.conf web:/etc/app/', '<%= config.bin %> cp web:/var/log/app.log .', '<%= config.bin %> cp web:/etc - > etc.tar'];
  static override args = {
    src: Args.string({ required: true, ignoreStdin: true, description: 'CONTAINER:SRC_PATH, SRC_PATH or - (a tar on stdin)' }),
    dst: Args.string({ required: true, ignoreStdin: true, description: 'DEST_PATH, - (a tar on stdout) or CONTAINER:DEST_PATH' }),
  };
  static override flags = {
    archive: Flags.boolean({ char: 'a', description: 'archive mode (copy all uid/gid information)' }),
    'follow-link': Flags.boolean({ char: 'L', description: 'always follow symbol link in SRC_PATH' }),
    quiet: Flags.boolean({ char: 'q', description: 'suppress progress output during copy' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Cp);
    const from = splitRef(args.src);
    const to = splitRef(args.dst);
    if (from && to) throw invalidParameter('copying between containers is not supported');
    if (!from && !to) throw invalidParameter('must specify at least one container source');
    const client = new ApiClient(parseHost(flags.host, wantsTls(flags)), await loadTls(flags));
    let bytes = 0;
    const opts = { follow: flags['follow-link'], archive: flags.archive, count: (n: number) => (bytes += n) };
    try {
      if (from) await copyFrom(client, from.container, from.path, args.dst, opts);
      else await copyTo(client, args.src, to!.container, to!.path, opts);
    } finally {
      client.close();
    }
    // docker reports on stderr, and only to a terminal.
    if (!flags.quiet && args.dst !== '-' && process.stderr.isTTY) this.logToStderr(`Successfully copied ${humanSize(bytes)} to ${args.dst}`);
  }
}
