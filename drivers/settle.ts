/**
 * Promise.all that waits for every promise before it fails: work that fails half-way (a job, a
 * layer's creation) must not unwind while some of its side-by-side steps are still making things (an
 * endpoint, a file). Fails with the first failure in the order given.
 */
export async function allSettledOrFirstError<T extends readonly unknown[]>(work: readonly [...{ [K in keyof T]: Promise<T[K]> }]): Promise<T> {
  const results = await Promise.allSettled(work);
  const failed = results.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((s) => (s as PromiseFulfilledResult<unknown>).value) as unknown as T;
}
