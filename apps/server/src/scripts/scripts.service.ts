import {
  BadRequestException,
  ConflictException,
  Inject,
  Injectable,
  NotFoundException,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import type { ScriptFile, ScriptInfo, ScriptRefusal } from '@tradeloop/contracts';
import { createHash } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import { mkdir, readdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { RateLimiter } from '../common/rate-limiter.js';
import { TooManyRequests } from '../common/too-many-requests.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { LogsService } from '../logs/logs.service.js';
import { ScriptFailure, type ScriptError, type ScriptMeta } from '../sandbox/protocol.js';
import { SandboxService } from '../sandbox/sandbox.service.js';
import { isScriptName, scriptNameProblem } from './script-rules.js';
import { ScriptUsers } from './script-users.js';
import { DomainEvents } from '../infra/events/domain-events.js';

/** The last version of a script file that loaded, and the problem with the newest one if it did not. */
export interface ScriptEntry {
  name: string;
  /** Source of the version strategies run; null when no version of the file has loaded yet. */
  source: string | null;
  hash: string | null;
  meta: ScriptMeta | null;
  /** Why the file as it is on disk now does not load (the previous version keeps running). */
  error: ScriptError | null;
  /** Hash of the file on disk, loaded or not. */
  diskHash: string | null;
  updatedAt: number;
  size: number;
}

/** Several saves in a burst (an editor writing a temp file, then renaming) reload once. */
const WATCH_DEBOUNCE_MS = 100;
export const MAX_SCRIPT_BYTES = 256 * 1024;
/** Uploads waiting for the checker at once, over every user: more are refused until it catches up. */
export const MAX_CHECKS_WAITING = 8;

const hashOf = (source: string) => createHash('sha256').update(source).digest('hex');

/**
 * The scripts folder: discovery at start, hot reload when a file changes, and the editor's
 * read/save/delete. A script is checked (transpiled and run to its default export in a throwaway
 * isolate) before strategies get it: a broken save is refused, a broken file on disk is reported
 * and the previous version keeps running.
 */
@Injectable()
export class ScriptsService implements OnModuleInit, OnModuleDestroy {
  readonly dir: string;
  private readonly entries = new Map<string, ScriptEntry>();
  private readonly pending = new Map<string, NodeJS.Timeout>();
  /** Refreshes of one file run one after another. */
  private readonly refreshing = new Map<string, Promise<ScriptEntry | undefined>>();
  private watcher?: FSWatcher;
  /** Uploads per user: each one runs untrusted code in the checker. */
  private readonly uploads: RateLimiter;
  private checksWaiting = 0;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly users: ScriptUsers,
    private readonly events: DomainEvents,
    private readonly sandbox: SandboxService,
    private readonly logs: LogsService,
  ) {
    this.dir = resolve(config.strategies.dir);
    this.uploads = new RateLimiter(config.strategies.uploadsPerMinute, 60_000);
  }

  async onModuleInit(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    for (const name of await this.filesOnDisk()) await this.refresh(name);
    try {
      this.watcher = watch(this.dir, (_event, file) => {
        if (typeof file === 'string' && isScriptName(file)) this.scheduleRefresh(file);
      });
      this.watcher.on('error', (error) => void this.systemLog('warn', `watching ${this.dir} stopped: ${error.message}`));
    } catch (error) {
      await this.systemLog('warn', `cannot watch ${this.dir} for changes: ${(error as Error).message}`);
    }
  }

  onModuleDestroy(): void {
    this.watcher?.close();
    for (const timer of this.pending.values()) clearTimeout(timer);
    this.pending.clear();
  }

  /** The version strategies run, or undefined when there is no such file. */
  current(name: string): ScriptEntry | undefined {
    return this.entries.get(name);
  }

  async list(): Promise<ScriptInfo[]> {
    const names = [...this.entries.keys()].sort();
    const linked = await this.linkedStrategies();
    return names.map((name) => this.view(this.entries.get(name)!, linked.get(name) ?? []));
  }

  async read(name: string): Promise<ScriptFile> {
    this.assertName(name);
    const entry = this.entries.get(name) ?? (await this.refresh(name));
    if (!entry) throw new NotFoundException(`no script named ${name}`);
    const source = await readFile(join(this.dir, name), 'utf8').catch(() => entry.source ?? '');
    const linked = await this.linkedStrategies();
    return { ...this.view(entry, linked.get(name) ?? []), source };
  }

  /**
   * Checks, then writes atomically. A script that does not load is refused (400 with line and
   * column) and nothing is written. `uploader` (a user id) is held to `strategies.uploadsPerMinute`.
   */
  async save(name: string, source: string, uploader: string): Promise<ScriptFile> {
    this.assertName(name);
    if (Buffer.byteLength(source) > MAX_SCRIPT_BYTES) throw new BadRequestException(`source: larger than ${MAX_SCRIPT_BYTES} bytes`);
    const allowed = this.uploads.take(uploader);
    if (!allowed.allowed) {
      throw new TooManyRequests(`too many script uploads; retry after ${allowed.retryAfterSeconds} s`, allowed.retryAfterSeconds);
    }
    if (this.checksWaiting >= MAX_CHECKS_WAITING) throw new TooManyRequests('the script checker is busy; retry in a few seconds', 5);
    this.checksWaiting++;
    try {
      await this.sandbox.check(name, source);
    } catch (error) {
      if (error instanceof ScriptFailure) {
        const { kind, message, line, column } = error.error;
        const refusal: ScriptRefusal = { statusCode: 400, error: 'Bad Request', message: `source: ${message}`, kind, line, column };
        throw new BadRequestException(refusal);
      }
      throw error;
    } finally {
      this.checksWaiting--;
    }
    const path = join(this.dir, name);
    const temp = join(this.dir, `.${name}.${process.pid}.tmp`);
    await writeFile(temp, source, 'utf8');
    await rename(temp, path);
    await this.refresh(name);
    return this.read(name);
  }

  async remove(name: string): Promise<void> {
    this.assertName(name);
    if (!this.entries.has(name)) throw new NotFoundException(`no script named ${name}`);
    const users = (await this.linkedStrategies()).get(name) ?? [];
    if (users.length)
      throw new ConflictException(`${name} is the script of ${users.length} strateg${users.length === 1 ? 'y' : 'ies'}: unlink it first`);
    clearTimeout(this.pending.get(name));
    this.pending.delete(name);
    await unlink(join(this.dir, name)).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
    // A reload that read the file before it went (a save's, the watcher's) would put it back when it ends.
    await this.refreshing.get(name)?.catch(() => undefined);
    this.entries.delete(name);
  }

  /** Reads the file again; a new version that loads replaces the running one and is announced. */
  refresh(name: string): Promise<ScriptEntry | undefined> {
    const previous = this.refreshing.get(name) ?? Promise.resolve(undefined);
    const next = previous.catch(() => undefined).then(() => this.load(name));
    this.refreshing.set(name, next);
    void next.finally(() => {
      if (this.refreshing.get(name) === next) this.refreshing.delete(name);
    });
    return next;
  }

  private async load(name: string): Promise<ScriptEntry | undefined> {
    const path = join(this.dir, name);
    let source: string;
    let info;
    try {
      info = await stat(path);
      if (info.size > MAX_SCRIPT_BYTES) throw new Error(`larger than ${MAX_SCRIPT_BYTES} bytes`);
      source = await readFile(path, 'utf8');
    } catch (error) {
      const entry = this.entries.get(name);
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        // Deleted behind the server's back: strategies keep the version they run until they are relinked or restarted.
        if (entry) await this.systemLog('warn', `${name} was removed from ${this.dir}; strategies using it keep the version they run`);
        return entry;
      }
      await this.systemLog('error', `${name} cannot be read: ${(error as Error).message}`);
      return entry;
    }
    const diskHash = hashOf(source);
    const known = this.entries.get(name);
    if (known?.diskHash === diskHash) return known;
    let entry: ScriptEntry;
    try {
      const meta = await this.sandbox.check(name, source);
      entry = { name, source, hash: diskHash, meta, error: null, diskHash, updatedAt: info.mtimeMs, size: info.size };
      if (known) await this.systemLog('info', `${name} reloaded`);
    } catch (caught) {
      // The sandbox itself may be down (isolated-vm failed to load): the script is reported, the server runs on.
      const error =
        caught instanceof ScriptFailure
          ? caught
          : new ScriptFailure({ kind: 'crash', message: `sandbox unavailable: ${(caught as Error).message}` });
      entry = {
        ...(known ?? { source: null, hash: null, meta: null }),
        name,
        error: error.error,
        diskHash,
        updatedAt: info.mtimeMs,
        size: info.size,
      };
      await this.systemLog(
        'error',
        `${name} does not load${known?.source ? ' (the previous version keeps running)' : ''}: ${error.error.message}`,
      );
    }
    this.entries.set(name, entry);
    if (entry.error === null) this.events.publish('ScriptChanged', { name: entry.name });
    return entry;
  }

  private scheduleRefresh(name: string): void {
    clearTimeout(this.pending.get(name));
    this.pending.set(
      name,
      setTimeout(() => {
        this.pending.delete(name);
        this.refresh(name).catch((error: unknown) => void this.systemLog('error', `reloading ${name} failed: ${(error as Error).message}`));
      }, WATCH_DEBOUNCE_MS),
    );
  }

  private async filesOnDisk(): Promise<string[]> {
    const names = await readdir(this.dir);
    return names.filter(isScriptName).sort();
  }

  private linkedStrategies(): Promise<Map<string, string[]>> {
    return this.users.byScript();
  }

  private view(entry: ScriptEntry, strategyIds: string[]): ScriptInfo {
    return {
      name: entry.name,
      size: entry.size,
      updatedAt: new Date(entry.updatedAt).toISOString(),
      loaded: entry.source !== null,
      error: entry.error
        ? { kind: entry.error.kind, message: entry.error.message, line: entry.error.line, column: entry.error.column }
        : null,
      handlers: entry.meta?.handlers ?? [],
      params: entry.meta?.params ?? {},
      tickers: entry.meta?.tickers ?? [],
      every: entry.meta?.everyMs ?? null,
      strategyIds,
    };
  }

  private assertName(name: string): void {
    const problem = scriptNameProblem(name);
    if (problem) throw new BadRequestException(`name: ${problem}`);
  }

  private systemLog(level: 'info' | 'warn' | 'error', message: string): Promise<void> {
    return this.logs.write({ level, category: 'script', message });
  }
}
