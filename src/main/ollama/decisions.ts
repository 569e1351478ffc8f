/**
 * The Ollama supervisor's decisions as pure functions: what to do with what a probe found,
 * what a failed health check means, how long to wait before a restart, which environment a
 * launched server gets, and how to word an early exit. The manager only carries them out.
 */
import type { OllamaOwner, OllamaPhase } from '../../shared/ollama.ts';
import type { Settings } from '../../shared/settings.ts';
import type { ProbeResult } from './detect.ts';
import type { FindOllamaResult } from './find-binary.ts';
import type { OllamaHost } from '../../lib/ollama-host.ts';
import type { RestartPolicy } from '../process/restart-policy.ts';

export type OllamaServerSettings = Settings['ollama'];

export interface StartFacts {
  /** The connectable URL, for messages. */
  url: string;
  /** Whether the host is this machine (only then may a server be launched). */
  local: boolean;
  binary: FindOllamaResult;
  probe: ProbeResult;
}

export type StartDecision =
  | { action: 'use'; owner: Exclude<OllamaOwner, 'managed'>; version: string }
  | { action: 'launch'; binaryPath: string }
  | { action: 'report'; phase: Extract<OllamaPhase, { phase: 'failed' | 'not-installed' }> };

const failed = (reason: string, fix: string): StartDecision => ({ action: 'report', phase: { phase: 'failed', reason, fix } });

/** docs/ARCHITECTURE.md §3: detect first; launch only a local, installed, absent server; never touch a foreign one. */
export function decideStart(facts: StartFacts): StartDecision {
  const { probe, url, local } = facts;
  switch (probe.kind) {
    case 'running':
      return { action: 'use', owner: local ? 'external' : 'remote', version: probe.version };
    case 'foreign':
      return failed(
        `${url} is answered by a program that is not Ollama (${probe.detail}); it is left alone`,
        local
          ? 'stop that program, or set OLLAMA_HOST to a free port (e.g. 127.0.0.1:11435) so Stigmer can start Ollama there'
          : 'point OLLAMA_HOST or the Ollama base URL at a machine that runs Ollama',
      );
    case 'timeout':
      return failed(
        // Only a local port is known to have accepted: a remote one may be dropped on the way.
        `${url} ${local ? 'accepted the connection but ' : ''}did not answer within ${Math.round(probe.afterMs / 100) / 10} s`,
        local
          ? 'if that is Ollama, it is stuck: restart it; otherwise free the port or set OLLAMA_HOST to another port'
          : 'check that the machine and Ollama on it are up, and that the network lets the port through',
      );
    case 'refused':
    case 'unreachable': {
      if (!local) {
        const detail = probe.kind === 'refused' ? 'connection refused' : probe.detail;
        return failed(
          `Ollama at ${url} is not reachable (${detail}); a server on another machine is never started from here`,
          'start Ollama on that machine with OLLAMA_HOST=0.0.0.0, or correct OLLAMA_HOST / the Ollama base URL',
        );
      }
      if (!facts.binary.found) return { action: 'report', phase: { phase: 'not-installed', reason: facts.binary.reason, fix: facts.binary.fix } };
      return { action: 'launch', binaryPath: facts.binary.path };
    }
  }
}

/** What a health check that did not find Ollama running means for a server that was up. */
export function unhealthyPhase(owner: OllamaOwner, url: string, probe: Exclude<ProbeResult, { kind: 'running' }>): OllamaPhase {
  const detail =
    probe.kind === 'refused' ? 'connection refused' : probe.kind === 'timeout' ? `no answer within ${Math.round(probe.afterMs / 100) / 10} s` : probe.detail;
  const fixes: Record<OllamaOwner, string> = {
    managed: 'wait a moment; if it does not recover, restart Ollama from Stigmer',
    external: 'start Ollama again; Stigmer reconnects by itself',
    remote: 'check Ollama on that machine and the network; Stigmer reconnects by itself',
  };
  const whose = owner === 'managed' ? 'the Ollama server Stigmer started' : `the Ollama server at ${url}`;
  return { phase: 'unhealthy', owner, reason: `${whose} stopped answering (${detail})`, fix: fixes[owner] };
}

