import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ROOT, readBuilderConfig, schemaErrors, withParent, type BuilderConfig } from './builder-config.ts';

const production = readBuilderConfig('electron-builder.yml');
const testVariant = readBuilderConfig('electron-builder.test.yml');
const testBuild = withParent(testVariant, production);

const section = (config: BuilderConfig, key: string) => config[key] as Record<string, unknown>;

describe('electron-builder configuration', () => {
  it('matches electron-builder’s own configuration schema', () => {
    assert.deepEqual(schemaErrors(production), []);
  });

  it('is checked by a schema that rejects misspelt keys and wrongly typed values', () => {
    assert.notDeepEqual(schemaErrors({ ...production, electronFuse: { runAsNode: false } }), []);
    assert.notDeepEqual(schemaErrors({ ...production, electronFuses: { runAsNode: 'false' } }), []);
    assert.notDeepEqual(schemaErrors({ ...production, mac: { ...section(production, 'mac'), hardenedRuntime: 'yes' } }), []);
  });

  it('names the app and its artifacts', () => {
    assert.equal(production.appId, 'dev.stigmer.desktop');
    assert.equal(production.productName, 'Stigmer Desktop');
    assert.equal(production.asar, true);
    assert.match(String(production.artifactName), /\$\{version\}.*\$\{os\}.*\$\{arch\}\.\$\{ext\}$/);
  });

  it('packages the main process, the built-in runner, preload and renderer that electron-vite builds', async () => {
    const patterns = production.files as string[];
    const packaged = (file: string) => patterns.some((pattern) => path.matchesGlob(file, pattern));
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { main: string };
    for (const file of [pkg.main, 'out/main/runner.js', 'out/preload/index.js', 'out/renderer/index.html', 'package.json']) {
      assert.ok(packaged(file), `${file} is not matched by "files" in electron-builder.yml`);
    }
    assert.ok(!packaged('src/main/electron/index.ts'), 'sources must not be packaged');
    // Dependencies' type declarations, TypeScript sources and source maps are never loaded.
    const excluded = patterns.filter((pattern) => pattern.startsWith('!')).map((pattern) => pattern.slice(1));
    for (const file of [
      'node_modules/openai/index.d.ts',
      'node_modules/zod/v4/core/core.ts',
      'node_modules/ws/lib/x.d.mts',
      'node_modules/conf/dist/index.js.map',
    ]) {
      assert.ok(
        excluded.some((pattern) => path.matchesGlob(file, pattern)),
        `${file} is left out`,
      );
    }
    assert.ok(!excluded.some((pattern) => path.matchesGlob('node_modules/openai/index.js', pattern)), 'the code itself is packaged');
    // The runner file exists in out/main only because electron-vite has it as a main-process input.
    const viteConfig = fs.readFileSync(path.join(ROOT, 'electron.vite.config.ts'), 'utf8');
    assert.match(viteConfig, /runner:\s*resolve\([^)]*'src\/builtin-runner\/index\.ts'\)/);
  });

  it('builds dmg and zip for macOS with the hardened runtime, JIT-only entitlements and no Dock icon', () => {
    const mac = section(production, 'mac');
    assert.deepEqual(mac.target, ['dmg', 'zip']);
    assert.equal(mac.hardenedRuntime, true);
    assert.deepEqual(mac.extendInfo, { LSUIElement: true });
    for (const key of ['entitlements', 'entitlementsInherit']) {
      const plist = fs.readFileSync(path.join(ROOT, String(mac[key])), 'utf8');
      const granted = [...plist.matchAll(/<key>([^<]+)<\/key>\s*<true\/>/g)].map((m) => m[1]);
      assert.deepEqual(granted, ['com.apple.security.cs.allow-jit'], `${key} grants exactly what V8 needs`);
    }
  });

  it('builds nsis for Windows and AppImage plus deb for Linux', () => {
    assert.deepEqual(section(production, 'win').target, ['nsis']);
    const linux = section(production, 'linux');
    assert.deepEqual(linux.target, ['AppImage', 'deb']);
    assert.equal(linux.category, 'Development');
    assert.match(String(linux.maintainer), /<[^@\s]+@[^>\s]+>$/, 'the deb needs a maintainer with an e-mail address');
  });

  it('flips the fuses for production', () => {
    assert.deepEqual(production.electronFuses, {
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      onlyLoadAppFromAsar: true,
      enableEmbeddedAsarIntegrityValidation: true,
      enableCookieEncryption: true,
    });
  });
});

describe('electron-builder test-build configuration', () => {
  it('extends the production configuration and matches the schema, alone and merged', () => {
    assert.equal(testVariant.extends, 'electron-builder.yml');
    assert.deepEqual(schemaErrors(testVariant), []);
    assert.deepEqual(schemaErrors(testBuild), []);
  });

  it('differs from production only in the inspector fuse, and writes to its own folder', () => {
    assert.deepEqual(testBuild.electronFuses, { ...production.electronFuses, enableNodeCliInspectArguments: true });
    const { electronFuses: _testFuses, directories: testDirectories, ...testRest } = testBuild;
    const { electronFuses: _fuses, directories, ...productionRest } = production;
    assert.deepEqual(testRest, productionRest);
    assert.notEqual((testDirectories as { output: string }).output, (directories as { output: string }).output);
  });
});
