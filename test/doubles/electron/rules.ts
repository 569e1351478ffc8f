/**
 * How the double reports an app that breaks one of Electron's documented rules: a marked line on
 * stderr (the desktop harness fails the test on it, even when the app catches the error) and an
 * error thrown at the call, as close as possible to where Electron itself would fail or misbehave.
 */
export const VIOLATION_MARK = '[electron-double] rule broken:';

export function violation(rule: string): never {
  process.stderr.write(`${VIOLATION_MARK} ${rule}\n`);
  throw new Error(`Electron double: ${rule}`);
}
