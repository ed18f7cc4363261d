import { Args, Flags } from '@oclif/core';
import { ContainerCommand } from '../../container/command.js';
import { renderStats, sampleOnce, statsTargets, streamStats } from '../../container/stats.js';
import { statsFormat } from '../../render/stats.js';

/** `berth stats`: live resource usage of containers (GET /containers/{id}/stats), as `docker stats`. */
export default class ContainerStats extends ContainerCommand {
  static override description = 'Display a live stream of container(s) resource usage statistics';
  static override aliases = ['stats'];
  static override usage = 'stats [OPTIONS] [CONTAINER...]';
  static override strict = false;
  static override examples = ['<%= config.bin %> stats', '<%= config.bin %> stats --no-stream web', "<%= config.bin %> stats --no-stream --format '{{.Name}} {{.CPUPerc}}'"];
  static override args = { container: Args.string({ ignoreStdin: true, description: '[CONTAINER...] (default: all running)' }) };
  static override flags = {
    all: Flags.boolean({ default: false, char: 'a', description: 'show all containers (default shows just running)' }),
    'no-stream': Flags.boolean({ default: false, description: 'disable streaming stats and only pull the first result' }),
    'no-trunc': Flags.boolean({ default: false, description: "don't truncate output" }),
    format: Flags.string({ description: "'table', 'table TEMPLATE', 'json' or a Go template such as '{{.CPUPerc}}'" }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(ContainerStats);
    const client = await this.containerClient(flags);
    const options = { noTrunc: flags['no-trunc'], format: statsFormat(flags.format) };
    const targets = await statsTargets(client, argv as string[], flags.all);
    if (flags['no-stream']) {
      process.stdout.write(renderStats(await sampleOnce(client, targets, options), options));
      return;
    }
    await streamStats(client, targets, options);
  }
}
