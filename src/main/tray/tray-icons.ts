import path from 'node:path';
import type { TrayHealth } from './tray-menu.ts';

/** The tray icon for a health: macOS menu-bar icons are template images (black + alpha, tinted by the OS); elsewhere coloured. */
export function trayIconFile(iconsDir: string, health: TrayHealth, platform: NodeJS.Platform): string {
  if (platform === 'darwin') {
    const name = { ok: 'trayTemplate', working: 'trayWorkingTemplate', error: 'trayErrorTemplate' }[health];
    return path.join(iconsDir, `${name}.png`);
  }
  return path.join(iconsDir, `tray-${health}.png`);
}
