import assert from 'node:assert/strict';
import { test } from 'node:test';
import { trayView, type TrayMenuItem } from '../../src/main/tray/tray-menu.ts';
import { actionCommand } from '../../src/shared/problem-actions.ts';
import type { AppState } from '../../src/shared/state-schema.ts';
import { appStateFixture, withDerivedProblems } from '../support/app-state-fixture.ts';

const flatten = (items: TrayMenuItem[]): TrayMenuItem[] => items.flatMap((item) => [item, ...flatten(item.submenu ?? [])]);
const trayItems = (state: AppState) => flatten(trayView(state, { startAtLogin: false }).menu);

function withoutOllama(install: AppState['ollamaInstall']): AppState {
  const state = appStateFixture({ ollamaInstall: install });
  state.ollama = {
    ...state.ollama,
    server: { phase: 'not-installed', reason: 'Ollama is not installed: no ollama binary on PATH', fix: 'install it' },
    binary: null,
    pid: null,
  };
  return withDerivedProblems(state);
}

test('without Ollama, the problem the Overview and the tray show leads with Install Ollama, which runs ollama:install', () => {
  const state = withoutOllama({ progress: null, update: null });
  const problem = state.problems.find((entry) => entry.id === 'ollama:not-installed');
  assert.deepEqual(problem?.actions[0], { kind: 'install-ollama', label: 'Install Ollama' });
  assert.deepEqual(actionCommand({ kind: 'install-ollama', label: 'Install Ollama' }), { command: 'ollama:install', payload: {} });
  const install = trayItems(state).find((entry) => entry.label === 'Install Ollama');
  assert.deepEqual(install?.action, { kind: 'command', command: 'ollama:install', payload: {} });
});

test('while it installs, its progress (bytes, speed, time left) stands in for "not installed", with Cancel', () => {
  const state = withoutOllama({
    progress: {
      stage: 'downloading',
      version: '0.14.2',
      completedBytes: 120_000_000,
      totalBytes: 260_000_000,
      percent: 46.15,
      bytesPerSecond: 8_000_000,
      etaSeconds: 17.2,
      resumedFromBytes: 40_000_000,
    },
    update: null,
  });
  assert.deepEqual(
    state.problems.map((problem) => problem.id),
    ['ollama:installing'],
  );
  const [installing] = state.problems;
  assert.equal(installing?.title, 'Installing Ollama 0.14.2: downloading 46%.');
  assert.match(installing?.detail ?? '', /^120\.0 MB of 260\.0 MB, 8\.0 MB\/s, 18 s left\. Resumed after 40\.0 MB kept from before\./);
  const cancel = trayItems(state).find((entry) => entry.label === '↓ Installing Ollama 0.14.2: downloading 46% — Cancel');
  assert.deepEqual(cancel?.action, { kind: 'command', command: 'ollama:cancel-install', payload: {} });
});

test('an update of the app’s own Ollama is offered; one the user installed is not', () => {
  const found = { path: '/home/ada/.config/Stigmer Desktop/ollama/0.14.2/bin/ollama', source: 'app-installed' as const, version: '0.14.2' };
  const update = {
    found,
    managed: true,
    latest: '0.14.3',
    updateAvailable: true,
    message: 'This app’s Ollama 0.14.2 can be updated to 0.14.3.',
    checkedAt: '2026-12-07T04:00:00.000Z',
  };
  const offered = withDerivedProblems(appStateFixture({ ollamaInstall: { progress: null, update } }));
  const problem = offered.problems.find((entry) => entry.id === 'ollama:update:0.14.3');
  assert.deepEqual(problem?.actions, [{ kind: 'install-ollama', label: 'Update Ollama' }]);
  assert.equal(problem?.severity, 'info');

  const users = { ...update, found: { ...found, path: '/usr/local/bin/ollama', source: 'path' as const }, managed: false, updateAvailable: false };
  const notOffered = withDerivedProblems(appStateFixture({ ollamaInstall: { progress: null, update: users } }));
  assert.equal(
    notOffered.problems.find((entry) => entry.id.startsWith('ollama:update')),
    undefined,
  );
});
