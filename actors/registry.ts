import { Handlers } from './kernel/handlers.js';
import { systemRoutes } from './system/api/routes/system.js';
import { Router } from './system/api/router.js';
import { eventsJob } from './system/events.js';
import { infoJob } from './system/info.js';
import { versionJob } from './system/version.js';

/** Every job the engine runs (Docker's engine.Register calls, in one place). */
export function registerJobs(): Handlers {
  return new Handlers().register(versionJob).register(infoJob).register(eventsJob);
}

/** Every API route. */
export function buildRouter(): Router {
  return new Router().add(...systemRoutes);
}
