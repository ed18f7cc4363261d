import { conflict, notFound } from '../../protocol/errdefs.js';
import type { JobDef } from './job.js';

/** The engine's handlers map: job name → job definition, as Docker's engine.Register kept them. */
export class Handlers {
  private readonly defs = new Map<string, JobDef>();

  /** Registers a job; a second registration of the same name is refused. */
  register(def: JobDef<string, never> | JobDef): this {
    if (this.defs.has(def.name)) throw conflict(`register job ${def.name}: a handler with that name already exists`);
    this.defs.set(def.name, def as JobDef);
    return this;
  }

  /** The definition of a job; NotFound when nothing is registered under the name. */
  get(name: string): JobDef {
    const def = this.defs.get(name);
    if (!def) throw notFound(`job ${name}: no such job handler`);
    return def;
  }

  /** Whether a job is registered. */
  has(name: string): boolean {
    return this.defs.has(name);
  }

  /** The registered job names, sorted. */
  names(): string[] {
    return [...this.defs.keys()].sort();
  }
}
