import os from 'node:os';
import type { CommandResponse } from '../../shared/ipc.ts';
import type { LogEntry } from '../../shared/logs.ts';
import { canonicalOllamaModel, isOllamaModelInstalled, ollamaNameProblem } from '../../shared/model-catalog.ts';
import type { OllamaPullProgress } from '../../shared/ollama.ts';
import type { ResolvedConfig } from '../config/resolve.ts';
import type { OllamaManager } from '../ollama/manager.ts';
import type { SettingsStore } from '../settings/settings-store.ts';
import { CommandError, asSentence, describe } from './command-error.ts';
import { DownloadList } from './downloads.ts';
import { buildModelCatalog } from './model-catalog.ts';

export interface OllamaModelsDeps {
  /** The current manager (it is replaced when its settings change). */
  ollama: () => OllamaManager;
  config: () => ResolvedConfig;
  saveSettings: (change: Parameters<SettingsStore['update']>[0]) => void;
  /** Re-resolves the configuration and applies it to the runner. */
  reconfigure: (reason: string) => Promise<void>;
  log: (level: LogEntry['level'], msg: string) => void;
  onProgress: (progress: OllamaPullProgress) => void;
  /** The download list changed: push a new state. */
  onChange: () => void;
}

/**
 * The Models screen's commands: pulls tracked in the download list, delete with the space
 * freed, unload, and the catalog. The app core owns one and answers the contract through it.
 */
export class OllamaModels {
  readonly downloads: DownloadList;
  readonly #deps: OllamaModelsDeps;

  constructor(deps: OllamaModelsDeps) {
    this.#deps = deps;
    this.downloads = new DownloadList(deps.onChange);
  }

  /**
   * Pulls a model into the download list. When it lands, it becomes Ollama's model only if the
   * user asked for that (`use`); otherwise a model chosen by default is saved as it is, so the
   * new model cannot take its place through the default rule.
   */
  async pull(model: string, use: boolean): Promise<CommandResponse<'ollama:pull'>> {
    const { ollama, config, saveSettings, reconfigure, log } = this.#deps;
    const problem = ollamaNameProblem(model);
    if (problem) throw new CommandError(problem, 'Check the name at https://ollama.com/library and try again.');
    if (this.downloads.isPulling(model)) {
      return { status: 'failed', model, reason: `${model} is already downloading`, fix: 'wait for it in Downloads, or cancel it there' };
    }
    log('info', `Pulling ${model}`);
    // The default prefers llama3.2, else the first installed model, so a pull could move it; the
    // model in use is saved first (the manager re-reads the models before the pull returns).
    const { provider, model: current } = config();
    if (!use && provider.value === 'ollama' && current.source === 'default') {
      saveSettings((draft) => void (draft.providers.ollama.model = current.value));
    }
    this.downloads.begin(model, use);
    const result = await ollama().pull(model, {
      onProgress: (progress) => {
        this.downloads.progress(progress);
        this.#deps.onProgress(progress);
      },
    });
    this.downloads.finish(result);
    log(
      result.status === 'failed' ? 'error' : 'info',
      result.status === 'failed' ? `Pull of ${model} failed: ${result.reason}` : `Pull of ${model}: ${result.status}`,
    );
    if (result.status === 'success') {
      await ollama().refreshModels();
      if (use) saveSettings((draft) => void (draft.providers.ollama.model = model));
      await reconfigure(`model ${model} pulled${use ? ' and selected' : ''}`);
    }
    return result;
  }

  async delete(model: string): Promise<CommandResponse<'ollama:delete'>> {
    const installed = this.#deps
      .ollama()
      .getState()
      .models.find((candidate) => isOllamaModelInstalled(model, [candidate.name]));
    const name = installed?.name ?? model;
    await request(() => this.#deps.ollama().deleteModel(name));
    this.#deps.log('info', `Deleted ${name}${installed ? `, freeing ${installed.sizeBytes} bytes` : ''}`);
    return { model: name, freedBytes: installed?.sizeBytes ?? 0 };
  }

  async unload(model: string): Promise<void> {
    await request(() => this.#deps.ollama().unloadModel(model));
    this.#deps.log('info', `Unloaded ${model} from memory`);
  }

  async catalog(): Promise<CommandResponse<'models:catalog'>> {
    const totalMemoryBytes = os.totalmem();
    try {
      const [installed, loaded] = await Promise.all([this.#deps.ollama().listModels(), this.#deps.ollama().listLoaded()]);
      return buildModelCatalog({ installed, loaded, totalMemoryBytes });
    } catch (error) {
      return buildModelCatalog({
        installed: [],
        loaded: [],
        totalMemoryBytes,
        error: { message: `Ollama's models could not be listed: ${describe(error)}`, fix: 'Start Ollama, then try again.' },
      });
    }
  }

  /** The Ollama model a runner not started yet waits for: configured, not installed, and downloading. */
  awaitedDownload(): string | undefined {
    const config = this.#deps.config();
    if (config.provider.value !== 'ollama' || !this.#deps.ollama().getState().configuredModelMissing) return undefined;
    const wanted = canonicalOllamaModel(config.model.value);
    return this.downloads.list().find((download) => download.state === 'pulling' && canonicalOllamaModel(download.model) === wanted)?.model;
  }
}

/** An Ollama request whose failure the user can act on: its message and fix, as a command error. */
async function request(send: () => Promise<void>): Promise<void> {
  try {
    await send();
  } catch (error) {
    const fix = (error as { fix?: unknown }).fix;
    throw new CommandError(asSentence(describe(error)), asSentence(typeof fix === 'string' ? fix : 'Check that Ollama is running.'));
  }
}