/** Detection with no answer yet: what the user sees between the slow mark and the verdict. */
export function waitingPhase(url: string, elapsedMs: number, timeoutMs: number): OllamaPhase {
  const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;
  return {
    phase: 'waiting',
    reason: `Ollama at ${url} is not answering yet (${seconds(elapsedMs)} so far)`,
    fix: `the verdict comes after ${seconds(timeoutMs)}; if it says no answer, something that is not Ollama may hold the port, or Ollama is overloaded`,
  };
}

/** Health checks that must fail in a row before a running server is called unhealthy. */
export const FAILURES_BEFORE_UNHEALTHY = 2;

const DEFAULT_RESTART_DELAYS_MS: readonly number[] = [1000, 2000, 5000, 10_000, 30_000];

export interface OllamaRestartSettings {
  /** Delays before restart 1, 2, …; the last one repeats. */
  restartDelays?: readonly number[] | undefined;
  /** Crashes in a row after which the server is left stopped. */
  maxRestarts?: number | undefined;
  /** Running this long without a crash resets the restart count. */
  stableAfterMs?: number | undefined;
}

/**
 * The shared restart policy with Ollama's parameters: its own list of delays, and after
 * `maxRestarts` restarts the next crash in a row (however far apart) leaves it stopped. Every
 * exit of a ready server is a crash, even code 0: the app asked for none of them.
 */
export function ollamaRestartPolicy(settings: OllamaRestartSettings = {}): RestartPolicy {
  const delaysMs = settings.restartDelays ?? DEFAULT_RESTART_DELAYS_MS;
  return {
    initialDelayMs: delaysMs[0] ?? 0,
    maxDelayMs: Math.max(0, ...delaysMs),
    delaysMs,
    healthyAfterMs: settings.stableAfterMs ?? 60_000,
    crashLoopExits: (settings.maxRestarts ?? 5) + 1,
    crashLoopWindowMs: Number.POSITIVE_INFINITY,
    noRestartExitCodes: [],
    respectCleanStop: false,
  };
}

const joinHostPort = (hostname: string, port: number) => `${hostname.includes(':') ? `[${hostname}]` : hostname}:${port}`;

export interface LaunchPlan {
  /** Only the variables the app sets; merged over the inherited environment when spawning. */
  env: Record<string, string>;
  warnings: string[];
}

/** The environment of a launched `ollama serve`, from the host and the user's server settings. */
export function planLaunch(host: OllamaHost, settings: OllamaServerSettings): LaunchPlan {
  const bindHost = settings.exposeToNetwork ? '0.0.0.0' : host.hostname === '' ? '127.0.0.1' : host.hostname;
  const env: Record<string, string> = { OLLAMA_HOST: joinHostPort(bindHost, host.port) };
  if (settings.modelsDir) env.OLLAMA_MODELS = settings.modelsDir;
  if (settings.contextLength !== undefined) env.OLLAMA_CONTEXT_LENGTH = String(settings.contextLength);
  if (settings.keepAlive) env.OLLAMA_KEEP_ALIVE = settings.keepAlive;
  const warnings: string[] = [];
  if (bindHost === '0.0.0.0' || bindHost === '::') {
    warnings.push(
      `Ollama listens on all network interfaces (${env.OLLAMA_HOST}): anyone who can reach this machine can use its models and pull or delete them. Turn off "Expose to network" unless you need it.`,
    );
  }
  return { env, warnings };
}

/** The last `Error:` line Ollama printed, or its last line. */
function lastErrorLine(stderr: string): string | undefined {
  const lines = stderr
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean);
  return [...lines].reverse().find((line) => line.startsWith('Error:')) ?? lines.at(-1);
}

export interface EarlyExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/** Words an `ollama serve` that exited before it was ready, with what it said and a fix. */
export function describeEarlyExit(exit: EarlyExit, binaryPath: string, bindAddress: string): { reason: string; fix: string } {
  const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
  const said = lastErrorLine(exit.stderr);
  const reason = `ollama serve ${how} before it was ready${said ? `: ${said}` : ''}`;
  if (/address already in use/i.test(exit.stderr)) {
    return { reason, fix: `another program holds ${bindAddress}; stop it, or set OLLAMA_HOST to a free port` };
  }
  if (/permission denied/i.test(exit.stderr)) {
    return { reason, fix: `choose a port above 1024 in OLLAMA_HOST, or check the permissions of the models folder` };
  }
  return { reason, fix: `run "${binaryPath} serve" in a terminal to see the whole error, and check the ollama log` };
}
