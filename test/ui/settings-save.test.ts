/** Issue 22 §18–19, the decisions behind the buttons: when Settings offers Save, and which button a setup step leads with. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { baseUrlCheck, contextLengthCheck, keepAliveCheck, requiredCheck, saveOffer } from '../../src/renderer/settings-checks.ts';
import { detectStepLead, lastStepPrimary, leadingFix } from '../../src/renderer/status.ts';
import type { OllamaState } from '../../src/shared/ollama.ts';
import type { AppProblem } from '../../src/shared/problems.ts';

test('Save is offered only for a valid change; what is wrong is told before, for the changed field only', () => {
  assert.deepEqual(
    saveOffer([{ draft: '', saved: '', check: baseUrlCheck }]),
    { enabled: false, problem: null },
    'empty and unchanged: nothing to save, nothing wrong',
  );
  assert.deepEqual(saveOffer([{ draft: 'http://x', saved: 'http://x', check: baseUrlCheck }]), { enabled: false, problem: null });
  assert.deepEqual(saveOffer([{ draft: 'http://127.0.0.1:1234/v1', saved: '', check: baseUrlCheck }]), { enabled: true, problem: null });
  assert.deepEqual(saveOffer([{ draft: '', saved: 'http://x', check: baseUrlCheck }]), {
    enabled: false,
    problem: 'Type a URL, or use Reset for the default.',
  });
  assert.match(saveOffer([{ draft: 'ftp://h', saved: '', check: baseUrlCheck }]).problem ?? '', /^ftp:\/\/ is not served/);
  assert.match(saveOffer([{ draft: 'localhost:1234', saved: '', check: baseUrlCheck }]).problem ?? '', /is not served|Not a URL/);
  assert.equal(saveOffer([{ draft: ' ', saved: '', check: requiredCheck('a path') }]).enabled, false, 'blanks are empty');
  // A form of several fields: one change is enough, one wrong field holds Save back.
  const server = (contextLength: string, keepAlive: string, exposeChanged = false) =>
    saveOffer(
      [
        { draft: contextLength, saved: '', check: contextLengthCheck },
        { draft: keepAlive, saved: '5m', check: keepAliveCheck },
      ],
      exposeChanged,
    );
  assert.equal(server('', '5m').enabled, false);
  assert.equal(server('', '5m', true).enabled, true, 'a switch counts as a change');
  assert.equal(server('8192', '1h30m').enabled, true);
  assert.equal(server('', '-1').enabled, true);
  assert.equal(server('100', '5m').enabled, false);
  assert.equal(server('8192', 'soon').enabled, false);
  assert.match(server('8192.5', '5m').problem ?? '', /whole number from 256 to 1048576/);
});

test("setup's last step leads with one button: Start runner, Retry, Send a first prompt, then Finish", () => {
  const at = (runner: Parameters<typeof lastStepPrimary>[0]['runner'], more: Partial<Parameters<typeof lastStepPrimary>[0]> = {}) =>
    lastStepPrimary({ runner, stuck: false, downloading: false, answered: false, ...more });
  assert.equal(at('stopped'), 'start');
  assert.equal(at('stopped', { downloading: true }), 'finish', 'the runner starts once the model lands: the user may finish now');
  assert.equal(at('crash-loop', { stuck: true }), 'retry');
  assert.equal(at('running'), 'send');
  assert.equal(at('running', { downloading: true }), 'send');
  assert.equal(at('running', { answered: true }), 'finish');
});

test("a setup step's problem leads only when it is an error with a fix: the first such, else the step's own button", () => {
  const problem = (id: string, severity: AppProblem['severity'], labels: string[] = ['Fix']): AppProblem => ({
    id,
    severity,
    title: id,
    detail: '',
    actions: labels.map((label) => ({ kind: 'open', label, route: 'settings' })),
  });
  assert.equal(leadingFix([]), null);
  assert.equal(
    leadingFix([problem('model-downloading:llama3.2', 'info', ['Cancel']), problem('key-unverified:anthropic', 'warning')]),
    null,
    'going on is what to do',
  );
  assert.equal(
    leadingFix([problem('config:provider:0', 'error', []), problem('model-missing:llama3.2', 'error')]),
    'model-missing:llama3.2',
    'an error with nothing to press does not lead',
  );
  assert.equal(leadingFix([problem('key-rejected:openai', 'error'), problem('runner:failed', 'error')]), 'key-rejected:openai', 'one leads: the first');
});

test('the Detect Ollama step leads with one button: a listed fix, else Start or Install Ollama, else Continue', () => {
  const ollama = (phase: string, binary: boolean) => ({ server: { phase }, binary: binary ? { path: '/usr/bin/ollama' } : null }) as unknown as OllamaState;
  const failing: AppProblem = { id: 'ollama:failed', severity: 'error', title: 'x', detail: '', actions: [{ kind: 'open', label: 'Logs', route: 'logs' }] };
  assert.equal(detectStepLead(ollama('running', true), []), 'continue');
  assert.equal(detectStepLead(ollama('stopped', true), []), 'start');
  assert.equal(detectStepLead(ollama('failed', true), []), 'start');
  assert.equal(detectStepLead(ollama('stopped', false), []), 'continue', 'nothing to start: going on');
  assert.equal(detectStepLead(ollama('not-installed', false), []), 'install');
  assert.deepEqual(detectStepLead(ollama('failed', true), [failing]), { problem: 'ollama:failed' }, "the listed problem's fix leads, Start is secondary");
  assert.equal(detectStepLead(ollama('starting', true), []), 'continue');
});
