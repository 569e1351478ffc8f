import { formatBytes } from '../../shared/format-bytes.ts';
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

/** `stigmer models [list | pull NAME | rm NAME]`. */
export async function models(context: CliContext): Promise<number> {
  const [action = 'list', name] = context.args;
  if (action === 'list' && name === undefined) return list(context);
  if ((action === 'pull' || action === 'rm') && name) return action === 'pull' ? pull(context, name) : remove(context, name);
  throw new UsageError('write stigmer models, stigmer models pull NAME or stigmer models rm NAME');
}
