import { Args, Flags } from '@oclif/core';
import { ApiClient } from '../api.js';
import { BerthCommand } from '../base.js';
import { parseHost } from '../host.js';
import { loadTls, wantsTls } from '../tls.js';

/** `repo[:tag]` split as docker does: a `:` after the last `/` starts the tag. */
function splitReference(ref: string): { repo: string; tag?: string } {
  const colon = ref.lastIndexOf(':');
  return colon > ref.lastIndexOf('/') ? { repo: ref.slice(0, colon), tag: ref.slice(colon + 1) } : { repo: ref };
}

/** `berth commit` / `berth container commit`: POST /commit; prints the new image's ID. */
export default class Commit extends BerthCommand {
  static override description = "Create a new image from a container's changes";
  static override aliases = ['container:commit'];
  static override examples = ['<%= config.bin %> commit web app:v2', `<%= config.bin %> commit -c 'CMD ["sh"]' -m 'configured' web`];
  static override args = {
    container: Args.string({ required: true, ignoreStdin: true, description: 'CONTAINER' }),
    reference: Args.string({ ignoreStdin: true, description: 'REPOSITORY[:TAG]' }),
  };
  static override flags = {
    author: Flags.string({ char: 'a', description: 'author (e.g., "John Hannibal Smith <hannibal@a-team.com>")' }),
    change: Flags.string({ char: 'c', multiple: true, multipleNonGreedy: true, description: 'apply Dockerfile instruction to the created image' }),
    message: Flags.string({ char: 'm', description: 'commit message' }),
    pause: Flags.boolean({ char: 'p', default: true, allowNo: true, description: 'pause container during commit' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Commit);
    const ref = args.reference ? splitReference(args.reference) : undefined;
    const query = { container: args.container, repo: ref?.repo, tag: ref?.tag, comment: flags.message, author: flags.author, pause: flags.pause ? '1' : '0', changes: flags.change ?? [] };
    const client = new ApiClient(parseHost(flags.host, wantsTls(flags)), await loadTls(flags));
    try {
      this.log((JSON.parse(await client.text('POST', '/commit', { query })) as { Id: string }).Id);
    } finally {
      client.close();
    }
  }
}
