/** The window's permission policy: the clipboard's write from the app's origin, nothing else. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { windowMayUse } from '../../src/main/electron/origins.ts';

const APP = 'app://renderer';

test('the app’s own page may write the clipboard; reading it, other permissions and other origins are refused', () => {
  assert.equal(windowMayUse('clipboard-sanitized-write', APP, APP), true);
  for (const permission of ['clipboard-read', 'media', 'notifications', 'geolocation', 'openExternal', 'fileSystem']) {
    assert.equal(windowMayUse(permission, APP, APP), false, permission);
  }
  for (const origin of ['null', 'app://other', 'http://127.0.0.1:5173', 'file://']) {
    assert.equal(windowMayUse('clipboard-sanitized-write', origin, APP), false, origin);
  }
});
