import { formatBytes } from '../../shared/format-bytes.ts';
import type { OllamaInstallProgress } from '../../shared/ollama-install.ts';
import { CLI_EXIT, UsageError, print, type CliContext } from './context.ts';

/** One progress line: `Ollama 0.14.2: downloading 45% 120 MB/260 MB, 8.1 MB/s, 0m 17s left`. */
export function formatInstallProgress(progress: OllamaInstallProgress): string {
  const parts = [`Ollama${progress.version ? ` ${progress.version}` : ''}: ${progress.stage}`];
  if (progress.stage === 'downloading' && progress.percent !== null) {
    parts.push(`${Math.floor(progress.percent)}% ${formatBytes(progress.completedBytes)}/${formatBytes(progress.totalBytes)}`);
  }
  if (progress.stage === 'downloading' && progress.bytesPerSecond !== null) parts.push(`${formatBytes(progress.bytesPerSecond)}/s`);
  if (progress.stage === 'downloading' && progress.etaSeconds !== null) {
    const seconds = Math.round(progress.etaSeconds);
    parts.push(`${Math.floor(seconds / 60)}m ${String(seconds % 60).padStart(2, '0')}s left`);
  }
  return parts.join(', ');
}

/**
 * Installs or updates through the running app (one flow, the app's). On a terminal the progress
 * is one line on stderr, rewritten in place; Ctrl-C cancels the install (the partial download is
 * kept for the next attempt).
 */
async function install(context: CliContext, update: boolean): Promise<number> {
  const app = await context.app();
  if (update) {
    const check = await app.request('ollama:check-update', { force: true });
    // Only the app's own Ollama is updated; up to date is done, anything else is refused with what was found.
    if (!check.managed || !check.updateAvailable) {
      print(check.managed ? context.stdout : context.stderr, check.message);
      return check.managed ? CLI_EXIT.ok : CLI_EXIT.failed;
    }
  }
  const terminal = context.stderr.isTTY === true;
  let shown = false;
  if (terminal) {
    await app.subscribe(['ollama-install-progress'], (_event, payload) => {
      context.stderr.write(`\r\x1b[2K${formatInstallProgress(payload as OllamaInstallProgress)}`);
      shown = true;
    });
  }
  void context.interrupted().then(() => app.request('ollama:cancel-install', {}).catch(() => undefined));
  const result = await app.request('ollama:install', {});
  if (shown) context.stderr.write('\n');
  switch (result.status) {
    case 'installed':
      print(context.stdout, `Installed Ollama ${result.version} at ${result.path}; the app runs it.`);
      return CLI_EXIT.ok;
    case 'updated':
      print(context.stdout, `Updated Ollama from ${result.previous} to ${result.version} (${result.path}); the app restarted it.`);
      return CLI_EXIT.ok;
    case 'up-to-date':
      print(context.stdout, `Ollama ${result.version} is the newest release (${result.path}).`);
      return CLI_EXIT.ok;
    case 'cancelled':
      print(context.stderr, 'Cancelled; the partial download is kept and resumed next time.');
      return CLI_EXIT.failed;
    case 'failed':
      print(context.stderr, `${result.reason} ${result.fix}`);
      return CLI_EXIT.failed;
  }
}

/** `stigmer ollama install | update | check`. */
export async function ollama(context: CliContext): Promise<number> {
  const [action] = context.args;
  if (context.args.length === 1 && (action === 'install' || action === 'update')) return install(context, action === 'update');
  if (context.args.length === 1 && action === 'check') {
    const check = await (await context.app()).request('ollama:check-update', { force: true });
    print(context.stdout, check.message);
    return CLI_EXIT.ok;
  }
  throw new UsageError('write stigmer ollama install, stigmer ollama update or stigmer ollama check');
}
