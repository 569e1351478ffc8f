/**
 * Offline first (issue 10 §4): a key is refused only when the provider definitely rejects it
 * (401/403). Against an unreachable provider (nothing listening, a 5xx) it is saved as "not
 * verified yet" and verified once the provider answers again. The app core is wired as the
 * headless host wires it; the providers are the local cloud doubles.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import type { AppState } from '../../src/shared/state-schema.ts';
import { defaultSettings } from '../../src/shared/settings.ts';
import { FAKE_ANTHROPIC_KEY, startFakeAnthropic } from '../doubles/cloud/anthropic.ts';
import type { FakeServer } from '../doubles/cloud/common.ts';
import { createApp, faultEnv, waitFor } from '../faults/support.ts';
import { freePort } from '../ollama/support.ts';
import { tempDir } from '../support/headless.ts';

const KEY = FAKE_ANTHROPIC_KEY;

/** A profile set up for Anthropic at a local address, setup not finished (so no runner starts). */
async function appAt(t: TestContext, baseUrl: string, { keyRecheckMs }: { keyRecheckMs?: number } = {}) {
  const dir = tempDir(t, 'stigmer-keys-');
  const settings = defaultSettings();
  settings.provider = 'anthropic';
  settings.providers.anthropic.baseUrl = baseUrl;
  fs.writeFileSync(path.join(dir, 'settings.json'), JSON.stringify(settings));
  const app = createApp({ userDataDir: dir, env: faultEnv(dir), runnerAutoStart: 'after-setup', ...(keyRecheckMs ? { keyRecheckMs } : {}) });
  t.after(() => app.close());
  await app.core.start();
  const state = () => app.core.getState();
  const saved = () => JSON.parse(fs.readFileSync(path.join(dir, 'settings.json'), 'utf8')) as ReturnType<typeof defaultSettings>;
  const setKey = (key: string) =>
    app.core.execute('keys:set', { provider: 'anthropic', key }) as Promise<{ saved: boolean; check: { outcome: string; message: string } }>;
  return { app, state, saved, setKey };
}

async function serveAnthropic(t: TestContext, options: Parameters<typeof startFakeAnthropic>[0]): Promise<FakeServer> {
  const server = await startFakeAnthropic(options);
  t.after(() => server.close());
  return server;
}

const keyState = (state: AppState) => state.keyChecks.anthropic?.state;

test('a provider that cannot be reached: the key is saved as not verified yet, then verified when the provider comes back', async (t) => {
  const port = await freePort();
  const { app, state, saved, setKey } = await appAt(t, `http://127.0.0.1:${port}`, { keyRecheckMs: 100 });
  const result = await setKey(KEY);
  assert.equal(result.saved, true, 'an unreachable provider does not cost the user their key');
  assert.equal(result.check.outcome, 'unreachable');
  assert.match(result.check.message, /ECONNREFUSED/);
  assert.equal(state().config.keys.anthropic?.masked, 'sk-ant-…STAA', 'the key is in use');
  assert.equal(state().config.errors.length, 0, 'the configuration is complete');
  assert.equal(keyState(state()), 'unverified');
  assert.match(state().keyChecks.anthropic!.message, /could not be reached to check this key .*it is saved and will be checked when Anthropic can be reached/);
  assert.deepEqual(saved().secrets.unverified, ['anthropic'], 'remembered across restarts');
  assert.ok(app.entries.some((entry) => entry.level === 'warn' && entry.msg.startsWith('Anthropic key saved without a check: ')));

  const anthropic = await serveAnthropic(t, { validKeys: [KEY], port });
  await waitFor('the periodic re-check to verify the key', () => keyState(state()) === 'verified');
  assert.ok(
    anthropic.requests.some((request) => request.path.startsWith('/v1/models')),
    'verified by a live call',
  );
  assert.equal(saved().secrets.unverified, undefined);
  assert.ok(app.entries.some((entry) => entry.msg === 'Anthropic key checked now that Anthropic can be reached: Anthropic accepted this key.'));
});

test('a definite rejection (401) refuses the key and stores nothing', async (t) => {
  const anthropic = await serveAnthropic(t, { validKeys: ['sk-ant-api03-some-other-key-0000000000000000000000'] });
  const { state, saved, setKey } = await appAt(t, anthropic.url);
  const result = await setKey(KEY);
  assert.equal(result.saved, false);
  assert.equal(result.check.outcome, 'rejected');
  assert.match(result.check.message, /rejected \(401\)/);
  assert.equal(state().config.keys.anthropic, null);
  assert.equal(state().keyChecks.anthropic, null);
  assert.equal(saved().secrets.unverified, undefined);
});

test('an answering provider (200) verifies the key as it is saved', async (t) => {
  const anthropic = await serveAnthropic(t, { validKeys: [KEY] });
  const { state, setKey } = await appAt(t, anthropic.url);
  const result = await setKey(KEY);
  assert.deepEqual([result.saved, result.check.outcome], [true, 'valid']);
  assert.equal(keyState(state()), 'verified');
});

test('a 5xx saves the key unverified; Test verifies it once the provider is healthy, and an outage later does not unverify it', async (t) => {
  const port = await freePort();
  const failing = await startFakeAnthropic({ validKeys: [KEY], port, failWith: { status: 500 } });
  const { app, state, setKey } = await appAt(t, `http://127.0.0.1:${port}`);
  const result = await setKey(KEY);
  assert.deepEqual([result.saved, result.check.outcome], [true, 'error']);
  assert.equal(keyState(state()), 'unverified');
  await failing.close();

  const healthy = await serveAnthropic(t, { validKeys: [KEY], port });
  const check = (await app.core.execute('keys:validate', { provider: 'anthropic' })) as { outcome: string };
  assert.equal(check.outcome, 'valid');
  assert.equal(keyState(state()), 'verified');
  await healthy.close();
  assert.equal(((await app.core.execute('keys:validate', { provider: 'anthropic' })) as { outcome: string }).outcome, 'unreachable');
  assert.equal(keyState(state()), 'verified', 'not reaching the provider says nothing about the key');
});

test('a key saved offline that the provider rejects once it is back is shown as rejected', async (t) => {
  const port = await freePort();
  const { state, setKey } = await appAt(t, `http://127.0.0.1:${port}`, { keyRecheckMs: 100 });
  assert.equal((await setKey(KEY)).saved, true);
  await serveAnthropic(t, { validKeys: ['sk-ant-api03-some-other-key-0000000000000000000000'], port });
  await waitFor('the re-check to reject the key', () => keyState(state()) === 'rejected');
  assert.match(state().keyChecks.anthropic!.message, /rejected \(401\)/);
});

test("the runner's start-up check verifies a key saved offline, once the provider answers", async (t) => {
  const port = await freePort();
  const { app, state, setKey } = await appAt(t, `http://127.0.0.1:${port}`, { keyRecheckMs: 3_600_000 });
  assert.equal((await setKey(KEY)).saved, true);
  assert.equal(keyState(state()), 'unverified');
  await serveAnthropic(t, { validKeys: [KEY], port });
  // Finishing the wizard starts the built-in runner, whose first act is a provider check.
  await app.core.execute('wizard:complete', {});
  await waitFor("the runner's check to verify the key", () => keyState(state()) === 'verified');
  assert.ok(app.entries.some((entry) => entry.msg.startsWith('Provider check passed: anthropic')));
});
