/**
 * Runs before every npm script that executes TypeScript directly (Node 24 strips the types; older
 * Node fails with ERR_UNKNOWN_FILE_EXTENSION or a missing test glob that never names the cause).
 * Silent on the right Node, so `npm run -s headless -- --print-config` keeps stdout pure JSON; on
 * any other Node one sentence on stderr and exit 1.
 *
 * Plain CommonJS in old syntax (var, no optional chaining) on purpose: it must run on the very
 * Node versions it rejects. The required major comes from .nvmrc, the file `nvm use` reads, so
 * the two can never disagree.
 */
'use strict';
var fs = require('fs');
var path = require('path');

var nvmrc = path.join(__dirname, '..', '.nvmrc');
var required = fs.readFileSync(nvmrc, 'utf8').trim().replace(/^v/, '').split('.')[0];
var found = process.versions.node;

if (found.split('.')[0] !== required) {
  process.stderr.write(
    'Stigmer Desktop needs Node ' +
      required +
      ' but this is Node ' +
      found +
      ': run `nvm use` (it reads .nvmrc) or install Node ' +
      required +
      ' LTS, then run the command again.\n',
  );
  process.exit(1);
}
