/** API versions berth speaks: it announces the newest and accepts every version down to the oldest. */
export const API_VERSION = '1.47';
/** The oldest API version accepted in a `/v1.xx` path prefix (as dockerd's MinAPIVersion). */
export const MIN_API_VERSION = '1.24';
/** berth's own version. */
export const BERTH_VERSION = '0.1.0';
/** Default socket path of the daemon (like /var/run/docker.sock). */
export const DEFAULT_SOCKET = '/run/berth/berth.sock';
/** Default data root of the daemon (like /var/lib/docker). */
export const DEFAULT_DATA_ROOT = '/var/lib/berth';
/** Path of the live actor stream (WebSocket) on the daemon. */
export const ACTOR_STREAM_PATH = '/berth/actors';

/** Compares two "major.minor" API versions numerically: <0, 0 or >0. */
export function compareApiVersions(a: string, b: string): number {
  const [am = 0, an = 0] = a.split('.').map(Number);
  const [bm = 0, bn = 0] = b.split('.').map(Number);
  return am !== bm ? am - bm : an - bn;
}
