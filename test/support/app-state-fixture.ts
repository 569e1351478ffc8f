import { deriveProblems, leadingError } from '../../src/main/app/app-state.ts';
import { AppStateSchema, type AppState, type UserError } from '../../src/shared/state-schema.ts';
import type { OllamaModel } from '../../src/shared/ollama.ts';

export const FIXTURE_MODELS: OllamaModel[] = [
  {
    name: 'llama3.2:latest',
    sizeBytes: 2_019_393_189,
    digest: 'a80c4f17acd55265feec403c7aef86be0c25983ab279d83f3bcd3abbcb5b8b72',
    modifiedAt: '2025-10-02T09:14:11.000Z',
    family: 'llama',
    parameterSize: '3.2B',
    quantization: 'Q4_K_M',
  },
  {
    name: 'qwen2.5-coder:7b',
    sizeBytes: 4_683_087_332,
    digest: '2b0496514337a3d5901f1d253d01726c890b721e891335a56d6e08cedf3e2cb0',
    modifiedAt: '2025-09-21T17:40:03.000Z',
    family: 'qwen2',
    parameterSize: '7.6B',
    quantization: 'Q4_K_M',
  },
];

/**
 * A realistic snapshot of a running app (Ollama up, runner running, the provider pinned by
 * LLM_PROVIDER), as the app core would publish it; validated against the contract.
 */
export function appStateFixture(overrides: Partial<AppState> = {}): AppState {
  const state: AppState = {
    host: 'headless',
    config: {
      provider: { value: 'ollama', source: 'env:LLM_PROVIDER', pinned: true },
      model: { value: 'llama3.2:latest', source: 'settings', pinned: false },
      baseUrl: { value: 'http://127.0.0.1:11434', source: 'default', pinned: false },
      apiKey: { value: null, source: 'default', pinned: false },
      endpoint: null,
      endpoints: [],
      keys: { anthropic: { source: 'session', masked: 'sk-ant-…9f3c' }, openai: null },
      errors: [],
      warnings: [],
    },
    runnerCommand: {
      value: 'stigmer-runner (built-in)',
      source: 'default',
      pinned: false,
      controlChannel: { value: false, source: 'default', pinned: false, saved: false },
    },
    secrets: {
      persistence: 'session',
      notice: 'Headless mode has no OS keychain: keys come from flags or the environment, or are held for this session only.',
      weakStorageOffered: false,
    },
    keyChecks: { anthropic: null, openai: null },
    ollama: {
      server: { phase: 'running', owner: 'managed' },
      url: 'http://127.0.0.1:11434',
      binary: { path: '/usr/local/bin/ollama', source: 'path', version: '0.12.3' },
      serverVersion: '0.12.3',
      pid: 48211,
      restarts: 0,
      models: FIXTURE_MODELS,
      loaded: [],
      configuredModel: 'llama3.2:latest',
      configuredModelMissing: false,
      pulls: {},
      warnings: [],
    },
    ollamaInstall: { progress: null, update: null },
    ollamaOptions: { modelsDir: null, contextLength: 8192, keepAlive: '5m', exposeToNetwork: false },
    runner: {
      state: 'running',
      reason: 'Started by the user.',
      command: 'stigmer-runner (built-in)',
      pid: 48240,
      startedAt: Date.now() - 3_725_000,
      restarts: 1,
      lastExit: { code: 1, signal: null, at: Date.now() - 3_726_000 },
      nextRestartAt: null,
      error: null,
      lastLines: [],
    },
    runnerEnv: {
      variables: [
        { name: 'STIGMER_LLM_PROVIDER', value: 'ollama' },
        { name: 'STIGMER_LLM_MODEL', value: 'llama3.2:latest' },
        { name: 'STIGMER_LLM_BASE_URL', value: 'http://127.0.0.1:11434' },
        { name: 'LLM_PROVIDER', value: 'ollama' },
        { name: 'LLM_MODEL', value: 'llama3.2:latest' },
        { name: 'LLM_BASE_URL', value: 'http://127.0.0.1:11434/v1' },
        { name: 'OLLAMA_HOST', value: 'http://127.0.0.1:11434' },
      ],
      withheld: ['ANTHROPIC_API_KEY', 'LLM_PROVIDER'],
    },
    problems: [],
    lastError: null,
    firstRun: false,
    needsSetup: false,
    savedBaseUrls: { anthropic: null, openai: null, ollama: null },
    downloads: [],
    setupDeferred: false,
    logsDir: '/home/dev/.config/stigmer-desktop/logs',
    startAtLogin: false,
    update: null,
    ...overrides,
  };
  return AppStateSchema.parse(state);
}

/** The state with its problems (and `lastError`) derived from the rest, as the app core derives them. */
export function withDerivedProblems(state: AppState, incident: UserError | null = null): AppState {
  const problems = deriveProblems({
    config: state.config,
    ollama: state.ollama,
    runner: state.runner,
    keyChecks: state.keyChecks,
    incident,
    ollamaInstall: state.ollamaInstall,
  });
  return { ...state, problems, lastError: leadingError(problems) };
}
