import path from 'node:path';
import { formatBytes } from '../../shared/format-bytes.ts';
import { describeMove, type ModelsMoveProgress } from '../../shared/models-folder.ts';
import { sentence } from '../../shared/sentence.ts';
import type { OllamaPullProgress } from '../../shared/ollama.ts';
import { CLI_EXIT, UsageError, print, type CliContext } from './context.ts';

/** One progress line: `llama3.2: downloading 45% 1.2 GB/2.0 GB, 12.3 MB/s, 1m 05s left`. */
export function formatPullProgress(progress: OllamaPullProgress): string {
  const parts = [`${progress.model}: ${progress.status}`];
  if (progress.percent !== null) parts.push(`${Math.floor(progress.percent)}% ${formatBytes(progress.completedBytes)}/${formatBytes(progress.totalBytes)}`);
  if (progress.bytesPerSecond !== null) parts.push(`${formatBytes(progress.bytesPerSecond)}/s`);
  if (progress.etaSeconds !== null) {
    const seconds = Math.round(progress.etaSeconds);
    parts.push(`${Math.floor(seconds / 60)}m ${String(seconds % 60).padStart(2, '0')}s left`);
  }
  return parts.join(', ');
}

async function list(context: CliContext): Promise<number> {
  const app = await context.app();
  const { config } = await app.request('state:get', {});
  const models = await app.request('models:list', { provider: config.provider.value });
  const selected = models.selected ?? config.model.value;
  for (const model of models.models) {
    const marks = [model.name === selected ? 'in use' : '', models.provider === 'ollama' && !model.installed ? 'not installed' : ''].filter(Boolean);
    print(
      context.stdout,
      `${model.name === selected ? '*' : ' '} ${model.name}${model.detail ? `  ${model.detail}` : ''}${marks.length > 0 ? `  (${marks.join(', ')})` : ''}`,
    );
  }
  if (models.error) print(context.stderr, `${models.error.message} ${models.error.fix}`);
  return CLI_EXIT.ok;
}

/** Pulls with Ollama; on a terminal the progress is one line on stderr, rewritten in place. */
async function pull(context: CliContext, model: string): Promise<number> {
  const app = await context.app();
  const terminal = context.stderr.isTTY === true;
  let shown = false;
  if (terminal) {
    await app.subscribe(['pull-progress'], (_event, payload) => {
      const progress = payload as OllamaPullProgress;
      if (progress.model !== model) return;
      context.stderr.write(`\r\x1b[2K${formatPullProgress(progress)}`);
      shown = true;
    });
  }
  const result = await app.request('ollama:pull', { model });
  if (shown) context.stderr.write('\n');
  if (result.status === 'success') {
    print(context.stdout, `Pulled ${result.model}.`);
    return CLI_EXIT.ok;
  }
  print(context.stderr, result.status === 'cancelled' ? `The pull of ${result.model} was cancelled.` : `${sentence(result.reason)} ${sentence(result.fix)}`);
  return CLI_EXIT.failed;
}

async function remove(context: CliContext, model: string): Promise<number> {
  const result = await (await context.app()).request('ollama:delete', { model });
  print(context.stdout, `Deleted ${result.model}, freeing ${formatBytes(result.freedBytes)}.`);
  return CLI_EXIT.ok;
}

const MOVE_PHASES: Record<ModelsMoveProgress['phase'], string> = {
  copying: 'copying',
  verifying: 'verifying digests',
  switching: 'restarting Ollama',
  listing: 'checking the models',
};

/** `copying 45% 1.2 GB/2.6 GB`. */
export const formatMoveProgress = ({ phase, doneBytes, totalBytes }: ModelsMoveProgress): string =>
  `${MOVE_PHASES[phase]} ${totalBytes === 0 ? 100 : Math.floor((doneBytes / totalBytes) * 100)}% ${formatBytes(doneBytes)}/${formatBytes(totalBytes)}`;

/** Moves the managed Ollama's models folder; Ctrl-C cancels and leaves everything as it was. */
async function move(context: CliContext, target: string): Promise<number> {
  const app = await context.app();
  const terminal = context.stderr.isTTY === true;
  let shown = false;
  if (terminal) {
    await app.subscribe(['models-move-progress'], (_event, payload) => {
      context.stderr.write(`\r\x1b[2K${formatMoveProgress(payload as ModelsMoveProgress)}`);
      shown = true;
    });
  }
  void context.interrupted().then(() => app.request('ollama:cancel-move-models', {}).catch(() => undefined));
  const result = await app.request('ollama:move-models', { target: path.resolve(target) });
  if (shown) context.stderr.write('\n');
  if (!result.ok) {
    print(context.stderr, `${result.message} ${result.fix}`);
    return CLI_EXIT.failed;
  }
  print(context.stdout, describeMove(result));
  print(context.stdout, `The old copy is still in ${result.source}. Delete it with: stigmer models delete-old ${result.source}`);
  return CLI_EXIT.ok;
}

async function deleteOld(context: CliContext, folder: string): Promise<number> {
  const { freedBytes } = await (await context.app()).request('ollama:delete-old-models', { folder: path.resolve(folder) });
  print(context.stdout, `Deleted the old models folder's contents, freeing ${formatBytes(freedBytes)}.`);
  return CLI_EXIT.ok;
}

const ACTIONS: Record<string, (context: CliContext, name: string) => Promise<number>> = { pull, rm: remove, move, 'delete-old': deleteOld };

/** `stigmer models [list | pull NAME | rm NAME | move DIR | delete-old DIR]`. */
export async function models(context: CliContext): Promise<number> {
  const [action = 'list', name] = context.args;
  if (action === 'list' && name === undefined) return list(context);
  const run = Object.hasOwn(ACTIONS, action) ? ACTIONS[action] : undefined;
  if (run && name) return run(context, name);
  throw new UsageError('write stigmer models, stigmer models pull NAME, stigmer models rm NAME, stigmer models move DIR or stigmer models delete-old DIR');
}
