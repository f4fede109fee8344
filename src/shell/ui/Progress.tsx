/** The load's progress: a bar, bytes and packets per second, and the time left. */
import { Box, Text } from 'ink';
import type { LoadProgressView } from '../controller.ts';
import { escapeText } from '../../output/escape.ts';

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024, u = 0;
  while (v >= 1024 && u < units.length - 1) { v /= 1024; u++; }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[u]}`;
}

export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}` : `${m}:${String(sec).padStart(2, '0')}`;
}

/** the status words after the bar: "1.2 MiB of 10 MiB, 3.4 MiB/s, 5000 packets/s, 0:03 left" */
export function progressText(p: LoadProgressView): string {
  const seconds = Math.max(0.001, (p.now - p.startedAt) / 1000);
  const byteRate = p.bytesRead / seconds;
  const packetRate = p.packets / seconds;
  const parts = [`${formatBytes(p.bytesRead)} of ${formatBytes(p.totalBytes)}`, `${p.packets} packets`];
  if (p.bytesRead > 0) {
    parts.push(`${formatBytes(byteRate)}/s`, `${Math.round(packetRate)} packets/s`);
    if (p.totalBytes > p.bytesRead) parts.push(`${formatDuration((p.totalBytes - p.bytesRead) / byteRate)} left`);
  }
  return parts.join(', ');
}

/** the file is read; flows, tables and the analyzers' work follow before the prompt */
export function readingDone(p: LoadProgressView): boolean {
  return p.totalBytes > 0 && p.bytesRead >= p.totalBytes;
}

/** after the bytes: what was read and what happens now */
export function finishingText(p: LoadProgressView): string {
  return `${formatBytes(p.bytesRead)}, ${p.packets} packets read in ${formatDuration((p.now - p.startedAt) / 1000)}; building flows and tables…`;
}

export function Progress({ progress, columns, color }: { progress: LoadProgressView; columns: number; color: boolean }) {
  const fraction = progress.totalBytes > 0 ? Math.min(1, progress.bytesRead / progress.totalBytes) : 0;
  const barWidth = Math.max(10, Math.min(40, columns - 10));
  const filled = Math.round(fraction * barWidth);
  return (
    <Box flexDirection="column">
      <Text wrap="truncate">Loading {escapeText(progress.file)} (Ctrl-C cancels)</Text>
      <Text wrap="truncate">
        <Text color={color ? 'cyan' : undefined}>{'█'.repeat(filled)}</Text>{'░'.repeat(barWidth - filled)} {String(Math.floor(fraction * 100)).padStart(3)}%
      </Text>
      <Text wrap="truncate">{readingDone(progress) ? finishingText(progress) : progressText(progress)}</Text>
    </Box>
  );
}
