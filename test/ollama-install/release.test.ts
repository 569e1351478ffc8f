import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  DEFAULT_OLLAMA_RELEASES_URL,
  assetUrl,
  checksumFor,
  compareVersions,
  releaseAsset,
  releasesBaseUrl,
  tagFromLatestRedirect,
} from '../../src/main/ollama/install/release.ts';

test('each OS and architecture gets the asset Ollama publishes for it (Linux: .tar.zst from 0.14.0, .tgz before)', () => {
  assert.deepEqual(releaseAsset('linux', 'x64', '0.14.2'), { name: 'ollama-linux-amd64.tar.zst', format: 'tar.zst', binary: 'bin/ollama' });
  assert.deepEqual(releaseAsset('linux', 'arm64', '0.13.5'), { name: 'ollama-linux-arm64.tgz', format: 'tgz', binary: 'bin/ollama' });
  assert.deepEqual(releaseAsset('darwin', 'arm64', '0.14.2'), { name: 'ollama-darwin.tgz', format: 'tgz', binary: 'ollama' });
  assert.deepEqual(releaseAsset('win32', 'x64', '0.14.2'), { name: 'ollama-windows-amd64.zip', format: 'zip', binary: 'ollama.exe' });
  assert.match((releaseAsset('linux', 'ia32', '0.14.2') as { unsupported: string }).unsupported, /no build for linux on ia32/);
});

test('the SHA-256 is read from sha256sum.txt for exactly this asset, with or without ./', () => {
  const sums = [
    `${'a'.repeat(64)}  ./ollama-linux-amd64.tar.zst`,
    `${'b'.repeat(64)}  ./ollama-linux-amd64-rocm.tar.zst`,
    `${'C'.repeat(64)} *ollama-darwin.tgz`,
  ].join('\n');
  assert.equal(checksumFor(sums, 'ollama-linux-amd64.tar.zst'), 'a'.repeat(64));
  assert.equal(checksumFor(sums, 'ollama-darwin.tgz'), 'c'.repeat(64));
  assert.equal(checksumFor(sums, 'ollama-linux-arm64.tar.zst'), undefined);
});

test('versions compare numerically, a pre-release before its release', () => {
  assert.equal(compareVersions('0.14.10', '0.14.9'), 1);
  assert.equal(compareVersions('v0.14.2', '0.14.2'), 0);
  assert.equal(compareVersions('0.14.2-rc1', '0.14.2'), -1);
  assert.equal(compareVersions('0.9.0', '0.14.0'), -1);
});

test('the mirror comes from the env var, then the setting, then GitHub; the latest tag from the redirect', () => {
  assert.equal(releasesBaseUrl({}, undefined), DEFAULT_OLLAMA_RELEASES_URL);
  assert.equal(releasesBaseUrl({}, 'https://mirror.example/ollama/'), 'https://mirror.example/ollama');
  assert.equal(releasesBaseUrl({ STIGMER_OLLAMA_RELEASES_URL: 'http://127.0.0.1:9/r' }, 'https://mirror.example'), 'http://127.0.0.1:9/r');
  assert.equal(tagFromLatestRedirect('https://github.com/ollama/ollama/releases/tag/v0.14.2'), 'v0.14.2');
  assert.equal(tagFromLatestRedirect(null), undefined);
  assert.equal(assetUrl(DEFAULT_OLLAMA_RELEASES_URL, 'v0.14.2', 'sha256sum.txt'), 'https://github.com/ollama/ollama/releases/download/v0.14.2/sha256sum.txt');
});
