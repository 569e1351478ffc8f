import type { CommandResponse } from '../../shared/ipc.ts';
import type { LogEntry } from '../../shared/logs.ts';
import { canonicalOllamaModel, isOllamaModelInstalled, ollamaNameProblem } from '../../shared/model-catalog.ts';
import type { OllamaModel, OllamaPullProgress } from '../../shared/ollama.ts';
import type { ResolvedConfig } from '../config/resolve.ts';
import type { OllamaManager } from '../ollama/manager.ts';
import type { SettingsStore } from '../settings/settings-store.ts';
import { CommandError, asSentence, describe } from './command-error.ts';
import { downloadSizeOf } from '../../shared/ollama-download-sizes.ts';
import type { ModelsDisk } from '../../shared/disk.ts';
import { measureDisk, modelsFolder, type MeasureDisk } from '../ollama/disk-space.ts';
import { formatDuration } from '../process/restart-policy.ts';
import { DownloadQueue } from './download-queue.ts';
import { DownloadList } from './downloads.ts';
import { buildModelCatalog } from './model-catalog.ts';
import { cardContext, defaultContext, kvCache } from '../hardware/fit-inputs.ts';
import type { Settings } from '../../shared/settings.ts';
import type { FitFacts, InstalledSize } from '../config/model-aliases.ts';
import type { HardwareWatch } from '../hardware/hardware-watch.ts';
import { budgetOf } from '../../shared/hardware.ts';
import { ModelInfoCache } from '../ollama/model-info.ts';
import { pullWithRetries, type PullOutcome } from './pull-attempts.ts';

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
  hardware: HardwareWatch;
  settings: () => Settings;
  /** `<userData>/downloads.json`, the persisted queue of unfinished pulls. */
  queueFile: string;
  /** The saved models folder (`OLLAMA_MODELS` of a launched server) and the environment it falls back to. */
  modelsDir: () => string | undefined;
  /** The app's environment: `OLLAMA_CONTEXT_LENGTH`, `OLLAMA_KV_CACHE_TYPE`, and `OLLAMA_MODELS` for the folder's free space. */
  env: NodeJS.ProcessEnv;
  measureDisk?: MeasureDisk | undefined;
  /** No bytes for this long and a pull is stopped as stalled (default 60 s). */
  stallMs?: number | undefined;
  retryDelaysMs?: readonly number[] | undefined;
}

/**
 * The Models screen's commands: pulls tracked in the download list, delete with the space
 * freed, unload, and the catalog. The app core owns one and answers the contract through it.
 */
export class OllamaModels {
  readonly downloads: DownloadList;
  readonly #deps: OllamaModelsDeps;
  readonly #modelInfo = new ModelInfoCache();
  readonly #queue: DownloadQueue;
  /** The user's Cancel, per pull running (also while a retry waits). */
  readonly #cancels = new Map<string, AbortController>();

