import { z } from 'zod';

/**
 * What the Models screen and the alias resolver know about Ollama models that are not installed
 * yet, and the rule for a pullable name (the fit verdicts are in `fit.ts`). Shared, because the
 * renderer refuses a bad name as the user types and main refuses it again.
 */

/** `name[:tag]`, optionally `namespace/name[:tag]`, as the Ollama registry accepts them. */
export const OLLAMA_MODEL_NAME = /^[a-z0-9][a-z0-9._/-]*(:[a-z0-9][a-z0-9._-]*)?$/i;

export const OLLAMA_NAME_RULE =
  'A model name is name[:tag]: letters, digits, ".", "-", "_" (and "/" for a namespace), starting with a letter or digit, e.g. llama3.2 or mistral:7b.';

/** Why a name cannot be pulled, or null when it can. */
export function ollamaNameProblem(name: string): string | null {
  const trimmed = name.trim();
  if (trimmed === '') return `Type a model name. ${OLLAMA_NAME_RULE}`;
  if (trimmed.length > 256) return `"${trimmed.slice(0, 40)}…" is longer than 256 characters. ${OLLAMA_NAME_RULE}`;
  return OLLAMA_MODEL_NAME.test(trimmed) ? null : `"${trimmed}" is not a valid model name. ${OLLAMA_NAME_RULE}`;
}

/** `llama3.2` and `llama3.2:latest` name the same Ollama model. */
export function canonicalOllamaModel(name: string): string {
  const trimmed = name.trim();
  const lastSegment = trimmed.slice(trimmed.lastIndexOf('/') + 1);
  return lastSegment.includes(':') ? trimmed : `${trimmed}:latest`;
}

export const isOllamaModelInstalled = (model: string, installed: readonly string[]): boolean =>
  installed.some((name) => canonicalOllamaModel(name) === canonicalOllamaModel(model));

export const MODEL_ALIASES = ['fast', 'balanced', 'powerful'] as const;
// Pure, so a bundle that never uses it (the built-in runner) leaves zod out.
export const ModelAliasSchema = /* @__PURE__ */ z.enum(MODEL_ALIASES);
export type ModelAlias = z.infer<typeof ModelAliasSchema>;

export const isModelAlias = (value: string): value is ModelAlias => (MODEL_ALIASES as readonly string[]).includes(value.trim().toLowerCase());

/** A model the app suggests pulling, with what it is good at. */
export interface SuggestedOllamaModel {
  name: string;
  /** The download (and on-disk) size from the Ollama library page. */
  downloadBytes: number;
  parameterSize: string;
  goodAt: string;
  /** Suggested for general chat and agents (the recommendation is picked among these). */
  general: boolean;
}

/** From ollama.com/library (Q4_K_M builds), most capable last. */
export const SUGGESTED_OLLAMA_MODELS: readonly SuggestedOllamaModel[] = [
  { name: 'llama3.2:1b', downloadBytes: 1_300_000_000, parameterSize: '1.2B', goodAt: 'Fastest; short answers and simple tasks on any machine', general: true },
  { name: 'llama3.2', downloadBytes: 2_000_000_000, parameterSize: '3.2B', goodAt: 'Everyday chat and tool use; quick on laptops', general: true },
  { name: 'gemma3:4b', downloadBytes: 3_300_000_000, parameterSize: '4.3B', goodAt: 'General chat, summaries and images', general: true },
  { name: 'mistral', downloadBytes: 4_100_000_000, parameterSize: '7.2B', goodAt: 'Solid all-rounder for writing and reasoning', general: true },
  { name: 'qwen2.5-coder:7b', downloadBytes: 4_700_000_000, parameterSize: '7.6B', goodAt: 'Writing and explaining code', general: false },
  { name: 'qwen2.5:7b', downloadBytes: 4_700_000_000, parameterSize: '7.6B', goodAt: 'Reasoning, structured output and many languages', general: true },
  { name: 'gemma3:12b', downloadBytes: 8_100_000_000, parameterSize: '12B', goodAt: 'Stronger reasoning and longer documents', general: true },
];

/** 2.04e9 → "2.0 GB": decimal units, as Ollama's library states download sizes. */
export const formatGigabytes = (bytes: number): string => `${(bytes / 1e9).toFixed(1)} GB`;
