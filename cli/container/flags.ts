/** The flags of `create` and `run`, with docker's names, letters and meanings. */
import { Flags, type Interfaces } from '@oclif/core';

// Repeatable flags take one value each time, as docker's do, so they never swallow the image name.
const list = (description: string, char?: Interfaces.AlphabetLowercase | Interfaces.AlphabetUppercase) =>
  Flags.string({ description, multiple: true, multipleNonGreedy: true, ...(char ? { char } : {}) });

/** What a container is made of: `berth create` takes exactly these. */
export const createFlags = {
  name: Flags.string({ description: 'assign a name to the container' }),
  interactive: Flags.boolean({ default: false, char: 'i', description: 'keep STDIN open even if not attached' }),
  tty: Flags.boolean({ default: false, char: 't', description: 'allocate a pseudo-TTY' }),
  attach: Flags.string({ char: 'a', multiple: true, multipleNonGreedy: true, options: ['stdin', 'stdout', 'stderr'], description: 'attach to STDIN, STDOUT or STDERR' }),
  env: list('set environment variables', 'e'),
  'env-file': list('read in a file of environment variables'),
  label: list('set meta data on a container', 'l'),
  'label-file': list('read in a line delimited file of labels'),
  volume: list('bind mount a volume', 'v'),
  mount: list('attach a filesystem mount to the container'),
  tmpfs: list('mount a tmpfs directory'),
  publish: list("publish a container's port(s) to the host", 'p'),
  'publish-all': Flags.boolean({ default: false, char: 'P', description: 'publish all exposed ports to random ports' }),
  expose: list('expose a port or a range of ports'),
  workdir: Flags.string({ char: 'w', description: 'working directory inside the container' }),
  user: Flags.string({ char: 'u', description: 'username or UID (format: <name|uid>[:<group|gid>])' }),
  entrypoint: Flags.string({ description: 'overwrite the default ENTRYPOINT of the image' }),
  hostname: Flags.string({ char: 'h', description: 'container host name' }),
  domainname: Flags.string({ description: 'container NIS domain name' }),
  memory: Flags.string({ char: 'm', description: 'memory limit' }),
  'memory-reservation': Flags.string({ description: 'memory soft limit' }),
  'memory-swap': Flags.string({ description: "swap limit equal to memory plus swap: '-1' to enable unlimited swap" }),
  cpus: Flags.string({ description: 'number of CPUs' }),
  'cpu-shares': Flags.string({ char: 'c', description: 'CPU shares (relative weight)' }),
  'cpu-period': Flags.string({ description: 'limit CPU CFS (Completely Fair Scheduler) period' }),
  'cpu-quota': Flags.string({ description: 'limit CPU CFS (Completely Fair Scheduler) quota' }),
  'cpuset-cpus': Flags.string({ description: 'CPUs in which to allow execution (0-3, 0,1)' }),
  'cpuset-mems': Flags.string({ description: 'MEMs in which to allow execution (0-3, 0,1)' }),
  'pids-limit': Flags.string({ description: 'tune container pids limit (set -1 for unlimited)' }),
  restart: Flags.string({ description: 'restart policy to apply when a container exits', default: 'no' }),
  rm: Flags.boolean({ default: false, description: 'automatically remove the container and its associated anonymous volumes when it exits' }),
  network: Flags.string({ aliases: ['net'], description: "connect a container to a network (default: the daemon's default network)" }),
  dns: list('set custom DNS servers'),
  'dns-option': list('set DNS options'),
  'dns-search': list('set custom DNS search domains'),
  'add-host': list('add a custom host-to-IP mapping (host:ip)'),
  'read-only': Flags.boolean({ default: false, description: "mount the container's root filesystem as read only" }),
  'cap-add': list('add Linux capabilities'),
  'cap-drop': list('drop Linux capabilities'),
  privileged: Flags.boolean({ default: false, description: 'give extended privileges to this container' }),
  'security-opt': list('security options (seccomp=unconfined|PROFILE.json, no-new-privileges)'),
  'log-driver': Flags.string({ description: 'logging driver for the container' }),
  'log-opt': list('log driver options'),
  init: Flags.boolean({ default: false, description: 'run an init inside the container that forwards signals and reaps processes' }),
  'stop-signal': Flags.string({ description: 'signal to stop the container' }),
  'stop-timeout': Flags.string({ description: 'timeout (in seconds) to stop a container' }),
  quiet: Flags.boolean({ default: false, char: 'q', description: 'suppress the pull output' }),
};

/** `berth run` adds detaching and signal handling to the create flags. */
export const runFlags = {
  ...createFlags,
  detach: Flags.boolean({ default: false, char: 'd', description: 'run container in background and print container ID' }),
  'detach-keys': Flags.string({ description: 'override the key sequence for detaching a container' }),
  'sig-proxy': Flags.boolean({ description: 'proxy received signals to the process', default: true, allowNo: true }),
};

/** The parsed create flags (run's are a superset). */
export type CreateFlags = Interfaces.InferredFlags<typeof createFlags>;
