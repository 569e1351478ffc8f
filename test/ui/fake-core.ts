import type { CommandName, EventName, KeyCheck, ModelList, ParsedCommand } from '../../src/shared/ipc.ts';
import type { AppState } from '../../src/shared/state-schema.ts';
import type { LogEntry } from '../../src/shared/logs.ts';
import type { OllamaPullProgress, OllamaPullResult } from '../../src/shared/ollama.ts';
import { PROVIDER_SPECS, type CloudProvider, type Provider } from '../../src/shared/providers.ts';
import { maskSecret } from '../../src/shared/secret-mask.ts';
import { DownloadList } from '../../src/main/app/downloads.ts';
import { appStateFixture } from '../support/app-state-fixture.ts';

type Listener = (event: EventName, payload: unknown) => void;

/**
 * A test double of the app core, following the IPC contract: it keeps a state snapshot,
 * answers every command the renderer sends, and pushes `state` after each change, as the real
 * core does. Keys are held in full here and only ever published masked.
 */
export class FakeCore {
  state: AppState;
  readonly keys = new Map<CloudProvider, string>();
  readonly logs: LogEntry[] = [];
  readonly calls: Array<{ command: string; payload: unknown }> = [];
  /** Pulls wait for `finishPull`, so a test can look at the progress bar. */
  readonly #pendingPulls = new Map<string, (result: OllamaPullResult) => void>();
  readonly #listeners = new Set<Listener>();
  #seq = 0;
  #task = 0;
  /** The core's own download list (a pure class), published in `state.downloads` as main does. */
  readonly #downloads = new DownloadList(() => this.update((state) => (state.downloads = this.#downloads.list())));

  constructor(state: AppState = appStateFixture()) {
    this.state = state;
  }

  subscribe = (listener: Listener): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  emit(event: EventName, payload: unknown): void {
    this.#listeners.forEach((listener) => listener(event, payload));
  }

  update(change: (state: AppState) => void): void {
    const next = structuredClone(this.state);
    change(next);
    this.state = next;
    this.emit('state', next);
  }

