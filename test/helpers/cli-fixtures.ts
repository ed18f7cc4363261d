/** Fixed SystemVersion / SystemInfo / EventMessage values for the CLI renderer and command tests. */
import type { SystemInfo, SystemVersion } from '../../protocol/types/system.js';

/** A /version answer with an Engine and one extra component. */
export const VERSION: SystemVersion = {
  Platform: { Name: 'berth' },
  Components: [
    { Name: 'Engine', Version: '0.1.0', Details: { ApiVersion: '1.47', MinAPIVersion: '1.24' } },
    { Name: 'berth-shim', Version: '0.1.0', Details: { GitCommit: 'abc1234' } },
  ],
  Version: '0.1.0',
  ApiVersion: '1.47',
  MinAPIVersion: '1.24',
  GitCommit: 'deadbee',
  GoVersion: 'v20.20.2',
  Os: 'linux',
  Arch: 'amd64',
  KernelVersion: '6.1.0-test',
  Experimental: false,
  BuildTime: '2026-11-28T12:00:00.000Z',
};

/** An /info answer with a label and a warning. */
export const INFO: SystemInfo = {
  ID: 'b1e7a2c4-0000-4000-8000-000000000001',
  Containers: 3, ContainersRunning: 1, ContainersPaused: 0, ContainersStopped: 2,
  Images: 5,
  Driver: 'vfs',
  DriverStatus: [['Backing Filesystem', 'extfs']],
  DockerRootDir: '/var/lib/berth',
  Plugins: { Volume: ['local'], Network: ['bridge'], Authorization: null, Log: ['json-file'] },
  MemoryLimit: true, SwapLimit: false, CpuCfsPeriod: true, CpuCfsQuota: true, CPUShares: true, CPUSet: true,
  PidsLimit: true, OomKillDisable: false, IPv4Forwarding: true, BridgeNfIptables: false, BridgeNfIp6tables: false,
  Debug: false, NFd: 12, NGoroutines: 0, SystemTime: '2026-11-28T12:00:00Z',
  LoggingDriver: 'json-file', CgroupDriver: 'cgroupfs', CgroupVersion: '1', NEventsListener: 0,
  KernelVersion: '6.1.0-test', OperatingSystem: 'Debian GNU/Linux 12 (bookworm)', OSVersion: '12', OSType: 'linux',
  Architecture: 'x86_64', NCPU: 4, MemTotal: 16492674416,
  IndexServerAddress: 'https://index.docker.io/v1/',
  RegistryConfig: { InsecureRegistryCIDRs: ['127.0.0.0/8'], IndexConfigs: {}, Mirrors: [] },
  GenericResources: null, HttpProxy: '', HttpsProxy: '', NoProxy: '',
  Name: 'testhost', Labels: ['env=test'], ExperimentalBuild: false, ServerVersion: '0.1.0',
  Runtimes: { berth: { path: 'berth-shim' } }, DefaultRuntime: 'berth',
  Swarm: { NodeID: '', NodeAddr: '', LocalNodeState: 'inactive', ControlAvailable: false, Error: '', RemoteManagers: null },
  LiveRestoreEnabled: false, Isolation: '', InitBinary: 'berth-init',
  ContainerdCommit: { ID: '' }, RuncCommit: { ID: '' }, InitCommit: { ID: '' },
  SecurityOptions: [], Warnings: ['No swap limit support'],
};

/** One container event as a daemon line, with a timeNano a double cannot hold exactly. */
export const EVENT_LINE =
  '{"Type":"container","Action":"create","Actor":{"ID":"c0ffee","Attributes":{"name":"x","image":"busybox"}},' +
  '"scope":"local","time":1795867200,"timeNano":1795867200123456789}';
