import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { trayHealth, trayView, type TrayMenuItem } from '../../src/main/tray/tray-menu.ts';
import type { AppState } from '../../src/shared/state-schema.ts';
import { RUNNER_STATES, type RunnerState } from '../../src/shared/runner-status.ts';
import { appStateFixture, withDerivedProblems } from '../support/app-state-fixture.ts';

const view = (state: AppState, startAtLogin = false) => trayView(state, { startAtLogin });

/** Every item with its submenu items, flattened. */
const flatten = (items: TrayMenuItem[]): TrayMenuItem[] => items.flatMap((item) => [item, ...flatten(item.submenu ?? [])]);
const item = (state: AppState, label: string | RegExp): TrayMenuItem => {
  const found = flatten(view(state).menu).find((entry) => (typeof label === 'string' ? entry.label === label : label.test(entry.label ?? '')));
  assert.ok(found, `no tray item ${label}`);
  return found;
};

function withRunner(state: RunnerState, patch: Partial<AppState['runner']> = {}): AppState {
  const base = appStateFixture();
  return { ...base, runner: { ...base.runner, state, ...patch } };
}

/** The unpinned, cloud-capable state most tests start from. */
function unpinned(patch: (state: AppState) => void = () => {}): AppState {
  const state = appStateFixture();
  state.config.provider = { value: 'ollama', source: 'settings', pinned: false };
  patch(state);
  return state;
}

describe('the tray menu for every runner state', () => {
  for (const runnerState of RUNNER_STATES) {
    test(`runner ${runnerState}`, () => {
      const state = withRunner(runnerState);
      const { menu } = view(state);
      assert.equal(menu[0]?.label, `Runner: ${runnerState} · Ollama: running (managed)`);
      assert.equal(menu[0]?.enabled, false, 'the status line is not clickable');
      const start = item(state, /^(Start|Retry) runner$/);
      const stop = item(state, 'Stop runner');
      const restart = item(state, 'Restart runner');
      assert.equal(start.enabled, ['stopped', 'failed', 'crash-loop'].includes(runnerState));
      assert.equal(start.label, runnerState === 'failed' || runnerState === 'crash-loop' ? 'Retry runner' : 'Start runner');
      assert.equal(stop.enabled, ['running', 'starting', 'backoff'].includes(runnerState));
      assert.equal(restart.enabled, runnerState === 'running');
      for (const required of ['Open window', 'Show logs', 'Setup…', 'Quit Stigmer Desktop']) assert.ok(item(state, required));
    });
  }
});

describe('the provider radio group', () => {
  test('a pinned provider disables every choice and names the variable', () => {
    const providers = view(appStateFixture()).menu.filter((entry) => entry.type === 'radio');
    assert.deepEqual(
      providers.map((entry) => [entry.label, entry.checked, entry.enabled]),
      [
        ['Anthropic — pinned by LLM_PROVIDER', false, false],
        ['OpenAI — pinned by LLM_PROVIDER', false, false],
        ['Ollama — pinned by LLM_PROVIDER', true, false],
      ],
    );
  });

  test('a provider without a key says "no API key"; one with a key switches on click', () => {
    const state = unpinned();
    assert.deepEqual(item(state, 'OpenAI — no API key').enabled, false);
    const anthropic = item(state, 'Anthropic');
    assert.equal(anthropic.enabled, true);
    assert.deepEqual(anthropic.action, { kind: 'command', command: 'config:set-provider', payload: { provider: 'anthropic' } });
  });

  test("the user's endpoints are choices beside the providers: one click switches to it, and the one in use is checked with its models", () => {
    const groq = {
      id: 'my-groq',
      name: 'Groq',
      baseUrl: 'https://api.groq.com/openai/v1',
      models: ['llama-3.3-70b', 'qwen-qwq'],
      key: { masked: 'gsk_…abcd' },
    };
    const state = unpinned((draft) => void (draft.config.endpoints = [groq]));
    const choice = item(state, 'Groq');
    assert.deepEqual([choice.type, choice.checked, choice.enabled], ['radio', false, true]);
    assert.deepEqual(choice.action, { kind: 'command', command: 'endpoints:use', payload: { id: 'my-groq' } });

    const inUse = unpinned((draft) => {
      draft.config.endpoints = [groq];
      draft.config.endpoint = { id: 'my-groq', name: 'Groq' };
      draft.config.provider = { value: 'openai', source: 'settings', pinned: false };
      draft.config.model = { value: 'llama-3.3-70b', source: 'default', pinned: false };
    });
    assert.equal(item(inUse, 'Groq').checked, true);
    assert.equal(item(inUse, 'OpenAI — no API key').checked, false, 'OpenAI itself is not the one in use');
    assert.deepEqual(
      item(inUse, /^Model: /).submenu?.map((entry) => [entry.label, entry.checked]),
      [
        ['llama-3.3-70b', true],
        ['qwen-qwq', false],
      ],
    );
    assert.match(view(inUse).tooltip, /Groq · llama-3\.3-70b/);

    const pinned = unpinned((draft) => {
      draft.config.endpoints = [groq];
      draft.config.provider = { value: 'ollama', source: 'env:LLM_PROVIDER', pinned: true };
    });
    assert.equal(item(pinned, 'Groq — pinned by LLM_PROVIDER').enabled, false);
  });

  test('Ollama not installed is disabled with the reason', () => {
    const state = unpinned((draft) => {
      draft.ollama.server = { phase: 'not-installed', reason: 'ollama was not found', fix: 'Install Ollama' };
      draft.ollama.binary = null;
    });
    assert.equal(item(state, 'Ollama — Ollama not installed').enabled, false);
    assert.equal(
      flatten(view(state).menu).some((entry) => /Ollama$/.test(entry.label ?? '') && /^(Start|Stop) /.test(entry.label ?? '')),
      false,
    );
  });
});

