/**
 * Ollama's GitHub releases, as facts: which asset this OS and architecture takes, where it and the
 * release's `sha256sum.txt` are, and which version is newer. Pure; the download lives elsewhere.
 */

/** Ollama's releases; a mirror with the same layout can stand in (setting or env var). */
export const DEFAULT_OLLAMA_RELEASES_URL = 'https://github.com/ollama/ollama/releases';
export const OLLAMA_RELEASES_ENV = 'STIGMER_OLLAMA_RELEASES_URL';
/** The checksum file every release since 2024 carries (`sha256sum` output). */
export const CHECKSUM_ASSET = 'sha256sum.txt';

/** Linux archives are zstd-compressed tars from v0.14.0 on; gzip before. */
const LINUX_ZSTD_SINCE = '0.14.0';

export interface ReleaseAsset {
  name: string;
  /** How the archive is unpacked. */
  format: 'tgz' | 'tar.zst' | 'zip';
  /** Where the `ollama` executable sits inside it, relative. */
  binary: string;
}

/** The base URL in force: the env var wins over the saved setting, both over GitHub. */
export function releasesBaseUrl(env: Readonly<Record<string, string | undefined>>, setting: string | undefined): string {
  const chosen = env[OLLAMA_RELEASES_ENV]?.trim() || setting?.trim() || DEFAULT_OLLAMA_RELEASES_URL;
  return chosen.replace(/\/+$/, '');
}

/** The official asset for this machine, or a sentence saying there is none. */
export function releaseAsset(platform: NodeJS.Platform, arch: string, version: string): ReleaseAsset | { unsupported: string } {
  const cpu = ({ x64: 'amd64', arm64: 'arm64' } as Record<string, string>)[arch];
  if (platform === 'darwin') return { name: 'ollama-darwin.tgz', format: 'tgz', binary: 'ollama' };
  if (cpu && platform === 'linux') {
    const zstd = compareVersions(version, LINUX_ZSTD_SINCE) >= 0;
    return { name: `ollama-linux-${cpu}.${zstd ? 'tar.zst' : 'tgz'}`, format: zstd ? 'tar.zst' : 'tgz', binary: 'bin/ollama' };
  }
  if (cpu && platform === 'win32') return { name: `ollama-windows-${cpu}.zip`, format: 'zip', binary: 'ollama.exe' };
  return { unsupported: `Ollama publishes no build for ${platform} on ${arch}` };
}

export const latestUrl = (base: string): string => `${base}/latest`;
export const assetUrl = (base: string, tag: string, asset: string): string => `${base}/download/${encodeURIComponent(tag)}/${encodeURIComponent(asset)}`;

/** The tag a `/releases/latest` redirect points at (`…/releases/tag/v0.14.2`). */
export function tagFromLatestRedirect(location: string | null): string | undefined {
  const match = location ? /\/tag\/([^/?#]+)\/?(?:[?#].*)?$/.exec(location) : null;
  return match?.[1] ? decodeURIComponent(match[1]) : undefined;
}

export const versionOfTag = (tag: string): string => tag.replace(/^v/i, '');

/** The SHA-256 `sha256sum.txt` gives for this asset (lines `HEX  ./name` or `HEX *name`). */
export function checksumFor(text: string, asset: string): string | undefined {
  for (const line of text.split(/\r?\n/)) {
    const match = /^([0-9a-f]{64})\s+\*?(?:\.\/)?(\S+)\s*$/i.exec(line.trim());
    if (match?.[2] === asset) return match[1]?.toLowerCase();
  }
  return undefined;
}

/** Numeric comparison of dotted versions (`0.14.10` > `0.14.9`); a pre-release suffix sorts before its release. */
export function compareVersions(a: string, b: string): number {
  const parse = (value: string) => {
    const [core = '', pre] = versionOfTag(value).split('-', 2);
    return { parts: core.split('.').map((part) => Number.parseInt(part, 10) || 0), pre };
  };
  const left = parse(a);
  const right = parse(b);
  for (let index = 0; index < Math.max(left.parts.length, right.parts.length); index += 1) {
    const difference = (left.parts[index] ?? 0) - (right.parts[index] ?? 0);
    if (difference !== 0) return Math.sign(difference);
  }
  if (left.pre === right.pre) return 0;
  if (left.pre === undefined) return 1;
  if (right.pre === undefined) return -1;
  return left.pre < right.pre ? -1 : 1;
}
