/** The client's own version facts, named as docker names them so scripts keep working. */
import { API_VERSION, BERTH_VERSION } from '../protocol/api.js';

// Node's process.arch names → Go's GOARCH names, which is what docker prints in OS/Arch.
const GO_ARCH: Record<string, string> = { x64: 'amd64', ia32: '386', arm: 'arm', arm64: 'arm64', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };

/** The Client part of `berth version` (docker's fields, with NodeVersion in place of GoVersion). */
export interface ClientVersion {
  Version: string;
  /** The API version in use after negotiation (the default when not negotiated yet). */
  ApiVersion: string;
  /** The newest API version this client speaks. */
  DefaultAPIVersion: string;
  NodeVersion: string;
  Os: string;
  Arch: string;
}

/** This client's version facts; `apiVersion` is the negotiated version when there is one. */
export function clientVersion(apiVersion: string = API_VERSION): ClientVersion {
  return {
    Version: BERTH_VERSION,
    ApiVersion: apiVersion,
    DefaultAPIVersion: API_VERSION,
    NodeVersion: process.version,
    Os: process.platform,
    Arch: GO_ARCH[process.arch] ?? process.arch,
  };
}
