/**
 * The app's own Ollama, per user and without root, in `<userData>/ollama/`:
 *   `<version>/…`        one unpacked release each (the old one stays until the new one answers);
 *   `current.json`       which of them is in use, replaced in one rename;
 *   `downloads/*.part`   an interrupted download, resumed by the next attempt;
 *   `update-check.json`  when the releases were last asked, so the check runs at most daily.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { OllamaInstallProgress } from '../../../shared/ollama-install.ts';
import { PullProgressTracker } from '../pull-stream.ts';
import { DownloadError, downloadResumable, describeRequestFailure, fetchText } from './download.ts';
import { CHECKSUM_ASSET, assetUrl, checksumFor, latestUrl, releaseAsset, tagFromLatestRedirect, versionOfTag } from './release.ts';
import { sha256File, unpackRelease } from './unpack.ts';

export const UPDATE_CHECK_INTERVAL_MS = 24 * 60 * 60 * 1000;

export interface OllamaInstallerOptions {
  /** `<userData>/ollama`. */
  dataDir: string;
  /** The releases base URL in force (a mirror, or GitHub's). */
  releasesUrl: () => string;
  platform?: NodeJS.Platform;
  arch?: string;
  now?: () => number;
}

export interface InstalledOllama {
  version: string;
  path: string;
}

/** Writes a file under its final name in one rename, so a reader sees the old or the new one. */
function writeAtomically(file: string, text: string): void {
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, text, { mode: 0o600 });
  fs.renameSync(temp, file);
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
  } catch {
    return undefined;
  }
}

export class OllamaInstaller {
  readonly #options: OllamaInstallerOptions;

  constructor(options: OllamaInstallerOptions) {
    this.#options = options;
  }

  get dataDir(): string {
    return this.#options.dataDir;
  }

