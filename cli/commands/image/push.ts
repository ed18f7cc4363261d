import { Args, Flags } from '@oclif/core';
import { invalidParameter } from '../../../protocol/errdefs.js';
import { DEFAULT_TAG, familiarName, parseNormalizedNamed, referenceString, withDefaultTag } from '../../../protocol/reference.js';
import { registryAuthHeader } from '../../auth-config.js';
import { ImageCommand } from '../../image-command.js';

/** `berth image push` / `berth push`: POST /images/{name}/push?tag, its progress shown as docker shows it. */
export default class ImagePush extends ImageCommand {
  static override description = 'Upload an image to a registry';
  static override aliases = ['push'];
  static override examples = ['<%= config.bin %> push 127.0.0.1:5000/app:v1', '<%= config.bin %> push -a 127.0.0.1:5000/app'];
  static override args = { name: Args.string({ required: true, ignoreStdin: true, description: 'NAME[:TAG]' }) };
  static override flags = {
    'all-tags': Flags.boolean({ char: 'a', description: 'push all tags of the repository' }),
    quiet: Flags.boolean({ char: 'q', description: 'suppress verbose output' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ImagePush);
    const named = parseNormalizedNamed(args.name);
    if (named.digest !== undefined) throw invalidParameter('cannot push a digest reference');
    if (flags['all-tags'] && named.tag !== undefined) throw invalidParameter("tag can't be used with --all-tags/-a");
    const ref = flags['all-tags'] ? named : withDefaultTag(named);
    if (ref !== named && !flags.quiet) this.log(`Using default tag: ${DEFAULT_TAG}`);
    const client = await this.apiClient(flags);
    const res = await client.stream('POST', `/images/${familiarName(ref)}/push`, {
      query: { tag: ref.tag },
      headers: { 'X-Registry-Auth': await registryAuthHeader(ref.domain) },
    });
    await this.showStream(client, res, flags.quiet);
    if (flags.quiet) this.log(referenceString(ref));
  }
}
