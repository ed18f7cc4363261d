import { Handlers } from './kernel/handlers.js';
import { imageDeleteJob, imageHistoryJob, imageInspectJob, imageListJob, imagePruneJob, imageTagJob } from './image/query.js';
import { importJob } from './image/import.js';
import { pullJob } from './image/pull.js';
import { imageRoutes } from './system/api/routes/images.js';
import { systemRoutes } from './system/api/routes/system.js';
import { Router } from './system/api/router.js';
import { eventsJob } from './system/events.js';
import { infoJob } from './system/info.js';
import { versionJob } from './system/version.js';

/** Every job the engine runs (Docker's engine.Register calls, in one place). */
export function registerJobs(): Handlers {
  const h = new Handlers();
  for (const job of [versionJob, infoJob, eventsJob, imageListJob, imageInspectJob, imageHistoryJob, imageTagJob, imageDeleteJob, imagePruneJob, importJob, pullJob]) h.register(job);
  return h;
}

/** Every API route. */
export function buildRouter(): Router {
  return new Router().add(...systemRoutes, ...imageRoutes);
}
