import { AppToRunnerSchema, type RunnerTask, type RunnerToApp } from '../shared/runner-protocol.ts';
import type { ChatClient } from './clients.ts';
import type { RunnerConfig } from './env.ts';
import { describeError } from '../shared/provider-errors.ts';
import type { Logger } from './log.ts';
import { checkProvider } from './provider-check.ts';

export interface TaskLoopOptions {
  config: RunnerConfig;
  client: ChatClient;
  /** Sends a validated, redacted message to the app. */
  send: (message: RunnerToApp) => void;
  log: Logger;
  now?: () => number;
}

export interface TaskLoop {
  /** Handles one raw message from the control channel. */
  handle(raw: unknown): void;
  /** Aborts every task in flight (on shutdown). */
  cancelAll(): void;
}

/** Serves tasks, cancellations and checks; tasks run concurrently, each with its own abort signal. */
export function createTaskLoop({ config, client, send, log, now = performance.now.bind(performance) }: TaskLoopOptions): TaskLoop {
  const running = new Map<string, AbortController>();

  async function runTask(task: RunnerTask, controller: AbortController): Promise<void> {
    const started = now();
    let firstTokenAt: number | undefined;
    log.info('task started', { taskId: task.id, promptChars: task.prompt.length, historyMessages: task.history?.length ?? 0 });
    try {
      const result = await client.stream({
        prompt: task.prompt,
        history: task.history ?? [],
        system: task.system,
        maxTokens: task.maxTokens,
        signal: controller.signal,
        onText: (text) => {
          firstTokenAt ??= now();
          send({ type: 'delta', id: task.id, text });
        },
      });
      // The SDKs end a stream quietly when its signal aborts; a cancelled task must not look done.
      controller.signal.throwIfAborted();
      if (!result.usageReported) log.warn('the server reported no token usage', { taskId: task.id });
      const latencyMs = Math.round(now() - started);
      const firstTokenMs = firstTokenAt === undefined ? null : Math.round(firstTokenAt - started);
      send({
        type: 'done',
        id: task.id,
        provider: config.provider,
        model: result.model,
        usage: { inputTokens: result.inputTokens, outputTokens: result.outputTokens },
        latencyMs,
        firstTokenMs,
      });
      log.info('task done', { taskId: task.id, ...result, latencyMs, firstTokenMs });
    } catch (error) {
      const described = describeError(controller.signal.aborted ? controller.signal.reason : error, config);
      // The SDK's own message (redacted by the logger) keeps the server's words for diagnosis.
      const detail = error instanceof Error ? error.message : String(error);
      log[described.code === 'cancelled' ? 'info' : 'error']('task failed', { taskId: task.id, ...described, detail });
      send({ type: 'error', id: task.id, ...described });
    } finally {
      running.delete(task.id);
    }
  }

  async function runCheck(id: string): Promise<void> {
    const result = await checkProvider({ config, client });
    log[result.ok ? 'info' : 'warn']('provider check', { checkId: id, ...result });
    send({ type: 'check-result', id, provider: config.provider, model: config.model, baseUrl: config.baseUrl, ...result });
  }

  return {
    handle(raw) {
      const parsed = AppToRunnerSchema.safeParse(raw);
      if (!parsed.success) {
        const id = typeof raw === 'object' && raw !== null && 'id' in raw && typeof raw.id === 'string' ? raw.id : undefined;
        const problem = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'message'}: ${issue.message}`).join('; ');
        log.warn('invalid control message', { problem });
        send({ type: 'error', ...(id ? { id } : {}), code: 'protocol', message: `invalid control message (${problem})` });
        return;
      }
      const message = parsed.data;
      switch (message.type) {
        case 'task': {
          if (running.has(message.id)) {
            send({ type: 'error', id: message.id, code: 'protocol', message: `a task with id "${message.id}" is already running` });
            return;
          }
          const controller = new AbortController();
          running.set(message.id, controller);
          void runTask(message, controller);
          return;
        }
        case 'cancel':
          // Cancelling a finished or unknown task is harmless: the app and the runner may cross messages.
          running.get(message.id)?.abort(new DOMException('cancelled by the app', 'AbortError'));
          return;
        case 'check':
          void runCheck(message.id);
          return;
      }
    },
    cancelAll() {
      for (const controller of running.values()) controller.abort(new DOMException('runner stopping', 'AbortError'));
    },
  };
}
