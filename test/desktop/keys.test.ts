/**
 * Keys in `safeStorage`, on the machines a Linux user may have: a real keyring (the key persists
 * encrypted across a restart, never in plain text on disk), `basic_text` (the user's explicit
 * choice applies), and none at all (session only, with the notice). The key goes in through the
 * window, over the real preload and IPC bridge.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { startFakeAnthropic } from '../doubles/cloud/anthropic.ts';
import { freePort } from '../ollama/support.ts';
import { Scope, filesUnder, hostEnv, setUpProfile } from '../support/e2e-host.ts';
import { startDesktopHost, type DesktopHostOptions } from '../support/desktop-host.ts';

const KEY = 'sk-ant-api03-DesktopKEYStest-q7Xw2Lp9Vn4Rt6Ys8Zu1Mb3Kc5Jd0Hf-9kQ2';
const KEY_INNARDS = 'DesktopKEYStest';

/** A command from the page, as the renderer sends it (awaited in the page: the bridged call is a thenable). */
const invoke = (page: Page, name: string, payload: object) =>
  page.evaluate(
    async ([command, body]) => {
      const api = (window as unknown as { stigmer: { invoke(n: string, p: object): Promise<unknown> } }).stigmer;
      return await api.invoke(command, body);
    },
    [name, payload] as const,
  ) as Promise<{ ok: boolean; value?: unknown }>;

async function secretsOf(page: Page): Promise<{ persistence: string; notice?: string; weakStorageOffered: boolean }> {
  const reply = (await invoke(page, 'state:get', {})) as { value: { secrets: { persistence: string; notice?: string; weakStorageOffered: boolean } } };
  return reply.value.secrets;
}

async function setUp(t: { after(fn: () => Promise<void>): void }) {
  const scope = new Scope(t);
  const anthropic = await startFakeAnthropic({ validKeys: [KEY] });
  scope.defer(() => anthropic.close());
  const userDataDir = setUpProfile(scope, (settings) => {
    settings.provider = 'ollama';
    settings.providers.anthropic.baseUrl = anthropic.url;
  });
  const env = hostEnv(scope, { ollamaHost: `127.0.0.1:${await freePort()}`, fakeOllama: { models: ['llama3.2'] } });
  const keyringDir = scope.tempDir('stigmer-keyring-');
  const start = async (options: DesktopHostOptions) => {
    const host = await startDesktopHost(scope, ['--user-data-dir', userDataDir], env, { keyringDir, ...options });
    return { host, page: await host.page() };
  };
  /** Whether the key shows anywhere in the profile, in any file. */
  const plaintextOnDisk = () => filesUnder(userDataDir).filter((file) => fs.readFileSync(file).includes(KEY_INNARDS));
  return { start, plaintextOnDisk, userDataDir };
}

const anthropicChoice = (host: Awaited<ReturnType<typeof startDesktopHost>>) =>
  host.waitForTray('the Anthropic item', (menu) => menu.find((item) => item.label.startsWith('Anthropic'))?.label);

test('with gnome_libsecret, a key persists encrypted across a restart and is never plain text on disk', async (t) => {
  const { start, plaintextOnDisk } = await setUp(t);
  const first = await start({ keyring: 'gnome_libsecret' });
  assert.deepEqual(await secretsOf(first.page), { persistence: 'os-keychain', weakStorageOffered: false });
  assert.equal((await invoke(first.page, 'keys:set', { provider: 'anthropic', key: KEY })).ok, true);
  await first.host.waitForTray('the key to count', (menu) => menu.some((item) => item.label === 'Anthropic'));
  assert.deepEqual(await first.host.quit(), { code: 0, signal: null });
  assert.deepEqual(plaintextOnDisk(), []);

  const second = await start({ keyring: 'gnome_libsecret' });
  assert.equal(await anthropicChoice(second.host), 'Anthropic', 'the key was read back from the keychain');
  assert.deepEqual(await second.host.quit(), { code: 0, signal: null });
  assert.deepEqual([...first.host.violations(), ...second.host.violations()], []);
});

// The same keychain path as gnome_libsecret (one restart is enough on a busy machine): kwallet counts as a real keyring.
test('with kwallet, a key is saved encrypted in the OS keychain, never plain text on disk', async (t) => {
  const { start, plaintextOnDisk, userDataDir } = await setUp(t);
  const { host, page } = await start({ keyring: 'kwallet' });
  assert.deepEqual(await secretsOf(page), { persistence: 'os-keychain', weakStorageOffered: false });
  assert.equal((await invoke(page, 'keys:set', { provider: 'anthropic', key: KEY })).ok, true);
  assert.deepEqual(await host.quit(), { code: 0, signal: null });
  const saved = JSON.parse(fs.readFileSync(path.join(userDataDir, 'settings.json'), 'utf8')) as { secrets: { encrypted: Record<string, unknown> } };
  assert.ok(saved.secrets.encrypted.anthropic, 'kept, encrypted');
  assert.deepEqual(plaintextOnDisk(), []);
  assert.deepEqual(host.violations(), []);
});

test('with basic_text, keys stay in the session until the user accepts weaker storage, then persist', async (t) => {
  const { start, plaintextOnDisk } = await setUp(t);
  const first = await start({ keyring: 'basic_text' });
  const before = await secretsOf(first.page);
  assert.equal(before.persistence, 'session');
  assert.equal(before.weakStorageOffered, true);
  assert.match(before.notice ?? '', /No OS keyring was found/);
  assert.equal((await invoke(first.page, 'secrets:accept-weak-storage', {})).ok, true);
  assert.equal((await secretsOf(first.page)).persistence, 'weak');
  assert.equal((await invoke(first.page, 'keys:set', { provider: 'anthropic', key: KEY })).ok, true);
  assert.deepEqual(await first.host.quit(), { code: 0, signal: null });
  assert.deepEqual(plaintextOnDisk(), [], 'obfuscated, not plain');

  const second = await start({ keyring: 'basic_text' });
  assert.equal(await anthropicChoice(second.host), 'Anthropic', 'the user chose to keep it');
  assert.deepEqual(await second.host.quit(), { code: 0, signal: null });
});

test('with no keyring backend at all, a key is kept for the session only, with the notice, and weaker storage is not offered', async (t) => {
  const { start, plaintextOnDisk } = await setUp(t);
  const first = await start({ keyring: 'none' });
  assert.deepEqual(await secretsOf(first.page), {
    persistence: 'session',
    notice: 'The OS keychain is not available, so keys are kept for this session only.',
    weakStorageOffered: false,
  });
  // Accepting weaker storage would change nothing without any encryption: it is neither offered nor taken.
  assert.equal((await invoke(first.page, 'secrets:accept-weak-storage', {})).ok, false);
  assert.equal((await invoke(first.page, 'keys:set', { provider: 'anthropic', key: KEY })).ok, true);
  assert.equal(await anthropicChoice(first.host), 'Anthropic', 'usable in this session');
  assert.deepEqual(await first.host.quit(), { code: 0, signal: null });
  assert.deepEqual(plaintextOnDisk(), []);

  const second = await start({ keyring: 'none' });
  assert.equal(await anthropicChoice(second.host), 'Anthropic — no API key', 'gone after the restart');
  assert.deepEqual(await second.host.quit(), { code: 0, signal: null });
});