  constructor(deps: OllamaModelsDeps) {
    this.#deps = deps;
    this.downloads = new DownloadList(deps.onChange);
    // Until the first reading an alias is judged on RAM alone; with a GPU found, it may now mean
    // another model, so the configuration is resolved again (without one, nothing changes).
    void deps.hardware.get().then((hardware) => {
      const config = deps.config() as ResolvedConfig | undefined;
      if (hardware.gpuBudget.bytes > 0 && config?.provider.value === 'ollama' && config.model.alias) void deps.reconfigure('GPU detected');
    });
    this.#queue = new DownloadQueue(deps.queueFile);
    for (const entry of this.#queue.entries()) this.downloads.restore(entry);
  }

  /** The free space where the launched server keeps its models; undefined, with a warning on the download, when it cannot be known. */
  async #disk(model: string): Promise<{ folder: string; freeBytes: number } | undefined> {
    const where = modelsFolder(this.#deps.ollama().getState().server, this.#deps.modelsDir(), this.#deps.env);
    if (where.folder === null) {
      this.downloads.warn(model, 'The free space of this Ollama’s models folder cannot be seen from here, so it was not checked before this download.');
      return undefined;
    }
    try {
      const { freeBytes } = await (this.#deps.measureDisk ?? measureDisk)(where.folder);
      return { folder: where.folder, freeBytes };
    } catch (error) {
      this.downloads.warn(model, `The free space of ${where.folder} could not be read (${describe(error)}), so it was not checked before this download.`);
      return undefined;
    }
  }

  /** The Models screen's disk line: what models use, and what is left where they go. */
  async disk(): Promise<ModelsDisk> {
    const state = this.#deps.ollama().getState();
    const usedByModelsBytes = state.models.reduce((sum, model) => sum + model.sizeBytes, 0);
    const where = modelsFolder(state.server, this.#deps.modelsDir(), this.#deps.env);
    if (where.folder === null) return { folder: null, freeBytes: null, totalBytes: null, usedByModelsBytes, note: where.note };
    try {
      const { freeBytes, totalBytes } = await (this.#deps.measureDisk ?? measureDisk)(where.folder);
      return { folder: where.folder, freeBytes, totalBytes, usedByModelsBytes, note: null };
    } catch (error) {
      return {
        folder: where.folder,
        freeBytes: null,
        totalBytes: null,
        usedByModelsBytes,
        note: `The free space of ${where.folder} could not be read: ${describe(error)}.`,
      };
    }
  }

  /** Stops a pull in progress, or discards an interrupted one from the queue. */
  cancel(model: string): void {
    if (this.downloads.isInterrupted(model)) {
      this.#queue.remove(model);
      this.downloads.finish({ status: 'cancelled', model });
      return;
    }
    this.#cancels.get(model)?.abort();
    this.#deps.ollama().cancelPull(model);
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
    const result = await this.#download(model, use);
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

  /**
   * The download behind a pull: queued on disk until it ends, checked for space, retried, and on a
   * stall or a lost connection left in the queue, interrupted, for Resume.
   */
  async #download(model: string, use: boolean): Promise<CommandResponse<'ollama:pull'>> {
    const earlier = this.#queue.get(model);
    this.downloads.begin(model, use);
    this.#queue.add(model, use);
    const cancel = new AbortController();
    this.#cancels.set(model, cancel);
    const known = downloadSizeOf(model);
    let outcome: PullOutcome;
    try {
      outcome = await pullWithRetries({
        model,
        pull: (name, options) => this.#deps.ollama().pull(name, options),
        disk: () => this.#disk(model),
        // What an earlier attempt brought down no longer needs room.
        expectedBytes: known === null ? undefined : Math.max(0, known - (earlier?.completedBytes ?? 0)),
        signal: cancel.signal,
        onProgress: (progress) => {
          this.downloads.progress(progress);
          this.#queue.progress(model, progress.completedBytes, progress.totalBytes);
          this.#deps.onProgress(progress);
        },
        onWarning: (warning) => this.downloads.warn(model, warning),
        onRetry: (attempt, delayMs, reason) => {
          this.#deps.log('warn', `Pull of ${model} failed (${reason}); attempt ${attempt} in ${formatDuration(delayMs)}`);
          this.downloads.retrying(model, `Connection lost; retrying in ${formatDuration(delayMs)} (attempt ${attempt})`);
        },
        stallMs: this.#deps.stallMs,
        retryDelaysMs: this.#deps.retryDelaysMs,
      });
    } finally {
      this.#cancels.delete(model);
    }
    if (outcome.kind === 'interrupted') {
      this.#queue.flush();
      this.downloads.interrupt(model, outcome.cause === 'stall' ? 'Stalled' : 'Interrupted', `${asSentence(outcome.reason)}. ${asSentence(outcome.fix)}.`);
      // A quit cancels the pull it interrupts; it stays queued for Resume all the same.
      return outcome.cause === 'stopped' ? { status: 'cancelled', model } : { status: 'failed', model, reason: outcome.reason, fix: outcome.fix };
    }
    this.#queue.remove(model);
    const result: CommandResponse<'ollama:pull'> =
      outcome.kind === 'success' || outcome.kind === 'cancelled'
        ? { status: outcome.kind === 'success' ? 'success' : 'cancelled', model }
        : { status: 'failed', model, reason: outcome.reason, fix: outcome.fix };
    this.downloads.finish(result);
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
    const { hardware, settings, env } = this.#deps;
    const saved = settings();
    const facts = {
      modelContext: saved.ollama.modelContext ?? {},
      defaultContext: defaultContext(saved, env),
      kvCache: kvCache(env),
    };
    const ollama = this.#deps.ollama();
    const [machine, listed] = await Promise.all([
      hardware.get(),
      Promise.all([ollama.listModels(), ollama.listLoaded()]).catch((error: unknown) => error as Error),
    ]);
    if (listed instanceof Error) {
      return buildModelCatalog({
        ...facts,
        installed: [],
        loaded: [],
        hardware: machine,
        architectures: {},
        error: { message: `Ollama's models could not be listed: ${describe(listed)}`, fix: 'Start Ollama, then try again.' },
      });
    }
    const [installed, loaded] = listed;
    const architectures = await this.#modelInfo.architectures(ollama.url, installed);
    return buildModelCatalog({ ...facts, installed, loaded, hardware: machine, architectures });
  }

  /** Saves the context length of a model's card (null: back to the default); the estimate follows it. */
  setContext(model: string, contextLength: number | null): void {
    const key = canonicalOllamaModel(model);
    this.#deps.saveSettings((draft) => {
      const next = { ...draft.ollama.modelContext };
      if (contextLength === null) delete next[key];
      else next[key] = contextLength;
      draft.ollama.modelContext = Object.keys(next).length > 0 ? next : undefined;
    });
    this.#deps.log('info', `Context length of ${key}: ${contextLength === null ? 'the default' : `${contextLength} tokens`}`);
  }

  /**
   * What the alias resolver needs to judge installed models as the Models screen does: the
   * machine (RAM only until the first reading ends), the cards' context lengths and the
   * architectures already read.
   */
  fitFacts(installed: readonly OllamaModel[]): { sizes: InstalledSize[]; fit: FitFacts } {
    const { hardware, settings, env } = this.#deps;
    const saved = settings();
    const machine = hardware.current();
    return {
      sizes: installed.map((model) => ({
        name: model.name,
        sizeBytes: model.sizeBytes,
        architecture: this.#modelInfo.cached(model.digest),
        contextLength: cardContext(saved, model.name),
      })),
      fit: { budget: machine ? budgetOf(machine) : undefined, contextLength: defaultContext(saved, env).tokens, kvCacheType: kvCache(env).type },
    };
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
