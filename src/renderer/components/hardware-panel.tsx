import type { Hardware } from '../../shared/hardware.ts';
import { formatBytes } from '../format.ts';
import { Problem, Row } from './ui.tsx';

/** This machine's memory and GPUs as the fit verdicts count them, each number with where it came from. */
export function HardwarePanel({ hardware }: { hardware: Hardware }) {
  return (
    <>
      <dl class="rows rows--compact hardware">
        <Row label="Memory">
          {formatBytes(hardware.memory.totalBytes)} <span class="muted">— {hardware.memory.source}</span>
        </Row>
        {hardware.gpus.length === 0 ? (
          <Row label="GPU">None found: models run on the CPU only, and slowly.</Row>
        ) : (
          hardware.gpus.map((gpu, index) => (
            <Row key={`${gpu.name}-${index}`} label={hardware.gpus.length > 1 ? `GPU ${index + 1}` : 'GPU'}>
              {gpu.name}: {formatBytes(gpu.totalBytes)}
              {hardware.unified ? ' for Metal' : ' VRAM'}
              {gpu.usedBytes !== null ? `, ${formatBytes(gpu.usedBytes)} in use` : ''} <span class="muted">— {gpu.source}</span>
            </Row>
          ))
        )}
        <Row label="GPU budget">
          {hardware.gpuBudget.bytes > 0 ? formatBytes(hardware.gpuBudget.bytes) : 'None'} <span class="muted">— {hardware.gpuBudget.rule}</span>
        </Row>
      </dl>
      {hardware.problems.map((problem) => (
        <Problem key={problem} tone="warning" message={problem} fix="Check the GPU driver; until then models are judged without that GPU." />
      ))}
      {hardware.notes.map((note) => (
        <Problem key={note} tone="info" message={note} />
      ))}
    </>
  );
}
