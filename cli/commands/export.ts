import { Args, Flags } from '@oclif/core';
import { pipeline } from 'node:stream/promises';
import { ApiClient } from '../api.js';
import { BerthCommand } from '../base.js';
import { parseHost } from '../host.js';
import { atomicOutput } from '../local-files.js';
import { loadTls, wantsTls } from '../tls.js';

/** `berth export` / `berth container export`: GET /containers/{id}/export to a file or stdout. */
export default class Export extends BerthCommand {
  static override description = "Export a container's filesystem as a tar archive";
  static override aliases = ['container:export'];
  static override examples = ['<%= config.bin %> export -o rootfs.tar web', '<%= config.bin %> export web | tar -t'];
  static override args = { container: Args.string({ required: true, ignoreStdin: true, description: 'CONTAINER' }) };
  static override flags = { output: Flags.string({ char: 'o', description: 'write to a file, instead of STDOUT' }) };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Export);
    if (!flags.output && process.stdout.isTTY) return this.fail('cowardly refusing to save to a terminal. Use the -o flag or redirect', 1);
    const client = new ApiClient(parseHost(flags.host, wantsTls(flags)), await loadTls(flags));
    try {
      const res = await client.stream('GET', `/containers/${encodeURIComponent(args.container)}/export`);
      if (!flags.output) return await pipeline(res, process.stdout, { end: false });
      const file = atomicOutput(flags.output);
      await pipeline(res, file.stream).then(() => file.commit(), async (err: unknown) => {
        await file.abort();
        throw err;
      });
    } finally {
      client.close();
    }
  }
}
