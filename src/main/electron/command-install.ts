import os from 'node:os';
import { app } from 'electron';
import { CommandError } from '../app/command-error.ts';
import { installedMessage, launcherPlan, writeLauncher } from '../install/command-launcher.ts';
import type { CommandResponse } from '../../shared/ipc.ts';

/**
 * "Install the stigmer command" (Settings): writes the launcher of this app's command mode. Only
 * an installed app has an executable that stays put; a development build would register the bare
 * Electron binary, as Start at login would.
 */
export async function installStigmerCommand(): Promise<CommandResponse<'app:install-command'>> {
  if (!app.isPackaged) {
    throw new CommandError(
      'Only the installed app offers its stigmer command; this is a development build.',
      'From the clone, npm link (or npm install -g .) puts stigmer on your PATH.',
    );
  }
  const plan = launcherPlan({
    platform: process.platform,
    // An AppImage's executable lives in a mount that changes at every start: the image is what stays.
    executable: process.env.APPIMAGE?.trim() || app.getPath('exe'),
    home: os.homedir(),
    pathVariable: process.env.PATH,
  });
  if (plan.kind === 'unsupported') throw new CommandError(plan.message, plan.fix);
  writeLauncher(plan);
  return { path: plan.file, onPath: plan.onPath, message: installedMessage(plan) };
}
