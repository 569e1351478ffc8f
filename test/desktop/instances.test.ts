/**
 * One desktop app per profile: a second launch focuses the first one's window and goes; a
 * headless host on the same profile is refused; and an error nothing catches in main is logged
 * while the app stays up.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { freePort } from '../ollama/support.ts';
import { Scope, hostEnv, setUpProfile, startHost } from '../support/e2e-host.ts';
import { DESKTOP_DEADLINE, startDesktopHost } from '../support/desktop-host.ts';
import { escapeRegExp } from '../../src/lib/escape-regexp.ts';

test('a second launch focuses the first window, a headless host on the profile is refused, an uncaught error in main is logged and the app stays up', async (t) => {
  const scope = new Scope(t);
  const userDataDir = setUpProfile(scope, (settings) => {
    settings.provider = 'ollama';
  });
  const env = hostEnv(scope, { ollamaHost: `127.0.0.1:${await freePort()}`, fakeOllama: { models: ['llama3.2'] } });
  const first = await startDesktopHost(scope, ['--user-data-dir', userDataDir], env);
  const page = await first.page();
  await page.getByRole('heading', { name: 'Overview' }).waitFor(DESKTOP_DEADLINE);
  await first.closeWindow();
  await first.waitForState('the window to hide', (state) => state.windows[0]?.visible === false);

  const second = await startDesktopHost(scope, ['--user-data-dir', userDataDir], env);
  assert.deepEqual(await second.waitForExit(), { code: 0, signal: null }, 'the second launch hands over and quits');
  await first.waitForState('the first window to show and take focus', (state) => state.windows[0]?.visible && state.windows[0].focused);
  assert.equal(second.stderr, '', 'the second launch says nothing');

  const headless = startHost(scope, ['--user-data-dir', userDataDir], env);
  const refused = await headless.waitForExit();
  assert.notEqual(refused.code, 0);
  assert.match(headless.stdout + headless.stderr, new RegExp(`already running on ${escapeRegExp(userDataDir)}: the desktop app with pid ${first.pid}`));

  await first.throwUncaught();
  await first.waitForLine('the error to be logged', (line) => / ERROR \[app\] Unexpected error: Error: A test made main throw this/.test(line));
  assert.equal(first.running, true);
  // Still answering: the window's commands go through.
  const reply = await page.evaluate(async () => {
    const answer = await (window as unknown as { stigmer: { invoke(name: string, payload: object): Promise<{ ok: boolean }> } }).stigmer.invoke(
      'state:get',
      {},
    );
    return answer.ok;
  });
  assert.equal(reply, true);
  assert.deepEqual(await first.quit(), { code: 0, signal: null });
  assert.deepEqual(first.violations(), []);
});
