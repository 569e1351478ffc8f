import { useEffect, useState } from 'preact/hooks';
import type { ModelsDisk } from '../../shared/disk.ts';
import { formatBytes } from '../format.ts';
import { useAppState, useStore } from '../store.ts';

/**
 * The disk under the models folder, on the Models screen: what the installed models use and what
 * is left, read again whenever the models or the downloads change. For an Ollama the app did not
 * launch, the folder is that server's own setting: the line says the free space cannot be seen.
 */
export function DiskUsage() {
  const { bridge } = useStore();
  const state = useAppState();
  const [disk, setDisk] = useState<ModelsDisk | null>(null);
  const key = [
    state.ollama.server.phase,
    state.ollamaOptions.modelsDir,
    ...state.ollama.models.map((model) => model.name),
    ...state.downloads.map((download) => `${download.model}:${download.state}`),
  ].join(',');
  useEffect(() => {
    let current = true;
    void bridge.invoke('models:disk', {}).then(
      (fetched) => current && setDisk(fetched),
      () => undefined,
    );
    return () => void (current = false);
  }, [key]);
  if (!disk) return null;
  const used = `Models use ${formatBytes(disk.usedByModelsBytes)}`;
  if (disk.freeBytes === null || disk.totalBytes === null) {
    return (
      <p class="hint disk-usage" data-testid="disk-usage">
        {used}. {disk.note}
      </p>
    );
  }
  return (
    <p class="hint disk-usage" data-testid="disk-usage">
      {used}; {formatBytes(disk.freeBytes)} free of {formatBytes(disk.totalBytes)} on <span class="mono">{disk.folder}</span>.
    </p>
  );
}
