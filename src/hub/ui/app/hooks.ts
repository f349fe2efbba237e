import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, get } from './api';

/** GET `path` now and every `refreshMs` (if given); `reload()` fetches again at once. */
export function usePoll<T>(path: string | null, refreshMs?: number): { data: T | undefined; error: ApiError | undefined; loading: boolean; reload: () => void } {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<ApiError>();
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const alive = useRef(true);
  useEffect(() => {
    alive.current = true;
    return () => {
      alive.current = false;
    };
  }, []);
  useEffect(() => {
    if (path === null) return;
    let cancelled = false;
    const load = () =>
      get<T>(path).then(
        (d) => {
          if (cancelled) return;
          setData(d);
          setError(undefined);
          setLoading(false);
        },
        (e: unknown) => {
          if (cancelled) return;
          setError(e instanceof ApiError ? e : new ApiError(0, 'NETWORK', String(e)));
          setLoading(false);
        },
      );
    void load();
    const timer = refreshMs ? setInterval(load, refreshMs) : undefined;
    return () => {
      cancelled = true;
      if (timer) clearInterval(timer);
    };
  }, [path, refreshMs, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data, error, loading, reload };
}

/** Runs an action, tracking busy state and the last error or success message. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();
  const [done, setDone] = useState<string>();
  const run = useCallback(async <T,>(action: () => Promise<T>, success?: (r: T) => string): Promise<T | undefined> => {
    setBusy(true);
    setError(undefined);
    setDone(undefined);
    try {
      const r = await action();
      if (success) setDone(success(r));
      return r;
    } catch (e) {
      setError(e instanceof ApiError ? e : new ApiError(0, 'ERROR', String(e)));
      return undefined;
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, done, run, clear: () => (setError(undefined), setDone(undefined)) };
}
