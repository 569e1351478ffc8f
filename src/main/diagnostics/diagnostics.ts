/**
 * The core's diagnostics service: the two one-shot reports every host gives, `--print-config`
 * (`stigmer config`) and `--doctor` (`stigmer doctor`). A host opens the profile read-only and
 * prints what this returns; it never reaches into the configuration, Ollama or runner modules
 * itself, so both hosts report the same thing.
 */
import { formatDoctorText, runDoctor, type DiagnosticsInputs } from './doctor.ts';
import { resolveWithOllama } from './ollama-facts.ts';
import { formatPrintConfig } from './print-config.ts';

export type { DiagnosticsInputs } from './doctor.ts';

/** A report to print on stdout, and the exit code it calls for. */
export interface DiagnosticsReport {
  text: string;
  exitCode: number;
}

/** Exit codes of the reports, as the README documents them for the headless host. */
export const DIAGNOSTICS_EXIT = { ok: 0, doctorFoundError: 1, invalidConfig: 2 } as const;

/** The resolved configuration as JSON, every value with its source; exit 2 when it is invalid. */
export async function configReport(inputs: DiagnosticsInputs): Promise<DiagnosticsReport> {
  const { config } = await resolveWithOllama({ flags: inputs.commandLine.config, env: inputs.env, settings: inputs.settings, secrets: inputs.secrets });
  return { text: `${formatPrintConfig(config, inputs.secrets)}\n`, exitCode: config.errors.length > 0 ? DIAGNOSTICS_EXIT.invalidConfig : DIAGNOSTICS_EXIT.ok };
}

/** The doctor's findings, readable or as JSON; exit 1 when a check is an error. */
export async function doctorReport(inputs: DiagnosticsInputs, json: boolean): Promise<DiagnosticsReport> {
  const report = await runDoctor(inputs);
  return {
    text: `${json ? JSON.stringify(report) : formatDoctorText(report)}\n`,
    exitCode: report.ok ? DIAGNOSTICS_EXIT.ok : DIAGNOSTICS_EXIT.doctorFoundError,
  };
}
