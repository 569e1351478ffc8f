import { Menu, Tray, nativeImage, type MenuItemConstructorOptions } from 'electron';
import type { AppState } from '../../shared/state-schema.ts';
import { trayIconFile } from '../tray/tray-icons.ts';
import { trayView, type TrayAction, type TrayHealth, type TrayMenuItem } from '../tray/tray-menu.ts';

export interface AppTrayOptions {
  iconsDir: string;
  onAction: (action: TrayAction) => void;
}

function toElectronMenu(items: TrayMenuItem[], onAction: (action: TrayAction) => void): MenuItemConstructorOptions[] {
  return items.map(({ action, submenu, ...item }) => ({
    ...item,
    ...(submenu ? { submenu: toElectronMenu(submenu, onAction) } : {}),
    ...(action ? { click: () => onAction(action) } : {}),
  }));
}

/** The tray icon, kept referenced for the app's lifetime so it is not garbage-collected. */
export class AppTray {
  readonly #tray: Tray;
  readonly #options: AppTrayOptions;
  #health: TrayHealth | undefined;

  constructor(options: AppTrayOptions) {
    this.#options = options;
    this.#tray = new Tray(nativeImage.createFromPath(trayIconFile(options.iconsDir, 'working', process.platform)));
  }

  update(state: AppState): void {
    const view = trayView(state, { startAtLogin: state.startAtLogin });
    if (view.health !== this.#health) {
      this.#health = view.health;
      const image = nativeImage.createFromPath(trayIconFile(this.#options.iconsDir, view.health, process.platform));
      if (process.platform === 'darwin') image.setTemplateImage(true);
      this.#tray.setImage(image);
    }
    this.#tray.setToolTip(view.tooltip);
    this.#tray.setContextMenu(Menu.buildFromTemplate(toElectronMenu(view.menu, this.#options.onAction)));
  }

  destroy(): void {
    this.#tray.destroy();
  }
}
