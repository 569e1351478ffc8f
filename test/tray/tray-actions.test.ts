/**
 * The tray goes through the same validated contract as the window: a tray item's command is
 * checked against src/shared/ipc.ts before the app core sees it, and a failure is logged.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CommandHandler } from '../../src/main/app/dispatch.ts';
import { runTrayAction, type TrayActionHost } from '../../src/main/tray/tray-actions.ts';
import type { TrayAction } from '../../src/main/tray/tray-menu.ts';
import { createApp, type InProcessApp } from '../faults/support.ts';
import { freePort } from '../ollama/support.ts';
import { Scope } from '../support/e2e-host.ts';
import { cleanEnv } from '../support/headless.ts';

/** A prepared in-process app core, and a tray host that records what reaches the core and what is logged. */
interface Tray {
  app: InProcessApp;
  host: TrayActionHost;
  /** The commands that reached the app core. */
  reached: string[];
  logged: string[];
}

async function trayOn(t: { after(fn: () => void | Promise<void>): void }): Promise<Tray> {
  const scope = new Scope(t);
  const app = createApp({ userDataDir: scope.tempDir(), env: cleanEnv({ OLLAMA_HOST: `127.0.0.1:${await freePort()}` }), runnerAutoStart: 'after-setup' });
  scope.defer(() => app.close());
  await app.core.prepare();
  const reached: string[] = [];
  const logged: string[] = [];
  const handleCommand: CommandHandler = (command, payload) => {
    reached.push(command);
    return app.core.execute(command, payload);
  };
  const host: TrayActionHost = {
    handleCommand,
    startAtLogin: () => app.core.getState().startAtLogin,
    open: () => assert.fail('no window is opened'),
    openOllamaDownload: () => assert.fail('no page is opened'),
    quit: () => assert.fail('the app does not quit'),
    log: (message) => logged.push(message),
  };
  return { app, host, reached, logged };
}

test('a tray command with an invalid payload is refused by the contract and never reaches the app core', async (t) => {
  const { app, host, reached, logged } = await trayOn(t);
  const before = app.core.getState().config.provider;
  // A menu built from a bad state (or a bug in the menu) could carry any payload.
  const invalid = { kind: 'command', command: 'config:set-provider', payload: { provider: 'gemini' } } as unknown as TrayAction;

  await runTrayAction(invalid, host);

  assert.deepEqual(reached, [], 'the core never ran the command');
  assert.equal(logged.length, 1);
  assert.match(logged[0]!, /^Tray: Invalid payload for "config:set-provider": provider: /);
  assert.deepEqual(app.core.getState().config.provider, before, 'the provider is unchanged');
});

test('a valid tray command reaches the app core, and a failure it reports is logged with its fix', async (t) => {
  const { app, host, reached, logged } = await trayOn(t);

  await runTrayAction({ kind: 'command', command: 'wizard:defer', payload: { deferred: true } }, host);
  assert.deepEqual(reached, ['wizard:defer']);
  assert.equal(app.core.getState().setupDeferred, true);
  assert.deepEqual(logged, []);

  // The headless core has no login item: the core's refusal and its fix end up in the log.
  await runTrayAction({ kind: 'toggle-start-at-login' }, host);
  assert.deepEqual(reached, ['wizard:defer', 'app:set-start-at-login']);
  assert.deepEqual(logged, [
    'Start at login: Start at login is a desktop setting; the headless host has no login item. — Use your service manager (systemd, launchd) to start the headless host.',
  ]);
});
