import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import type { BacktestRequest, HistoryFileView } from '@tradeloop/contracts';
import { HISTORY_LIMITS, HistoryError } from '@tradeloop/domain';
import { quoteFile } from './quote-recorder.service.js';

/** Files listed at most. */
const MAX_LISTED = 2000;
/** Days of recorded quotes one replay may read. */
const MAX_RECORDED_DAYS = 31;

/** History files under the folder (recursively), newest first. */
export async function listHistory(dir: string): Promise<HistoryFileView[]> {
  const out: HistoryFileView[] = [];
  const walk = async (folder: string, depth: number): Promise<void> => {
    const entries = await readdir(folder, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      if (out.length >= MAX_LISTED) return;
      const path = join(folder, entry.name);
      if (entry.isDirectory() && depth < 3) await walk(path, depth + 1);
      else if (entry.isFile() && /\.(csv|json|txt)$/i.test(entry.name)) {
        const info = await stat(path);
        out.push({ name: relative(dir, path).split(sep).join('/'), bytes: info.size, modifiedAt: info.mtime.toISOString() });
      }
    }
  };
  await walk(dir, 0);
  return out.sort((a, b) => (a.modifiedAt < b.modifiedAt ? 1 : a.modifiedAt > b.modifiedAt ? -1 : a.name.localeCompare(b.name)));
}

/** One file of the history folder by its listed name; never outside the folder. */
export async function readHistoryFile(dir: string, name: string, field: string): Promise<string> {
  if (typeof name !== 'string' || !name || name.length > 300 || name.includes('\0'))
    throw new HistoryError(`files.${field}: a file name is required`);
  const root = resolve(dir);
  const path = resolve(root, name);
  if (!path.startsWith(root + sep))
    throw new HistoryError(`files.${field}: ${JSON.stringify(name.slice(0, 100))} is not in the history folder`);
  const info = await stat(path).catch(() => null);
  if (!info?.isFile()) throw new HistoryError(`files.${field}: no history file ${JSON.stringify(name.slice(0, 100))}`);
  if (info.size > HISTORY_LIMITS.chars)
    throw new HistoryError(`files.${field}: ${name.slice(0, 100)} is larger than ${HISTORY_LIMITS.chars} bytes`);
  return readFile(path, 'utf8');
}

/** The request's `files` read into its text fields. */
export async function withFiles(dir: string, request: BacktestRequest): Promise<BacktestRequest> {
  const out = { ...request };
  for (const field of ['bars', 'ticks', 'trades', 'alerts'] as const) {
    const name = request.files?.[field];
    if (name !== undefined) out[field] = await readHistoryFile(dir, name, field);
  }
  return out;
}

/**
 * The recorded quotes of a ticker over [from, to) as one tick file: the day files that exist, in
 * order, their headers dropped but the first.
 */
export async function recordedTicks(dir: string, ticker: string, from: number, to: number): Promise<string> {
  const days: string[] = [];
  for (let t = Math.floor(from / 86_400_000) * 86_400_000; t < to; t += 86_400_000) {
    days.push(new Date(t).toISOString().slice(0, 10));
    if (days.length > MAX_RECORDED_DAYS) throw new HistoryError(`recording: at most ${MAX_RECORDED_DAYS} days at once`);
  }
  let text = 'time,bid,ask\n';
  for (const day of days) {
    const body = await readFile(quoteFile(dir, ticker, day), 'utf8').catch(() => '');
    const start = body.indexOf('\n');
    if (start >= 0) text += body.slice(start + 1);
    if (text.length > HISTORY_LIMITS.chars) throw new HistoryError(`recording: more than ${HISTORY_LIMITS.chars} bytes of quotes`);
  }
  return text;
}
