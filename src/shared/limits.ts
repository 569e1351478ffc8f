import { z } from 'zod';

/** Upper bounds for every string a renderer may send, so oversized payloads are rejected early. */
export const LIMITS = {
  prompt: 32 * 1024,
  systemPrompt: 8 * 1024,
  apiKey: 512,
  model: 256,
  path: 4096,
  command: 8192,
  keepAlive: 32,
  logFilterText: 1024,
  logRecentEntries: 100_000,
  logFileLines: 20_000,
  logSearchMatches: 1_000,
  logSearchCursor: 1024,
  taskId: 200,
  baseUrl: 2048,
} as const;

/** Bounded, trimmed text that must not be empty. */
export const text = (max: number) => z.string().trim().min(1).max(max);
