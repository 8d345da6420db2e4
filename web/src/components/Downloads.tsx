import { useState } from 'preact/hooks';
import { download, Params } from '../api';
import { ApiError } from '../errors';
import { formatCount } from '../format';

export interface DownloadItem {
  label: string;
  path: string;
  params: Params;
  fallbackName: string;
}

/** Buttons that fetch a file with the session's token and save it; what happened is announced. */
export function Downloads({ items }: { items: DownloadItem[] }) {
  const [status, setStatus] = useState<{ text: string; failed: boolean } | null>(null);
  const [busy, setBusy] = useState(false);
  const run = async (item: DownloadItem) => {
    setBusy(true);
    setStatus({ text: `Preparing ${item.label.toLowerCase()}…`, failed: false });
    try {
      const file = await download(item.path, item.params, item.fallbackName);
      setStatus({ text: `Saved ${file.name} (${formatCount(file.bytes)} bytes).`, failed: false });
    } catch (error) {
      setStatus({ text: error instanceof ApiError ? error.message : String(error), failed: true });
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="downloads" role="group" aria-label="Downloads">
      {items.map((item) => (
        <button type="button" key={item.label} disabled={busy} onClick={() => void run(item)}>
          <span aria-hidden="true">↓ </span>
          {item.label}
        </button>
      ))}
      <p class={status?.failed ? 'error' : 'hint'} role="status" data-testid="download-status">
        {status?.text ?? ''}
      </p>
    </div>
  );
}