describe('the model submenu', () => {
  test('lists installed Ollama models with the active one checked', () => {
    const submenu = item(unpinned(), /^Model: /).submenu ?? [];
    assert.deepEqual(
      submenu.map((entry) => [entry.label, entry.checked]),
      [
        ['llama3.2:latest', true],
        ['qwen2.5-coder:7b', false],
      ],
    );
    assert.deepEqual(submenu[1]?.action, { kind: 'command', command: 'config:set-model', payload: { provider: 'ollama', model: 'qwen2.5-coder:7b' } });
  });

  test('with no model installed it says so; the fix is the problem line at the top', () => {
    const state = unpinned((draft) => void (draft.ollama.models = []));
    assert.deepEqual(item(state, /^Model: /).submenu, [{ label: 'No models installed', enabled: false }]);
  });

  test('a cloud provider offers its models; a pinned model is locked', () => {
    const state = unpinned((draft) => {
      draft.config.provider = { value: 'anthropic', source: 'settings', pinned: false };
      draft.config.model = { value: 'claude-opus-4-1', source: 'env:LLM_MODEL', pinned: true };
    });
    const submenu = item(state, /^Model: /).submenu ?? [];
    assert.equal(submenu[0]?.label, 'claude-opus-4-1 (pinned by LLM_MODEL)');
    assert.ok(submenu.every((entry) => entry.enabled === false));
    assert.ok(submenu.some((entry) => entry.label === 'claude-sonnet-5-5'));
  });
});

describe('Ollama controls', () => {
  test('a managed server can be stopped, not started', () => {
    const state = appStateFixture();
    assert.equal(item(state, 'Stop Ollama').enabled, true);
    assert.equal(item(state, 'Start Ollama').enabled, false);
  });

  test("an external server is not the app's to stop", () => {
    const state = unpinned((draft) => {
      draft.ollama.server = { phase: 'running', owner: 'external' };
      draft.ollama.pid = null;
    });
    assert.equal(item(state, 'Stop Ollama').enabled, false);
    assert.match(view(state).menu[0]?.label ?? '', /Ollama: running \(external\)/);
  });

  test('a stopped or failed server can be started', () => {
    for (const server of [{ phase: 'stopped' }, { phase: 'failed', reason: 'exited', fix: 'see logs' }] as const) {
      const state = unpinned((draft) => {
        draft.ollama.server = server;
        draft.ollama.pid = null;
      });
      assert.equal(item(state, 'Start Ollama').enabled, true, server.phase);
    }
  });

  test('a remote server has no start or stop', () => {
    const state = unpinned((draft) => void (draft.ollama.server = { phase: 'running', owner: 'remote' }));
    assert.equal(
      flatten(view(state).menu).some((entry) => entry.label === 'Start Ollama' || entry.label === 'Stop Ollama'),
      false,
    );
  });
});

