import { useEffect, useState } from 'preact/hooks';
import { getJson, Params } from './api';
import { ApiError } from './errors';

export interface Loaded<T> {
  data?: T;
  /** What went wrong, in words. */
  error?: string;
  loading: boolean;
}

/**
 * A GET of the API that follows its arguments: a change aborts the call in flight, so an
 * answer for an old range never overwrites the new one. `path` null: nothing to ask yet.
 */
export function useApi<T>(path: string | null, params: Params = {}): Loaded<T> {
  const key = path === null ? null : `${path}?${JSON.stringify(params)}`;
  const [state, setState] = useState<Loaded<T> & { key: string | null }>({ loading: path !== null, key: null });
  useEffect(() => {
    if (path === null) return;
    const controller = new AbortController();
    setState({ loading: true, key });
    getJson<T>(path, params, controller.signal).then(
      (data) => setState({ data, loading: false, key }),
      (error: unknown) => {
        if (controller.signal.aborted) return;
        const message =
          error instanceof ApiError ? error.message : `The page failed to read the answer: ${String(error)}`;
        setState({ error: message, loading: false, key });
      },
    );
    return () => controller.abort();
    // The key is the arguments' value: a new params object with the same values asks nothing new.
  }, [key]);
  // Until the effect has run for a new key, what is held belongs to the old one: not shown.
  return state.key === key ? state : { loading: path !== null };
}
