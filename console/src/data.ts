// Loading a page's data: refetched when its inputs change and after live updates, without flashing.
import { useEffect, useState } from "preact/hooks";
import { ApiError } from "./api.js";
import { useLiveVersion } from "./live.js";

export interface Loaded<T> { data: T | undefined; error: ApiError | Error | undefined; reload: () => void }

export function useData<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const version = useLiveVersion();
  const [manual, setManual] = useState(0);
  const [state, setState] = useState<{ data: T | undefined; error: Error | undefined; key: string }>({ data: undefined, error: undefined, key: "" });
  const key = JSON.stringify(deps);
  useEffect(() => {
    let stale = false;
    load().then(
      (data) => { if (!stale) setState({ data, error: undefined, key }); },
      (error: Error) => { if (!stale) setState((s) => ({ data: s.key === key ? s.data : undefined, error, key })); },
    );
    return () => { stale = true; };
  }, [key, version, manual]);
  return { data: state.key === key ? state.data : undefined, error: state.key === key ? state.error : undefined, reload: () => setManual((m) => m + 1) };
}