  /** Appends log lines and pushes them as one batch. */
  /** `leaveGap`: the skipped lines take `seq` numbers, as the host's sampling does, so the window shows a marker. */
  pushLogs(count: number, make: (index: number) => Pick<LogEntry, 'source' | 'level' | 'msg'>, skipped = 0, leaveGap = false): void {
    if (leaveGap) this.#seq += skipped;
    const entries: LogEntry[] = [];
    for (let index = 0; index < count; index++) {
      entries.push({ seq: this.#seq++, ts: new Date(Date.UTC(2025, 9, 2, 9, 14, 11, index)).toISOString(), stream: 'stdout', ...make(index) });
    }
    this.logs.push(...entries);
    this.emit('logs', { entries, skipped });
  }

  progressPull(progress: OllamaPullProgress): void {
    this.update((state) => (state.ollama.pulls[progress.model] = progress));
    this.#downloads.progress(progress);
    this.emit('pull-progress', progress);
  }

  finishPull(model: string): void {
    const use = this.#downloads.wantsUse(model);
    this.update((state) => {
      delete state.ollama.pulls[model];
      state.ollama.models.push({
        name: model,
        sizeBytes: 2_019_393_189,
        digest: 'd'.repeat(64),
        modifiedAt: new Date().toISOString(),
        family: 'llama',
        parameterSize: '3.2B',
        quantization: 'Q4_K_M',
      });
      state.ollama.configuredModelMissing = false;
      if (use) state.config.model = { value: model, source: 'settings', pinned: false };
    });
    this.#downloads.finish({ status: 'success', model });
    this.#pendingPulls.get(model)?.({ status: 'success', model });
    this.#pendingPulls.delete(model);
  }

  get pullsWaiting(): string[] {
    return [...this.#pendingPulls.keys()];
  }

  #checkKey(provider: CloudProvider, key: string): KeyCheck {
    const label = PROVIDER_SPECS[provider].label;
    // The real check calls the provider; its test servers answer 401 for an unknown key.
    if (key.includes('invalid')) {
      return {
        provider,
        outcome: 'rejected',
        status: 401,
        message: `${label} rejected this key (401 Unauthorized): it is not a valid API key.`,
        fix: `Copy the key again from your ${label} console; it may have been revoked.`,
        masked: maskSecret(key),
      };
    }
    if (key.includes('offline')) {
      return {
        provider,
        outcome: 'unreachable',
        message: `${label} could not be reached to check this key.`,
        fix: 'It is checked again when the network is back.',
        masked: maskSecret(key),
      };
    }
    return { provider, outcome: 'valid', status: 200, message: `${label} accepted the key.`, masked: maskSecret(key) };
  }

  #setProvider(provider: Provider): void {
    this.update((state) => {
      state.config.provider = { value: provider, source: 'settings', pinned: false };
      state.config.model = {
        value: provider === 'ollama' ? (state.ollama.models[0]?.name ?? PROVIDER_SPECS.ollama.defaultModel) : PROVIDER_SPECS[provider].defaultModel,
        source: 'default',
        pinned: false,
      };
      state.config.baseUrl = { value: PROVIDER_SPECS[provider].baseUrl.default, source: 'default', pinned: false };
      const key = provider === 'ollama' ? null : state.config.keys[provider];
      state.config.apiKey = key ? { value: key.masked, source: key.source, pinned: false } : { value: null, source: 'default', pinned: false };
      state.ollama.configuredModel = provider === 'ollama' ? state.config.model.value : null;
      state.ollama.configuredModelMissing = provider === 'ollama' && !state.ollama.models.some((model) => model.name === state.config.model.value);
    });
  }

  handleCommand = async (command: string, payload: unknown): Promise<unknown> => {
    this.calls.push({ command, payload });
    // The UI server validated the payload against the contract before it got here.
    const input = <C extends CommandName>(_name: C) => payload as Extract<ParsedCommand, { command: C }>['payload'];
    const ok = { ok: true };
    switch (command as CommandName) {
      case 'state:get':
        return this.state;
      case 'config:set-provider':
        if (this.state.config.provider.pinned)
          throw Object.assign(new Error('The provider is pinned by LLM_PROVIDER.'), { fix: 'Unset LLM_PROVIDER to choose here.' });
        this.#setProvider(input('config:set-provider').provider);
        return ok;
      case 'config:set-model': {
        const body = input('config:set-model');
        this.update((state) => {
          if (state.config.provider.value !== body.provider) return;
          state.config.model = { value: body.model, source: 'settings', pinned: false };
          if (body.provider === 'ollama') {
            state.ollama.configuredModel = body.model;
            state.ollama.configuredModelMissing = !state.ollama.models.some((model) => model.name === body.model);
          }
        });
        return ok;
      }
      case 'keys:set': {
        const body = input('keys:set');
        const check = this.#checkKey(body.provider, body.key);
        // As main does: a key is saved when the provider accepted it, or could not be asked (offline).
        if (check.outcome !== 'valid' && check.outcome !== 'unreachable') return { saved: false, check };
        this.keys.set(body.provider, body.key);
        this.update((state) => {
          state.config.keys[body.provider] = { source: 'session', masked: maskSecret(body.key) };
          if (state.config.provider.value === body.provider) state.config.apiKey = { value: maskSecret(body.key), source: 'session', pinned: false };
          // As main does: the saved key's standing, so the window can say it is not verified yet.
          state.keyChecks[body.provider] =
            check.outcome === 'valid'
              ? { state: 'verified', message: check.message, checkedAt: Date.now() }
              : { state: 'unverified', message: check.message, ...(check.fix ? { fix: check.fix } : {}), checkedAt: null };
          state.needsSetup = false;
          // As main's KeyVerifier does: a key saved offline stays "not verified yet" until it is checked.
          state.keyChecks[body.provider] =
            check.outcome === 'valid'
              ? { state: 'verified', message: check.message, checkedAt: Date.now() }
              : { state: 'unverified', message: check.message, checkedAt: null };
        });
        return { saved: true, check };
      }
      case 'keys:remove': {
        const { provider } = input('keys:remove');
        this.keys.delete(provider);
        this.update((state) => (state.config.keys[provider] = null));
        return ok;
      }
      case 'keys:validate': {
        const { provider } = input('keys:validate');
        return this.#checkKey(provider, this.keys.get(provider) ?? 'invalid');
      }
      case 'models:list': {
        const { provider } = input('models:list');
        if (provider === 'ollama') {
          const installed = this.state.ollama.models.map((model) => ({
            name: model.name,
            detail: `${model.parameterSize} · ${model.quantization}`,
            installed: true,
          }));
          const suggested = ['llama3.2:latest', 'qwen2.5:3b', 'mistral:7b']
            .filter((name) => !installed.some((model) => model.name === name))
            .map((name) => ({ name, detail: 'suggested', installed: false }));
          return { provider, origin: 'ollama-tags', models: [...installed, ...suggested] } satisfies ModelList;
        }
        const names = provider === 'anthropic' ? ['claude-sonnet-5-5', 'claude-haiku-5-5', 'claude-opus-5-5'] : ['gpt-5.4-mini', 'gpt-5.5', 'gpt-5.4'];
        return { provider, origin: 'provider-api', models: names.map((name) => ({ name, installed: true })) } satisfies ModelList;
      }
      case 'ollama:start':
        this.update((state) => {
          state.ollama.server = { phase: 'running', owner: 'managed' };
          state.ollama.serverVersion = state.ollama.binary?.version ?? '0.12.3';
          state.ollama.pid = 50_001;
        });
        return ok;
      case 'ollama:stop':
        this.update((state) => {
          state.ollama.server = { phase: 'stopped' };
          state.ollama.pid = null;
        });
        return ok;
      case 'ollama:pull': {
        const { model, use } = input('ollama:pull');
        this.#downloads.begin(model, use === true);
        return new Promise<OllamaPullResult>((resolve) => {
          this.#pendingPulls.set(model, resolve);
          this.progressPull({ model, status: 'pulling manifest', completedBytes: 0, totalBytes: 0, percent: null, bytesPerSecond: null, etaSeconds: null });
        });
      }
      case 'ollama:cancel-pull': {
        const { model } = input('ollama:cancel-pull');
        this.#pendingPulls.get(model)?.({ status: 'cancelled', model });
        this.#pendingPulls.delete(model);
        this.#downloads.finish({ status: 'cancelled', model });
        this.update((state) => delete state.ollama.pulls[model]);
        return ok;
      }
      case 'ollama:set-options':
        this.update((state) => (state.ollamaOptions = input('ollama:set-options')));
        return ok;
      case 'runner:start':
      case 'runner:restart':
      case 'runner:retry':
        this.update((state) => {
          state.runner = {
            ...state.runner,
            state: 'running',
            pid: 51_000 + this.calls.length,
            startedAt: Date.now(),
            reason: 'Started by the user.',
            error: null,
          };
        });
        return ok;
      case 'runner:stop':
        this.update((state) => {
          state.runner = { ...state.runner, state: 'stopped', pid: null, startedAt: null, reason: 'Stopped by the user.' };
        });
        return ok;
      case 'runner:set-command': {
        const { command: runnerCommand, controlChannel } = input('runner:set-command');
        this.update((state) => {
          const saved = controlChannel ?? state.runnerCommand.controlChannel.saved;
          const channel = { value: saved, source: 'settings' as const, pinned: false, saved };
          state.runnerCommand =
            runnerCommand === null
              ? { value: 'stigmer-runner (built-in)', source: 'default', pinned: false, controlChannel: channel }
              : { value: runnerCommand, source: 'settings', pinned: false, controlChannel: channel };
        });
        return ok;
      }
      case 'logs:recent':
        return { entries: this.logs.slice(-input('logs:recent').limit), skipped: 0 };
      case 'logs:read-files':
        // The double keeps no files: every line it has is in the window already.
        return { lines: [], more: false };
      case 'logs:search':
        return { matches: [], scannedBytes: 0, totalBytes: 0, cursor: null, cancelled: false };
      case 'logs:reveal-folder':
        return { path: this.state.logsDir, opened: false };
      case 'playground:run': {
        const taskId = `task-${++this.#task}`;
        const words = ['Local ', 'models ', 'keep ', 'your ', 'data ', 'on ', 'your ', 'machine.'];
        setTimeout(() => {
          words.forEach((text) => this.emit('playground', { type: 'delta', taskId, text }));
          this.emit('playground', {
            type: 'done',
            taskId,
            provider: this.state.config.provider.value,
            model: this.state.config.model.value,
            usage: { inputTokens: 14, outputTokens: words.length },
            latencyMs: 1234,
            firstTokenMs: 182,
          });
        }, 50);
        return { taskId, withHistory: true };
      }
      case 'playground:cancel':
        return ok;
      case 'wizard:complete':
        this.update((state) => {
          state.firstRun = false;
          state.needsSetup = false;
        });
        return ok;
      case 'secrets:accept-weak-storage':
        this.update((state) => (state.secrets = { persistence: 'weak', notice: 'Keys are saved with weak protection.', weakStorageOffered: false }));
        return ok;
    }
    throw new Error(`FakeCore does not know ${command}`);
  };
}
