/**
 * `npm run lint:security`: electronegativity over `src`, offline, failing on any finding that
 * README.md's Security table does not explain. A row names the check and the file it is reviewed
 * for, so the same check in a new place fails until someone reviews it too.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');
const CLI = path.join(ROOT, 'node_modules/@doyensec/electronegativity/dist/index.js');
/** Needs the internet (Electron's release list) and crashes without it. */
const EXCLUDED_CHECKS = ['AvailableSecurityFixesGlobalCheck'];

interface Finding {
  check: string;
  file: string;
  line: number;
}

/** `| \`CHECK\` (severity) | \`path\` | why |` rows of the README's Security section. */
function reviewedFindings(readme: string): Set<string> {
  const section = /^## Security\n([\s\S]*?)(?=^## )/m.exec(readme)?.[1] ?? '';
  const reviewed = new Set<string>();
  for (const match of section.matchAll(/^\| `([A-Z_]+)`[^|]*\| `([^`]+)` \|/gm)) reviewed.add(`${match[1]} ${match[2]}`);
  return reviewed;
}

function scan(): Finding[] {
  const electron = (JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules/electron/package.json'), 'utf8')) as { version: string }).version;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stigmer-electronegativity-'));
  try {
    const output = path.join(dir, 'findings.sarif');
    const args = [
      '--import',
      path.join(ROOT, 'scripts/electronegativity-offline.ts'),
      CLI,
      '-i',
      path.join(ROOT, 'src'),
      '-e',
      electron,
      '-x',
      EXCLUDED_CHECKS.join(','),
      '-o',
      output,
    ];
    const run = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8' });
    if (run.status !== 0 || !fs.existsSync(output)) {
      throw new Error(`electronegativity failed (exit ${run.status}):\n${run.stdout}${run.stderr}`);
    }
    const sarif = JSON.parse(fs.readFileSync(output, 'utf8')) as {
      runs: { results: { ruleId: string; locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[] }[] }[];
    };
    return sarif.runs.flatMap((run) =>
      run.results.map((result) => {
        const where = result.locations[0]!.physicalLocation;
        return { check: result.ruleId, file: path.relative(ROOT, where.artifactLocation.uri), line: where.region.startLine };
      }),
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function main(): number {
  const reviewed = reviewedFindings(fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8'));
  const findings = scan();
  const unexplained = findings.filter((finding) => !reviewed.has(`${finding.check} ${finding.file}`));
  const stale = [...reviewed].filter((row) => !findings.some((finding) => `${finding.check} ${finding.file}` === row));
  for (const row of stale)
    console.warn(`lint:security: README.md explains ${row.replace(' ', ' in ')}, which electronegativity no longer reports; remove the row.`);
  if (unexplained.length === 0) {
    console.log(`lint:security: ${findings.length} findings, each explained in README.md's Security table.`);
    return 0;
  }
  for (const { check, file, line } of unexplained) console.error(`lint:security: ${check} at ${file}:${line} is not explained.`);
  console.error("Fix each one, or, once reviewed, add a row `| `CHECK` (severity) | `file` | why it stays |` to README.md's Security table.");
  return 1;
}

process.exitCode = main();