  #now(): number {
    return this.#options.now?.() ?? Date.now();
  }

  /** The Ollama this app installed and uses, when there is one that can run. */
  current(): InstalledOllama | undefined {
    const record = readJson(path.join(this.dataDir, 'current.json')) as { version?: unknown; binary?: unknown } | undefined;
    if (typeof record?.version !== 'string' || typeof record.binary !== 'string') return undefined;
    const file = path.join(this.dataDir, record.version, record.binary);
    return fs.existsSync(file) ? { version: record.version, path: file } : undefined;
  }

  /** Makes `version` the one in use. */
  activate(release: InstalledOllama): void {
    fs.mkdirSync(this.dataDir, { recursive: true, mode: 0o700 });
    const binary = path.relative(path.join(this.dataDir, release.version), release.path);
    writeAtomically(path.join(this.dataDir, 'current.json'), JSON.stringify({ version: release.version, binary }));
  }

  /** Removes an unpacked release that is not in use. */
  remove(version: string): void {
    if (this.current()?.version === version) return;
    fs.rmSync(path.join(this.dataDir, version), { recursive: true, force: true });
  }

  /** Asks the releases for the newest tag (GitHub answers `/latest` with a redirect to `/tag/vX`). */
  async latest(signal: AbortSignal): Promise<{ tag: string; version: string }> {
    const url = latestUrl(this.#options.releasesUrl());
    let response: Response;
    try {
      response = await fetch(url, { signal, redirect: 'manual' });
    } catch (error) {
      throw describeRequestFailure(error, url);
    }
    await response.body?.cancel();
    const tag = tagFromLatestRedirect(response.headers.get('location'));
    if (!tag) {
      throw new DownloadError(
        `${url} did not name the latest release (HTTP ${response.status}, expected a redirect to …/tag/vX.Y.Z).`,
        'check the releases mirror (STIGMER_OLLAMA_RELEASES_URL): it must keep GitHub’s layout',
      );
    }
    return { tag, version: versionOfTag(tag) };
  }

  /** The newest version, asked at most daily unless `force`; the answer is remembered with its time. */
  async checkLatest(options: { force: boolean; signal: AbortSignal }): Promise<{ version: string; checkedAt: string }> {
    const file = path.join(this.dataDir, 'update-check.json');
    const cached = readJson(file) as { version?: unknown; checkedAt?: unknown } | undefined;
    if (!options.force && typeof cached?.version === 'string' && typeof cached.checkedAt === 'string') {
      const age = this.#now() - Date.parse(cached.checkedAt);
      if (age >= 0 && age < UPDATE_CHECK_INTERVAL_MS) return { version: cached.version, checkedAt: cached.checkedAt };
    }
    const { version } = await this.latest(options.signal);
    const checkedAt = new Date(this.#now()).toISOString();
    fs.mkdirSync(this.dataDir, { recursive: true, mode: 0o700 });
    writeAtomically(file, JSON.stringify({ version, checkedAt }));
    return { version, checkedAt };
  }

  /**
   * Downloads the newest release (resuming a partial download), checks the SHA-256 its release
   * publishes, and unpacks it beside the one in use. Nothing is unpacked or run before the
   * checksum matches; an archive that does not match is deleted.
   */
  async prepare(options: { signal: AbortSignal; onProgress: (progress: OllamaInstallProgress) => void }): Promise<InstalledOllama> {
    const { signal, onProgress } = options;
    const base = this.#options.releasesUrl();
    const report = (stage: OllamaInstallProgress['stage'], version: string | null, bytes = { completed: 0, total: 0, resumed: 0 }) =>
      onProgress({
        stage,
        version,
        completedBytes: bytes.completed,
        totalBytes: bytes.total,
        percent: bytes.total > 0 ? Math.min(100, (bytes.completed / bytes.total) * 100) : null,
        bytesPerSecond: null,
        etaSeconds: null,
        resumedFromBytes: bytes.resumed,
      });
    report('checking', null);
    const { tag, version } = await this.latest(signal);
    const asset = releaseAsset(this.#options.platform ?? process.platform, this.#options.arch ?? process.arch, version);
    if ('unsupported' in asset) throw new DownloadError(`${asset.unsupported}.`, 'install Ollama by hand from https://ollama.com/download');
    const target = path.join(this.dataDir, version);
    const binary = path.join(target, asset.binary);
    if (fs.existsSync(binary)) return { version, path: binary };

    const sums = await fetchText(assetUrl(base, tag, CHECKSUM_ASSET), signal);
    const expected = checksumFor(sums, asset.name);
    if (!expected) {
      throw new DownloadError(
        `The release ${tag} lists no SHA-256 for ${asset.name} in its ${CHECKSUM_ASSET}.`,
        'nothing was installed; try again later or use another mirror',
      );
    }
    const downloads = path.join(this.dataDir, 'downloads');
    fs.mkdirSync(downloads, { recursive: true, mode: 0o700 });
    const partial = path.join(downloads, `${version}-${asset.name}.part`);
    const tracker = new PullProgressTracker(asset.name);
    let lastReport = 0;
    await downloadResumable({
      url: assetUrl(base, tag, asset.name),
      file: partial,
      signal,
      onProgress: (completed, total, resumed) => {
        const progress = tracker.update({ status: 'downloading', digest: asset.name, total, completed });
        const now = Date.now();
        // A few reports a second are enough for a progress bar; the last one always goes.
        if (now - lastReport < 200 && completed < total) return;
        lastReport = now;
        const { status: _status, model: _model, ...bytes } = progress;
        onProgress({ stage: 'downloading', version, ...bytes, resumedFromBytes: resumed });
      },
    });

    report('verifying', version);
    const actual = await sha256File(partial);
    if (actual !== expected) {
      fs.rmSync(partial, { force: true });
      throw new DownloadError(
        `The download of ${asset.name} does not match the SHA-256 its release publishes (expected ${expected.slice(0, 12)}…, got ${actual.slice(0, 12)}…), so it was deleted and nothing was unpacked or run.`,
        'try again; if it happens again, the mirror or a proxy is altering the file',
      );
    }
    report('unpacking', version);
    fs.rmSync(target, { recursive: true, force: true });
    let unpacked: string;
    try {
      unpacked = await unpackRelease(partial, asset, target, signal);
    } catch (error) {
      if (signal.aborted) throw error;
      throw new DownloadError(
        `${asset.name} could not be unpacked: ${error instanceof Error ? error.message : String(error)}.`,
        'try again; check the free disk space',
      );
    }
    fs.rmSync(partial, { force: true });
    return { version, path: unpacked };
  }
}
