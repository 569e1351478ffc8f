import type { Route } from '../../shared/ipc.ts';
import { OLLAMA_DOWNLOAD_URL } from '../../shared/problems.ts';
import { dispatchCommand, type CommandHandler } from '../../shared/dispatch.ts';
import type { TrayAction } from './tray-menu.ts';

export interface TrayActionHost {
  /** The app core's `execute`: reached only through `dispatchCommand`, as from the window. */
  handleCommand: CommandHandler;
  /** Whether the app starts at login now (the item toggles it). */
  startAtLogin: () => boolean;
  /** Shows the window on `route`. */
  open: (route: Route) => void;
  /** Opens Ollama's download page in the browser: the only page the tray offers. */
  openOllamaDownload: () => void;
  quit: () => void;
  log: (message: string) => void;
}

/** A command from the tray, validated against the contract like one from the window; a failure is logged, as the tray has nowhere to show it. */
async function run(context: string, command: string, payload: unknown, host: TrayActionHost): Promise<void> {
  const reply = await dispatchCommand(command, payload, host.handleCommand);
  if (!reply.ok) host.log(`${context}: ${reply.error.message}${reply.error.fix ? ` — ${reply.error.fix}` : ''}`);
}

/** Carries out what a tray menu item asks for. */
export function runTrayAction(action: TrayAction, host: TrayActionHost): Promise<void> {
  switch (action.kind) {
    case 'command':
      return run('Tray', action.command, action.payload, host);
    case 'toggle-start-at-login':
      return run('Start at login', 'app:set-start-at-login', { enabled: !host.startAtLogin() }, host);
    case 'open':
      host.open(action.route);
      break;
    case 'open-url':
      // The tray builds this only for Ollama's download page; anything else is not opened.
      if (action.url === OLLAMA_DOWNLOAD_URL) host.openOllamaDownload();
      break;
    case 'quit':
      host.quit();
  }
  return Promise.resolve();
}
