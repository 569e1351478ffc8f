/** The update decisions, as pure functions: which feed, what each event does to the state, what is said, what the tray offers. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { trayView } from '../../src/main/tray/tray-menu.ts';
import {
  describeUpdateError,
  initialUpdateState,
  nextUpdateState,
  resolveFeed,
  updateLogLine,
  type UpdaterEvent,
} from '../../src/main/updates/update-policy.ts';
import type { UpdateState } from '../../src/shared/updates.ts';
import { appStateFixture } from '../support/app-state-fixture.ts';

const FEED = { url: 'https://updates.example/stigmer/', source: 'settings' } as const;

test('the feed: STIGMER_UPDATE_URL wins over Settings, which win over the build’s app-update.yml', () => {
  assert.deepEqual(resolveFeed({ STIGMER_UPDATE_URL: ' http://mirror/ ' }, 'https://saved/'), { url: 'http://mirror/', source: 'env:STIGMER_UPDATE_URL' });
  assert.deepEqual(resolveFeed({ STIGMER_UPDATE_URL: '' }, 'https://saved/'), { url: 'https://saved/', source: 'settings' });
  assert.deepEqual(resolveFeed({}, undefined), { url: null, source: 'app-update.yml' });
});

function run(events: UpdaterEvent[], from: UpdateState = initialUpdateState(true, FEED)): UpdateState {
  return events.reduce((state, event) => nextUpdateState(state, event, 1_000), from);
}

test('a new version goes checking → downloading (with progress) → downloaded; a later check or failure keeps the download offered', () => {
  const downloading = run([{ kind: 'checking' }, { kind: 'available', version: '1.2.0' }, { kind: 'progress', percent: 42.5 }]);
  assert.deepEqual([downloading.status, downloading.version, downloading.percent, downloading.checkedAt], ['downloading', '1.2.0', 42.5, 1_000]);
  const downloaded = run([{ kind: 'downloaded', version: '1.2.0' }], downloading);
  assert.equal(downloaded.status, 'downloaded');
  assert.equal(run([{ kind: 'checking' }, { kind: 'error', error: { message: 'net::ERR_INTERNET_DISCONNECTED' } }], downloaded), downloaded);
  assert.equal(run([{ kind: 'not-available' }]).status, 'up-to-date');
});

test('failures are worded for the user: a checksum refusal, a bad signature, offline, anything else', () => {
  const state = { version: '1.2.0', feed: FEED };
  assert.match(
    describeUpdateError({ message: 'sha512 checksum mismatch, expected x, got y', code: 'ERR_CHECKSUM_MISMATCH' }, state),
    /^The downloaded update 1\.2\.0 was refused: its sha512 checksum does not match/,
  );
  assert.match(
    describeUpdateError({ message: 'New version 1.2.0 is not signed by the application owner', code: 'ERR_UPDATER_INVALID_SIGNATURE' }, state),
    /was refused: its code signature could not be verified/,
  );
  for (const message of ['net::ERR_CONNECTION_REFUSED (ECONNREFUSED)', 'getaddrinfo ENOTFOUND updates.example', 'net::ERR_INTERNET_DISCONNECTED'])
    assert.equal(
      describeUpdateError({ message }, state),
      'Could not reach https://updates.example/stigmer/ to check for updates (offline?); the app checks again tomorrow.',
    );
  assert.equal(describeUpdateError({ message: 'Cannot parse update info\nat line 3' }, state), 'The update check failed: Cannot parse update info');
});

test('offline does not nag: the same failure again logs nothing more', () => {
  const offline: UpdaterEvent = { kind: 'error', error: { message: 'net::ERR_CONNECTION_REFUSED' } };
  const once = run([offline]);
  assert.equal(updateLogLine(initialUpdateState(true, FEED), once, offline)?.level, 'warn');
  assert.equal(updateLogLine(once, run([offline], once), offline), undefined);
  assert.equal(updateLogLine(once, run([{ kind: 'progress', percent: 3 }], once), { kind: 'progress', percent: 3 }), undefined);
});

test('the tray offers "Restart to update" only for a verified download', () => {
  const label = (update: UpdateState | null) =>
    trayView(appStateFixture({ update }), { startAtLogin: false }).menu.find((item) => item.label?.startsWith('Restart to update'));
  assert.equal(label(null), undefined);
  assert.equal(label(run([{ kind: 'available', version: '1.2.0' }])), undefined);
  assert.deepEqual(label(run([{ kind: 'downloaded', version: '1.2.0' }])), {
    label: 'Restart to update (1.2.0)',
    action: { kind: 'command', command: 'app:restart-to-update', payload: {} },
  });
});
