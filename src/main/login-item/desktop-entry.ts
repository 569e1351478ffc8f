/**
 * The XDG autostart entry that starts Stigmer Desktop at login on Linux, written to the
 * Desktop Entry Specification (https://specifications.freedesktop.org/desktop-entry-spec/latest/).
 */
import path from 'node:path';

export interface AutostartEntryOptions {
  /**
   * Absolute path of the program to start. For an AppImage this must be the `.AppImage` file
   * (`$APPIMAGE`), not `process.execPath`, which points into a mount that changes every run.
   */
  execPath: string;
  /** Arguments after the program, e.g. the flag that tells the app it was started at login. */
  args: readonly string[];
  /** Shown in the desktop's "Startup Applications" list. */
  name: string;
  comment: string;
  /** An icon theme name (the deb installs one under the executable's name) or an absolute path. */
  icon: string;
}

/** Characters that force an Exec argument into double quotes (spec: "The Exec key"). */
const RESERVED = /[ \t\n"'\\><~|&;$*?#()`]/;
/** Control characters cannot be written in a desktop-entry value without changing its meaning. */
const CONTROL = /\p{Cc}/u;

function checkValue(field: string, value: string): void {
  if (value.length === 0) throw new Error(`Autostart entry: ${field} is empty; give it a non-empty value.`);
  if (CONTROL.test(value)) {
    throw new Error(`Autostart entry: ${field} ${JSON.stringify(value)} contains a control character; remove it.`);
  }
}

/** Escapes a value of type string: a literal backslash is written as two. */
const escapeString = (value: string) => value.replaceAll('\\', '\\\\');

/**
 * Quotes one Exec argument: reserved characters need double quotes, inside which `"`, `` ` ``,
 * `$` and `\` take a backslash; `%` is doubled so it is not read as a field code. The string
 * escaping of the whole value comes on top (so a literal backslash ends up as four).
 */
export function quoteExecArgument(argument: string): string {
  const quoted = argument === '' || RESERVED.test(argument) ? `"${argument.replace(/["`$\\]/g, '\\$&')}"` : argument;
  return quoted.replaceAll('%', '%%');
}

/** The `.desktop` file text; throws an error naming the field when a value cannot be written. */
export function linuxAutostartEntry(options: AutostartEntryOptions): string {
  const { execPath, args, name, comment, icon } = options;
  if (!path.posix.isAbsolute(execPath)) {
    throw new Error(`Autostart entry: execPath ${JSON.stringify(execPath)} is not an absolute path; pass the full path of the app.`);
  }
  checkValue('execPath', execPath);
  args.forEach((argument, i) => {
    if (CONTROL.test(argument)) checkValue(`args[${i}]`, argument);
  });
  for (const [field, value] of Object.entries({ name, comment, icon })) checkValue(field, value);

  const exec = [execPath, ...args].map(quoteExecArgument).join(' ');
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Version=1.5',
    `Name=${escapeString(name)}`,
    `Comment=${escapeString(comment)}`,
    `Exec=${escapeString(exec)}`,
    `Icon=${escapeString(icon)}`,
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    'Hidden=false',
    'NoDisplay=false',
    '',
  ].join('\n');
}
