/**
 * The built-in reference runner: reads the runner contract from its environment (DESIGN §2),
 * checks its provider and serves tasks from the app over the control channel. Its stdout and
 * stderr carry only JSON log lines; control messages travel only on the IPC channel.
 */
// First: a stop signal during the rest of the start-up is a clean stop.
import { onStopSignal } from './stop-signals.ts';
import { PROVIDER_SPECS } from '../shared/providers.ts';
import { format } from 'node:util';
import { maskSecret } from '../shared/secret-mask.ts';
import { RUNNER_CONFIG_EXIT_CODE, type RunnerToApp } from '../shared/runner-protocol.ts';
import { createChatClient } from './clients.ts';
import { parseRunnerEnv } from './env.ts';
import { createLogger } from './log.ts';
import { checkProvider } from './provider-check.ts';
import { Redactor } from '../lib/redactor.ts';
import { createTaskLoop } from './task-loop.ts';
import { openControlChannel } from './transport.ts';

// Read as early as the module body allows, so a parent that dies during start-up is still noticed.
const parentPid = process.ppid;

/** EX_SOFTWARE: an unexpected failure, which the supervisor may restart. */
const INTERNAL_ERROR_EXIT_CODE = 70;
const PARENT_POLL_MS = 1000;

// A parent that died leaves the pipes without a reader; the runner is about to exit then anyway.
process.stdout.on('error', () => {});
process.stderr.on('error', () => {});

// Every key the runner can see is masked wherever it would appear, whichever provider is active.
// The same redactor as the app's log pipeline, so a key is masked the same way on both sides.
const redactor = new Redactor([process.env.STIGMER_LLM_API_KEY, process.env.ANTHROPIC_API_KEY, process.env.OPENAI_API_KEY].filter((key) => key !== undefined));
const redact = (text: string): string => redactor.redact(text);
const log = createLogger({ redact });
const logToStderr = createLogger({ redact, write: (line) => process.stderr.write(line) });

// The SDKs print warnings (e.g. a deprecated model) through console; keep them JSON and redacted.
console.log = (...args: unknown[]) => log.info(format(...args));
console.info = console.log;
console.debug = (...args: unknown[]) => log.debug(format(...args));
console.warn = (...args: unknown[]) => log.warn(format(...args));
console.error = (...args: unknown[]) => log.error(format(...args));

process.on('uncaughtException', (error) => {
  logToStderr.fatal(`runner crashed: ${error.message}`, { stack: error.stack });
  process.exit(INTERNAL_ERROR_EXIT_CODE);
});
process.on('unhandledRejection', (reason) => {
  logToStderr.fatal(`runner crashed: ${reason instanceof Error ? reason.message : String(reason)}`);
  process.exit(INTERNAL_ERROR_EXIT_CODE);
});

const parsedEnv = parseRunnerEnv(process.env);
if (!parsedEnv.ok) {
  logToStderr.fatal(`invalid runner configuration: ${parsedEnv.message}`, { exitCode: RUNNER_CONFIG_EXIT_CODE });
  process.exit(RUNNER_CONFIG_EXIT_CODE);
}
const config = parsedEnv.config;

log.info('runner starting', {
  provider: config.provider,
  model: config.model,
  baseUrl: config.baseUrl,
  apiKey: config.apiKey === undefined ? null : maskSecret(config.apiKey),
  maxRetries: config.maxRetries,
  node: process.version,
});

const channel = openControlChannel();
const client = createChatClient(config);

/**
 * Sends a message; everything but model output is redacted, since server text may echo a key.
 * Not validated here: its type is the protocol's, and the app checks every message it receives;
 * building the outgoing schemas in the runner cost ~0.8 MB of its idle memory (issue 25).
 */
function send(message: RunnerToApp): void {
  channel?.send(message.type === 'delta' ? message : JSON.parse(redact(JSON.stringify(message))));
}

const loop = createTaskLoop({ config, client, send, log });

let stopping = false;
function shutdown(reason: string): void {
  if (stopping) return;
  stopping = true;
  log.info('runner stopping', { reason });
  loop.cancelAll();
  process.exit(0);
}

onStopSignal(shutdown);

// The IPC 'disconnect' catches a parent that dies; a changed ppid catches one that never opened a channel.
setInterval(() => {
  if (process.ppid !== parentPid) shutdown(`parent process ${parentPid} went away`);
}, PARENT_POLL_MS);

if (channel) {
  channel.onMessage((message) => loop.handle(message));
  channel.onDisconnect(() => shutdown('control channel closed by the parent'));
  send({ type: 'ready', provider: config.provider, model: config.model, baseUrl: config.baseUrl, history: true });
} else if (typeof process.send === 'function') {
  // Spawned with an IPC slot whose other end closed before the runner got here.
  shutdown('control channel closed by the parent');
} else {
  log.warn('no control channel: started without an IPC channel, so no tasks can arrive; waiting until stopped');
}

/** Ollama is checked at start (it is local and free to ask); a failure is reported but not fatal, as Ollama may come up later. */
async function reportStartupCheck(): Promise<void> {
  if (PROVIDER_SPECS[config.provider].check !== 'ollama-native') {
    log.info('the cloud provider check runs when the app asks for it, since it makes an authenticated API call');
    return;
  }
  const result = await checkProvider({ config, client });
  log[result.ok ? 'info' : 'warn']('provider check', { ...result });
  const failed = result.checks.find((check) => check.status === 'error');
  if (failed) {
    send({ type: 'error', code: failed.code ?? 'unknown', message: failed.message, ...(failed.fix ? { fix: failed.fix } : {}) });
  }
}

void reportStartupCheck();