describe('health, tooltip and the rest', () => {
  test('ok, working and error follow the runner, Ollama and the last error', () => {
    assert.equal(trayHealth(appStateFixture()), 'ok');
    assert.equal(trayHealth(withRunner('backoff')), 'working');
    assert.equal(trayHealth(withRunner('crash-loop', { error: { message: 'crashed 5 times', fix: 'retry' } })), 'error');
    const pulling = appStateFixture();
    pulling.ollama.pulls['gemma3:4b'] = {
      model: 'gemma3:4b',
      status: 'pulling',
      completedBytes: 1,
      totalBytes: 10,
      percent: 10,
      bytesPerSecond: null,
      etaSeconds: null,
    };
    assert.equal(trayHealth(pulling), 'working');
    const noKey = appStateFixture();
    noKey.config.errors = [{ field: 'apiKey', source: 'settings', message: 'Anthropic needs an API key' }];
    assert.equal(trayHealth(withDerivedProblems(noKey)), 'error');
  });

  test("the tooltip leads with the problem, within Windows' 127 characters", () => {
    const message = `LLM_PROVIDER="olama" is not one of anthropic, openai, ollama; ${'x'.repeat(200)}`;
    const invalid = appStateFixture();
    invalid.config.errors = [{ field: 'provider', source: 'env:LLM_PROVIDER', message }];
    const { tooltip, menu } = view(withDerivedProblems(invalid));
    assert.ok(tooltip.startsWith('Stigmer Desktop — LLM_PROVIDER="olama"'));
    assert.ok(tooltip.length <= 127);
    assert.match(menu[1]?.label ?? '', /^⚠ LLM_PROVIDER="olama"/);
    assert.match(view(appStateFixture()).tooltip, /Ollama · llama3\.2:latest · runner running/);
  });

  test('start at login is a checkbox reflecting the setting, off by default', () => {
    assert.equal(item(appStateFixture(), 'Start at login').checked, false);
    const on = flatten(view(appStateFixture(), true).menu).find((entry) => entry.label === 'Start at login');
    assert.equal(on?.checked, true);
    assert.deepEqual(on?.action, { kind: 'toggle-start-at-login' });
  });

  test('Start runner is disabled while the configuration is invalid', () => {
    const state = withRunner('stopped');
    state.config.errors = [{ field: 'provider', source: 'env:LLM_PROVIDER', message: 'bad' }];
    assert.equal(item(state, 'Start runner').enabled, false);
  });
});

describe('Expose to network', () => {
  const exposureLines = (state: AppState) => view(state).menu.filter((entry) => entry.label?.includes('no password'));

  test('the tray says so on its own line while it is on, and not at all while it is off (the default)', () => {
    assert.deepEqual(exposureLines(appStateFixture()), [], 'off by default: no line');
    const exposed = appStateFixture();
    exposed.ollamaOptions.exposeToNetwork = true;
    const [line, ...more] = exposureLines(exposed);
    assert.deepEqual(more, []);
    assert.equal(line?.label, '⚠ Ollama is open to the network (0.0.0.0), no password', 'the app-started server is open now');
    assert.equal(line?.enabled, false, 'a notice, not an action');
    assert.equal(view(exposed).menu[1]?.label, line?.label, 'right under the status line');
  });

  test('with no server of the app running, the line says the next one will be open', () => {
    const stopped = appStateFixture();
    stopped.ollamaOptions.exposeToNetwork = true;
    stopped.ollama.server = { phase: 'stopped' };
    stopped.ollama.pid = null;
    assert.deepEqual(
      exposureLines(stopped).map((entry) => entry.label),
      ['⚠ Expose to network is on: no password'],
    );
  });
});

