import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { renderIcons } from '../../scripts/generate-icons.ts';
import { ROOT, readBuilderConfig } from './builder-config.ts';
import { decodePng, pngSize, type PngImage } from './png.ts';

const config = readBuilderConfig('electron-builder.yml');
const read = (file: string) => fs.readFileSync(path.join(ROOT, file));
const image = (file: string): PngImage => decodePng(read(file), file);

/** Every `icon` value anywhere in the configuration, with where it was found. */
function namedIcons(value: unknown, at = ''): { at: string; file: string }[] {
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, child]) =>
    key === 'icon' && typeof child === 'string' ? [{ at: `${at}${key}`, file: child }] : namedIcons(child, `${at}${key}.`),
  );
}

const TRAY_ICONS = ['trayTemplate', 'trayWorkingTemplate', 'trayErrorTemplate', 'tray-ok', 'tray-working', 'tray-error'];
const TRAY_SIZES = [
  { suffix: '', size: 16 },
  { suffix: '@2x', size: 32 },
];

describe('icons', () => {
  it('names an app icon for each OS, each a 1024 px PNG that exists', () => {
    const icons = namedIcons(config);
    assert.deepEqual(icons.map((icon) => icon.at).sort(), ['linux.icon', 'mac.icon', 'win.icon']);
    for (const { at, file } of icons) {
      assert.ok(fs.existsSync(path.join(ROOT, file)), `${at}: ${file} does not exist`);
      assert.deepEqual(pngSize(read(file), file), { width: 1024, height: 1024 }, `${at}: ${file}`);
    }
  });

  it('has every tray icon at 1× and 2×', () => {
    for (const base of TRAY_ICONS) {
      for (const { suffix, size } of TRAY_SIZES) {
        const file = `resources/${base}${suffix}.png`;
        assert.ok(fs.existsSync(path.join(ROOT, file)), `${file} is missing`);
        assert.deepEqual(pngSize(read(file), file), { width: size, height: size }, file);
      }
    }
  });

  it('draws macOS template icons in black and alpha only, with a visible shape', () => {
    for (const base of TRAY_ICONS.filter((name) => name.endsWith('Template'))) {
      for (const { suffix } of TRAY_SIZES) {
        const file = `resources/${base}${suffix}.png`;
        const { rgba } = image(file);
        const alphas = new Set<number>();
        for (let p = 0; p < rgba.length; p += 4) {
          alphas.add(rgba[p + 3]!);
          if (rgba[p + 3]! > 0) assert.deepEqual([...rgba.subarray(p, p + 3)], [0, 0, 0], `${file}: pixel ${p / 4} is not black`);
        }
        assert.ok(alphas.has(0) && alphas.has(255), `${file} should have both clear and solid pixels`);
      }
    }
  });

  it('tells the coloured tray states apart, in colour', () => {
    for (const { suffix } of TRAY_SIZES) {
      const variants = ['ok', 'working', 'error'].map((status) => image(`resources/tray-${status}${suffix}.png`).rgba);
      for (const [i, a] of variants.entries()) {
        for (const b of variants.slice(i + 1)) assert.ok(!a.equals(b), `tray variants at ${suffix || '1×'} must differ`);
        let colourful = 0;
        for (let p = 0; p < a.length; p += 4) {
          const channels = [a[p]!, a[p + 1]!, a[p + 2]!];
          if (a[p + 3]! > 0 && Math.max(...channels) - Math.min(...channels) > 64) colourful++;
        }
        assert.ok(colourful > a.length / 4 / 4, 'at least a quarter of the pixels of a coloured tray icon are clearly coloured');
      }
    }
  });

  it('ships every tray icon and the app icon as extra resources for the tray and window', () => {
    const [icons] = config.extraResources as { from: string; to: string; filter: string[] }[];
    assert.equal(icons?.from, 'resources');
    const shipped = (name: string) => icons.filter.some((pattern) => path.matchesGlob(name, pattern));
    for (const base of TRAY_ICONS) for (const { suffix } of TRAY_SIZES) assert.ok(shipped(`${base}${suffix}.png`), `${base}${suffix}.png`);
    assert.ok(shipped('icon.png'));
    assert.ok(!shipped('entitlements.mac.plist'));
  });

  it('are what scripts/generate-icons.ts draws (rerun it after changing the design)', () => {
    const rendered = renderIcons();
    const committed = fs.readdirSync(path.join(ROOT, 'resources')).filter((name) => name.endsWith('.png'));
    assert.deepEqual(committed.sort(), rendered.map((icon) => icon.name).sort());
    for (const icon of rendered) {
      const file = `resources/${icon.name}`;
      const { width, rgba } = image(file);
      assert.equal(width, icon.size, file);
      assert.ok(rgba.equals(icon.rgba), `${file} is out of date: run npm run icons`);
    }
  });
});
