/**
 * Wire types of volumes (the swagger's Volume, VolumeCreateOptions, VolumeListResponse and the
 * prune answer), fields exactly as dockerd sends them.
 */

/** A volume as inspect and list show it. */
export interface Volume {
  Name: string;
  Driver: string;
  /** Where the volume's data lives on the host (`<data-root>/volumes/<name>/_data`). */
  Mountpoint: string;
  /** RFC 3339, seconds precision, as dockerd formats it. */
  CreatedAt: string;
  Labels: Record<string, string>;
  Scope: 'local' | 'global';
  Options: Record<string, string> | null;
  UsageData?: { Size: number; RefCount: number } | null;
}

/** The body of POST /volumes/create. */
export interface VolumeCreateOptions {
  Name?: string;
  Driver?: string;
  DriverOpts?: Record<string, string> | null;
  Labels?: Record<string, string> | null;
}

/** GET /volumes. */
export interface VolumeListResponse {
  Volumes: Volume[];
  Warnings: string[] | null;
}

/** POST /volumes/prune. */
export interface VolumePruneResponse {
  VolumesDeleted: string[] | null;
  SpaceReclaimed: number;
}

/** The label dockerd puts on volumes it made for a container (`-v /path`, an image's VOLUME). */
export const ANONYMOUS_VOLUME_LABEL = 'com.docker.volume.anonymous';
