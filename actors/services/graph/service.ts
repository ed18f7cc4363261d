import type { GraphBackend } from '../../../drivers/graph/backend.js';
import { concurrentService, serialService } from '../../kernel/service.js';
import type { Graph } from './graph.js';

declare module '../../kernel/service.js' {
  interface Services {
    graph: Graph;
    graphdriver: GraphBackend;
  }
}

/** The graph driver actor (systemId `graphdriver`): layer trees; calls run concurrently (the backend locks per layer). */
export const graphDriverService = concurrentService<GraphBackend>();

/** The graph service: the long-lived actor (systemId `graph`) through which jobs reach the Graph, one call at a time. */
export const graphService = serialService<Graph>();
