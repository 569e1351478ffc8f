/**
 * What a test chooses about the machine the double pretends to be, from the environment (the app
 * runs in a child process): the keyring backend, whether windows get a real Chromium page, and
 * whether the app is packaged (with its resources folder).
 */
export type KeyringBackend = 'basic_text' | 'gnome_libsecret' | 'kwallet' | 'kwallet5' | 'kwallet6' | 'none';

export const DOUBLE_ENV = {
  /** `gnome_libsecret` (default), `kwallet`, …, `basic_text`, or `none` (encryption unavailable). */
  keyring: 'ELECTRON_DOUBLE_KEYRING',
  /** Where the pretend OS keyring keeps its master key (outside the profile, as a real keyring does). */
  keyringDir: 'ELECTRON_DOUBLE_KEYRING_DIR',
  /** `0`: windows have no page (unit tests of main-side logic). */
  browser: 'ELECTRON_DOUBLE_BROWSER',
  /** Set to a resources folder: `app.isPackaged` is true and `process.resourcesPath` is that folder. */
  packagedResources: 'ELECTRON_DOUBLE_PACKAGED_RESOURCES',
  /** Where the windows' Chromium gets its fresh profile (a test's temp folder, removed with it); default the OS temp folder. */
  tempDir: 'ELECTRON_DOUBLE_TMPDIR',
  /** What `app.getPath('exe')` names (default this Node): a script that starts the double, for an app that launches itself. */
  exe: 'ELECTRON_DOUBLE_EXE',
} as const;

export const doubleOptions = {
  get keyring(): KeyringBackend {
    return (process.env[DOUBLE_ENV.keyring] as KeyringBackend | undefined) ?? 'gnome_libsecret';
  },
  get keyringDir(): string | undefined {
    return process.env[DOUBLE_ENV.keyringDir];
  },
  get browser(): boolean {
    return process.env[DOUBLE_ENV.browser] !== '0';
  },
  get tempDir(): string | undefined {
    return process.env[DOUBLE_ENV.tempDir];
  },
  get packagedResources(): string | undefined {
    return process.env[DOUBLE_ENV.packagedResources];
  },
  get exe(): string | undefined {
    return process.env[DOUBLE_ENV.exe];
  },
};
