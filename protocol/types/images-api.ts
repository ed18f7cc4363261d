/** Wire types of the image routes, named and shaped as in the Docker Engine API 1.47 swagger. */
import type { ImageConfig } from './image.js';

/** One entry of GET /images/json. */
export interface ImageSummary {
  Id: string;
  ParentId: string;
  RepoTags: string[];
  RepoDigests: string[];
  /** Unix seconds. */
  Created: number;
  Size: number;
  /** -1 unless `shared-size` was asked for. */
  SharedSize: number;
  Labels: Record<string, string>;
  /** -1: not computed (as dockerd without the option). */
  Containers: number;
}

/** GET /images/{name}/json. */
export interface ImageInspect {
  Id: string;
  RepoTags: string[];
  RepoDigests: string[];
  Parent: string;
  Comment: string;
  Created: string;
  DockerVersion: string;
  Author: string;
  Config: ImageConfig;
  Architecture: string;
  Variant?: string;
  Os: string;
  OsVersion?: string;
  Size: number;
  GraphDriver: { Name: string; Data: Record<string, string> | null };
  RootFS: { Type: string; Layers: string[] };
  Metadata: { LastTagTime?: string };
}

/** One entry of GET /images/{name}/history. */
export interface HistoryResponseItem {
  Id: string;
  Created: number;
  CreatedBy: string;
  Tags: string[] | null;
  Size: number;
  Comment: string;
}

/** One entry of DELETE /images/{name}. */
export interface ImageDeleteResponseItem {
  Untagged?: string;
  Deleted?: string;
}

/** POST /images/prune. */
export interface ImagePruneResponse {
  ImagesDeleted: ImageDeleteResponseItem[] | null;
  SpaceReclaimed: number;
}
