/**
 * `work`, or a failure naming what is still waiting once `ms` have passed: a test of something
 * that must not hang fails in its own time, not at the statement timeout or Jest's.
 */
export async function within<T>(ms: number, work: Promise<T>, what = 'still waiting'): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} after ${ms} ms`)), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}
