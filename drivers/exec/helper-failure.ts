/**
 * The helper's failures as data. berth-helper sends, beside its message, the errno and the step
 * that failed (native/src/bin/berth-helper/error.rs `Failure`): in a control answer as
 * `{"ok":false,"kind","error","errno","step","path"}`, in the shim's report as
 * `{"message","errno","step","path"}`. These turn them into BerthErrors carrying a SyscallFailure.
 */
import { BerthError, system, type ErrorKind, type SyscallFailure } from '../../protocol/errdefs.js';

/** The SyscallFailure in a helper object's errno / step / path fields; undefined without a step (an older helper). */
export function failureFields(o: Record<string, unknown>): SyscallFailure | undefined {
  if (o.step !== 'exec' && o.step !== 'setup') return undefined;
  return {
    step: o.step,
    ...(typeof o.errno === 'number' && { errno: o.errno }),
    ...(typeof o.path === 'string' && { path: o.path }),
  };
}

/** A BerthError of `kind` with the message and failure of a helper object. */
export function helperError(kind: ErrorKind, message: string, o: Record<string, unknown>): BerthError {
  const failure = failureFields(o);
  return new BerthError(kind, message, failure && { failure });
}

/**
 * The error a failed shim spawn printed on stderr: the report's JSON, or (an older helper, or a
 * failure before the report) the text as it is.
 */
export function reportError(stderr: string, fallback: string): BerthError {
  const text = stderr.trim();
  if (text.startsWith('{')) {
    try {
      const o = JSON.parse(text) as Record<string, unknown>;
      if (typeof o.message === 'string') return helperError('System', o.message, o);
    } catch {
      // not a report: the text itself
    }
  }
  return system(text || fallback);
}
