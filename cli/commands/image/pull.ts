import { Args, Flags } from '@oclif/core';
import { DEFAULT_TAG, familiarName, parseNormalizedNamed, referenceString, withDefaultTag } from '../../../protocol/reference.js';
import { registryAuthHeader } from '../../auth-config.js';
import { ImageCommand } from '../../image-command.js';

/** `berth image pull` / `berth pull`: POST /images/create?fromImage, its progress shown as docker shows it. */
export default class ImagePull extends ImageCommand {
  static override description = 'Download an image from a registry';
  static override aliases = ['pull'];
  static override examples = ['<%= config.bin %> pull busybox', '<%= config.bin %> pull -q 127.0.0.1:5000/app@sha256:…'];
  static override args = { name: Args.string({ required: true, ignoreStdin: true, description: 'NAME[:TAG|@DIGEST]' }) };
  static override flags = {
    quiet: Flags.boolean({ char: 'q', description: 'suppress verbose output' }),
    platform: Flags.string({ description: 'platform to pull from a multi-platform image (os[/arch[/variant]])' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ImagePull);
    const named = parseNormalizedNamed(args.name);
    const ref = withDefaultTag(named);
    if (ref !== named && !flags.quiet) this.log(`Using default tag: ${DEFAULT_TAG}`);
    const client = await this.apiClient(flags);
    const res = await client.stream('POST', '/images/create', {
      // As docker: the registry stays in fromImage; a digest, when there is one, goes in `tag`.
      query: { fromImage: familiarName(ref), tag: ref.digest ?? ref.tag, platform: flags.platform?.toLowerCase() },
      headers: { 'X-Registry-Auth': await registryAuthHeader(ref.domain) },
    });
    await this.showStream(client, res, flags.quiet);
    this.log(referenceString(ref));
  }
}
