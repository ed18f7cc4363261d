import { Args, Flags } from '@oclif/core';
import { ContainerCommand } from '../../container/command.js';
import { eachContainer } from '../../container/each.js';
import { StatusError } from '../../container/errors.js';
import { updateConfig, type UpdateFlags } from '../../container/update.js';

/** `berth update`: POST /containers/{id}/update with new limits or restart policy, for each container. */
export default class ContainerUpdate extends ContainerCommand {
  static override description = 'Update configuration of one or more containers';
  static override aliases = ['update'];
  static override usage = 'update [OPTIONS] CONTAINER [CONTAINER...]';
  static override strict = false;
  static override examples = ['<%= config.bin %> update -m 64m --cpus 0.5 web', '<%= config.bin %> update --restart unless-stopped web db'];
  static override args = { container: Args.string({ required: true, ignoreStdin: true, description: 'CONTAINER [CONTAINER...]' }) };
  static override flags = {
    'blkio-weight': Flags.string({ description: 'block IO (relative weight), between 10 and 1000, or 0 to disable' }),
    'cpu-period': Flags.string({ description: 'limit CPU CFS (Completely Fair Scheduler) period' }),
    'cpu-quota': Flags.string({ description: 'limit CPU CFS (Completely Fair Scheduler) quota' }),
    'cpu-rt-period': Flags.string({ description: 'limit the CPU real-time period in microseconds' }),
    'cpu-rt-runtime': Flags.string({ description: 'limit the CPU real-time runtime in microseconds' }),
    'cpu-shares': Flags.string({ char: 'c', description: 'CPU shares (relative weight)' }),
    cpus: Flags.string({ description: 'number of CPUs' }),
    'cpuset-cpus': Flags.string({ description: 'CPUs in which to allow execution (0-3, 0,1)' }),
    'cpuset-mems': Flags.string({ description: 'MEMs in which to allow execution (0-3, 0,1)' }),
    memory: Flags.string({ char: 'm', description: 'memory limit' }),
    'memory-reservation': Flags.string({ description: 'memory soft limit' }),
    'memory-swap': Flags.string({ description: "swap limit equal to memory plus swap: -1 to enable unlimited swap" }),
    'pids-limit': Flags.string({ description: 'tune container pids limit (set -1 for unlimited)' }),
    restart: Flags.string({ description: 'restart policy to apply when a container exits' }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(ContainerUpdate);
    const own: UpdateFlags = Object.fromEntries(Object.keys(ContainerUpdate.flags).map((key) => [key, (flags as Record<string, unknown>)[key] as string | undefined]));
    if (Object.values(own).every((value) => value === undefined)) throw new StatusError(1, 'you must provide one or more flags when using this command');
    const body = updateConfig(own);
    const client = await this.containerClient(flags);
    await eachContainer(argv as string[], async (name) => {
      const result = await client.post<{ Warnings?: string[] | null }>(`/containers/${name}/update`, body);
      for (const warning of result?.Warnings ?? []) process.stderr.write(`${warning}\n`);
    });
  }
}
