import { app } from 'electron';
import { setLinuxAutostart } from '../login-item/linux-autostart.ts';
import { loginItemPlan } from '../login-item/plan.ts';
import { xdgConfigHome } from '../profile/paths.ts';

/** Registers or removes the login item. Development builds have no stable executable to register. */
export async function applyStartAtLogin(enabled: boolean): Promise<void> {
  if (!app.isPackaged) throw new Error('Start at login works in the packaged app only; in development the Electron binary would be registered.');
  const plan = loginItemPlan({ platform: process.platform, enabled, execPath: process.execPath, appImagePath: process.env.APPIMAGE });
  if (plan.kind === 'electron-login-item') app.setLoginItemSettings(plan.settings);
  else await setLinuxAutostart({ enabled: plan.enabled, configHome: xdgConfigHome(), entry: plan.entry });
}
