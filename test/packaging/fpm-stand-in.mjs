#!/usr/bin/env node
/**
 * A stand-in for fpm, which electron-builder runs to make the .deb (CUSTOM_FPM_PATH) and would
 * otherwise download from GitHub with a Ruby. Like `fpm -s dir`, it lays every `source=destination`
 * argument out under one root: that tree is what the package installs. It writes the tree to
 * `<--package>.root/` and the options it was given to `<--package>` (as JSON) for the test to open.
 */
import fs from 'node:fs';
import path from 'node:path';

/** fpm's options that take no value; every other option takes the next argument. */
const FLAGS = new Set(['--force', '--debug']);

const options = {};
const mappings = [];
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const arg = argv[i];
  if (arg.startsWith('-')) {
    const value = FLAGS.has(arg) ? true : argv[++i];
    options[arg] = arg in options ? [options[arg], value].flat() : value;
  } else {
    const at = arg.indexOf('=');
    mappings.push({ source: arg.slice(0, at), destination: arg.slice(at + 1) });
  }
}

const packageFile = options['--package'];
const root = `${packageFile}.root`;
for (const { source, destination } of mappings) {
  fs.cpSync(source, path.join(root, destination), { recursive: true, verbatimSymlinks: true });
}
fs.writeFileSync(packageFile, JSON.stringify({ options, mappings }, null, 2));