describe('problems come with their fix', () => {
  const labelsOf = (state: AppState) => flatten(view(state).menu).map((entry) => entry.label ?? '');

  test('a missing model is one line that pulls it, shown once', () => {
    const state = withDerivedProblems(
      unpinned((draft) => {
        draft.ollama.models = [];
        draft.ollama.configuredModel = 'llama3.2';
        draft.ollama.configuredModelMissing = true;
      }),
    );
    // Pull and "Choose another": a submenu under the line naming the model.
    assert.equal(item(state, '⚠ llama3.2 is not installed').type, 'submenu');
    assert.deepEqual(item(state, 'Choose another').action, { kind: 'open', route: 'models' });
    const pull = item(state, 'Pull llama3.2 (2.0 GB)');
    assert.deepEqual(pull.action, { kind: 'command', command: 'ollama:pull', payload: { model: 'llama3.2' } });
    assert.equal(labelsOf(state).filter((label) => label.includes('not installed')).length, 1, labelsOf(state).join('\n'));
    assert.equal(view(state).tooltip, 'Stigmer Desktop — llama3.2 is not installed.');
  });

  test('while the model downloads, the line says so and cancels', () => {
    const state = unpinned((draft) => {
      draft.ollama.configuredModel = 'llama3.2';
      draft.ollama.configuredModelMissing = true;
      draft.ollama.pulls['llama3.2'] = {
        model: 'llama3.2',
        status: 'pulling',
        completedBytes: 5,
        totalBytes: 10,
        percent: 50,
        bytesPerSecond: null,
        etaSeconds: null,
      };
    });
    const cancel = item(withDerivedProblems(state), '↓ llama3.2 is downloading (50%) — Cancel');
    assert.deepEqual(cancel.action, { kind: 'command', command: 'ollama:cancel-pull', payload: { model: 'llama3.2' } });
  });

  test('Ollama not installed offers Install Ollama, Download Ollama, Check again and Use a cloud provider', () => {
    const state = withDerivedProblems(
      unpinned((draft) => {
        draft.ollama.server = { phase: 'not-installed', reason: 'ollama was not found on PATH', fix: 'install it' };
        draft.ollama.binary = null;
      }),
    );
    assert.deepEqual(
      item(state, '⚠ Ollama is not installed').submenu?.map((entry) => [entry.label, entry.action]),
      [
        ['Install Ollama', { kind: 'command', command: 'ollama:install', payload: {} }],
        ['Download Ollama', { kind: 'open-url', url: 'https://ollama.com/download' }],
        ['Check again', { kind: 'command', command: 'ollama:start', payload: {} }],
        ['Use a cloud provider', { kind: 'open', route: 'setup' }],
      ],
    );
  });

  test('a crash loop offers Open logs, Edit runner command and Retry', () => {
    const state = withDerivedProblems(withRunner('crash-loop', { error: { message: 'the runner exited 5 times', fix: 'read its last lines' } }));
    assert.deepEqual(
      item(state, /^⚠ The runner keeps crashing/).submenu?.map((entry) => [entry.label, entry.action]),
      [
        ['Open logs', { kind: 'open', route: 'logs' }],
        ['Edit runner command', { kind: 'open', route: 'settings' }],
        ['Retry', { kind: 'command', command: 'runner:retry', payload: {} }],
      ],
    );
  });
});

describe('the downloads line', () => {
  const pulling = (patch: Partial<AppState['downloads'][number]> = {}): AppState['downloads'][number] => ({
    model: 'mistral:7b',
    state: 'pulling',
    phase: 'Downloading',
    completedBytes: 1_230_000_000,
    totalBytes: 4_100_000_000,
    percent: 30,
    bytesPerSecond: 12_000_000,
    etaSeconds: 240,
    use: false,
    message: null,
    startedAt: 0,
    finishedAt: null,
    ...patch,
  });

  test('each download in progress is one line with percent, bytes and time left, opening the Models screen', () => {
    const state = unpinned(
      (draft) =>
        void (draft.downloads = [
          pulling(),
          pulling({ model: 'llama3.2', percent: null, totalBytes: 0, completedBytes: 0, etaSeconds: null, phase: 'Starting' }),
        ]),
    );
    const lines = view(state).menu.filter((entry) => entry.label?.startsWith('Downloading '));
    assert.deepEqual(
      lines.map((entry) => entry.label),
      ['Downloading mistral:7b — 30% · 1.2 GB of 4.1 GB · 4 min left', 'Downloading llama3.2 — Starting'],
    );
    assert.deepEqual(lines[0]?.action, { kind: 'open', route: 'models' });
  });

  test('finished, cancelled and failed downloads leave the tray', () => {
    const state = unpinned(
      (draft) =>
        void (draft.downloads = [
          pulling({ state: 'done', message: 'mistral:7b is installed.' }),
          pulling({ model: 'llama3.2', state: 'cancelled', message: 'Download of llama3.2 cancelled.' }),
        ]),
    );
    assert.equal(
      view(state).menu.some((entry) => entry.label?.startsWith('Downloading')),
      false,
    );
  });
});

test('an alias shows with the model it resolved to', () => {
  const state = unpinned(
    (draft) =>
      void (draft.config.model = {
        value: 'qwen2.5:0.5b',
        source: 'env:STIGMER_LLM_MODEL',
        pinned: true,
        alias: { alias: 'fast', basis: 'the smallest installed model that fits this machine (2 fit)' },
      }),
  );
  assert.ok(item(state, 'Model: fast → qwen2.5:0.5b'));
});
