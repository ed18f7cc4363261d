import { Handlers } from './kernel/handlers.js';
import { imageDeleteJob, imageHistoryJob, imageInspectJob, imageListJob, imagePruneJob, imageTagJob } from './image/query.js';
import { attachJob } from './container/attach.js';
import { createJob } from './container/create.js';
import { logsJob } from './container/logs.js';
import { restoreJob } from './container/restore.js';
import { deleteJob } from './container/delete.js';
import { inspectJob, listJob } from './container/query.js';
import { startJob } from './container/start.js';
import { killJob, stopJob } from './container/stop.js';
import { waitJob } from './container/wait.js';
import { execCreateJob, execInspectJob, execResizeJob } from './container/exec.js';
import { execStartJob } from './container/exec-start.js';
import { execRoutes } from './system/api/routes/exec.js';
import { pauseJob, unpauseJob } from './container/pause.js';
import { pruneJob } from './container/prune.js';
import { renameJob } from './container/rename.js';
import { resizeJob } from './container/resize.js';
import { restartJob } from './container/restart.js';
import { statsJob } from './container/stats.js';
import { topJob } from './container/top.js';
import { updateJob } from './container/update.js';
import { containerOpsRoutes } from './system/api/routes/containers-ops.js';
import { containerRoutes } from './system/api/routes/containers.js';
import { importJob } from './image/import.js';
import { pullJob } from './image/pull.js';
import { loadJob } from './image/load.js';
import { saveJob } from './image/save.js';
import { pushJob } from './image/push.js';
import { searchJob } from './image/search.js';
import { authJob } from './image/auth.js';
import { imageRoutes } from './system/api/routes/images.js';
import { imageTransferRoutes } from './system/api/routes/images-transfer.js';
import { systemRoutes } from './system/api/routes/system.js';
import { networkRoutes } from './system/api/routes/networks.js';
import { networkConnectJob, networkDisconnectJob } from './network/connect.js';
import { networkCreateJob, networkDeleteJob, networkPruneJob } from './network/create.js';
import { networkInspectJob, networkListJob } from './network/query.js';
import { Router } from './system/api/router.js';
import { volumeRoutes } from './system/api/routes/volumes.js';
import { archiveRoutes } from './system/api/routes/archive.js';
import { archiveJob, archiveStatJob, extractJob } from './container/archive.js';
import { changesJob } from './container/changes.js';
import { commitJob } from './container/commit.js';
import { exportJob } from './container/export.js';
import { volumeCreateJob } from './volume/create.js';
import { volumeDeleteJob, volumePruneJob } from './volume/delete.js';
import { volumeInspectJob, volumeListJob } from './volume/query.js';
import { eventsJob } from './system/events.js';
import { infoJob } from './system/info.js';
import { versionJob } from './system/version.js';

/** Every job the engine runs (Docker's engine.Register calls, in one place). */
export function registerJobs(): Handlers {
  const h = new Handlers();
  for (const job of [versionJob, infoJob, eventsJob, imageListJob, imageInspectJob, imageHistoryJob, imageTagJob, imageDeleteJob, imagePruneJob, importJob, pullJob]) h.register(job);
  for (const job of [pushJob, saveJob, loadJob, searchJob, authJob]) h.register(job);
  for (const job of [createJob, startJob, stopJob, killJob, waitJob, deleteJob, inspectJob, listJob, attachJob, logsJob, restoreJob]) h.register(job);
  for (const job of [execCreateJob, execStartJob, execInspectJob, execResizeJob]) h.register(job);
  for (const job of [pauseJob, unpauseJob, restartJob, renameJob, resizeJob, updateJob, topJob, statsJob, pruneJob]) h.register(job);
  for (const job of [networkListJob, networkInspectJob, networkCreateJob, networkDeleteJob, networkPruneJob, networkConnectJob, networkDisconnectJob]) h.register(job);
  for (const job of [volumeCreateJob, volumeListJob, volumeInspectJob, volumeDeleteJob, volumePruneJob]) h.register(job);
  for (const job of [archiveStatJob, archiveJob, extractJob, exportJob, changesJob, commitJob]) h.register(job);
  return h;
}

/** Every API route. */
export function buildRouter(): Router {
  return new Router().add(...systemRoutes, ...imageRoutes, ...imageTransferRoutes, ...containerRoutes, ...containerOpsRoutes, ...execRoutes, ...volumeRoutes, ...archiveRoutes, ...networkRoutes);
}
