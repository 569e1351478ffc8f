/** `Tray`, `Menu` and `nativeImage`: what the tray shows, kept for the harness to read and click. */
import fs from 'node:fs';
import { moment, requireReady, type Moment } from './lifecycle.ts';

export class NativeImage {
  readonly path: string;
  template = false;

  constructor(file: string) {
    this.path = file;
  }

  /** Docs (nativeImage.createFromPath): a file that cannot be read gives an empty image, not an error. */
  isEmpty(): boolean {
    return this.path === '' || !fs.existsSync(this.path);
  }

  setTemplateImage(template: boolean): void {
    this.template = template;
  }
}

export const nativeImage = {
  createFromPath: (file: string) => new NativeImage(file),
  createEmpty: () => new NativeImage(''),
};

export interface MenuItemOptions {
  type?: 'normal' | 'separator' | 'submenu' | 'checkbox' | 'radio';
  label?: string;
  enabled?: boolean;
  visible?: boolean;
  checked?: boolean;
  toolTip?: string;
  sublabel?: string;
  submenu?: MenuItemOptions[] | Menu;
  click?: (item: MenuItem, window: unknown, event: unknown) => void;
}

export class MenuItem {
  readonly type: string;
  readonly label: string;
  readonly enabled: boolean;
  readonly visible: boolean;
  checked: boolean;
  readonly sublabel: string;
  readonly toolTip: string;
  readonly submenu: Menu | undefined;
  readonly click: MenuItemOptions['click'];

  constructor(options: MenuItemOptions) {
    this.submenu = options.submenu instanceof Menu ? options.submenu : options.submenu ? Menu.buildFromTemplate(options.submenu) : undefined;
    this.type = options.type ?? (this.submenu ? 'submenu' : 'normal');
    this.label = options.label ?? '';
    this.enabled = options.enabled ?? true;
    this.visible = options.visible ?? true;
    this.checked = options.checked ?? false;
    this.sublabel = options.sublabel ?? '';
    this.toolTip = options.toolTip ?? '';
    this.click = options.click;
  }
}

export class Menu {
  readonly items: MenuItem[];

  constructor(items: MenuItem[] = []) {
    this.items = items;
  }

  static buildFromTemplate(template: Array<MenuItemOptions | MenuItem>): Menu {
    return new Menu(template.map((item) => (item instanceof MenuItem ? item : new MenuItem(item))));
  }

  static setApplicationMenu(): void {}
}

/** A menu as the harness sees it. */
export interface MenuSnapshot {
  type: string;
  label: string;
  enabled: boolean;
  checked: boolean;
  sublabel: string;
  toolTip: string;
  submenu?: MenuSnapshot[];
}

export const snapshot = (menu: Menu | undefined): MenuSnapshot[] =>
  (menu?.items ?? [])
    .filter((item) => item.visible)
    .map((item) => ({
      type: item.type,
      label: item.label,
      enabled: item.enabled,
      checked: item.checked,
      sublabel: item.sublabel,
      toolTip: item.toolTip,
      ...(item.submenu ? { submenu: snapshot(item.submenu) } : {}),
    }));

export const trays = new Set<Tray>();

export class Tray {
  image: NativeImage;
  toolTip = '';
  contextMenu: Menu | undefined;
  /** When the tray first had a menu to show: what a launch is timed to (a harness polls, so it cannot tell). */
  menuSetAt: Moment | undefined;
  #destroyed = false;

  constructor(image: NativeImage | string) {
    requireReady('Tray');
    this.image = typeof image === 'string' ? new NativeImage(image) : image;
    trays.add(this);
  }

  setImage(image: NativeImage | string): void {
    this.image = typeof image === 'string' ? new NativeImage(image) : image;
  }

  setToolTip(text: string): void {
    this.toolTip = text;
  }

  setContextMenu(menu: Menu | null): void {
    this.contextMenu = menu ?? undefined;
    if (menu && menu.items.length > 0) this.menuSetAt ??= moment();
  }

  destroy(): void {
    this.#destroyed = true;
    trays.delete(this);
  }

  isDestroyed(): boolean {
    return this.#destroyed;
  }

  /** The user picks an item by its labels (submenu path); a disabled item cannot be clicked. */
  click(labels: string[]): void {
    let menu = this.contextMenu;
    let item: MenuItem | undefined;
    for (const label of labels) {
      item = menu?.items.find((candidate) => candidate.label === label && candidate.visible);
      if (!item) throw new Error(`no tray item ${JSON.stringify(labels)}: ${JSON.stringify(snapshot(this.contextMenu).map((i) => i.label))}`);
      if (!item.enabled) throw new Error(`the tray item ${JSON.stringify(label)} is disabled`);
      menu = item.submenu;
    }
    // Electron flips a checkbox, and checks a radio item, before calling click (docs: MenuItem `checked`).
    if (item!.type === 'checkbox') item!.checked = !item!.checked;
    if (item!.type === 'radio') item!.checked = true;
    item!.click?.(item!, null, {});
  }
}
