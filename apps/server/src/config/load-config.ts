import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { configSchema, type AppConfig } from './config.schema.js';

/** Environment variables that override a config path, e.g. `PORT` → server.port. */
const ENV_OVERRIDES: Record<string, string[]> = {
  ROLE: ['role'],
  HOST: ['server', 'host'],
  PORT: ['server', 'port'],
  PUBLIC_URL: ['server', 'publicUrl'],
  TRUST_PROXY: ['server', 'trustProxy'],
  SHUTDOWN_SECONDS: ['server', 'shutdownSeconds'],
  ADMIN_USER: ['auth', 'adminUser'],
  ADMIN_PASSWORD: ['auth', 'adminPassword'],
  SESSION_HOURS: ['auth', 'sessionHours'],
  TRADELOOP_SECRET_KEY: ['secrets', 'key'],
  DATA_DIR: ['dataDir'],
  DATABASE_URL: ['database', 'url'],
  REDIS_URL: ['redis', 'url'],
  QUEUE_PARTITIONS: ['queue', 'partitions'],
  PLUGINS_DIR: ['plugins', 'dir'],
  STRATEGIES_DIR: ['strategies', 'dir'],
  TRADING_TIMEZONE: ['pnl', 'timeZone'],
  TRADING_DAY_START: ['pnl', 'dayStart'],
  PNL_RECORDER: ['pnl', 'recorder'],
  ADMIN_DIR: ['admin', 'dir'],
  LOG_LEVEL: ['log', 'level'],
};

export class ConfigError extends Error {}

type Tree = Record<string, unknown>;

const isTree = (value: unknown): value is Tree => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Deep merge of configuration trees: mappings merge key by key, anything else is replaced. */
export function merge(base: Tree, override: Tree): Tree {
  const out: Tree = { ...base };
  for (const [key, value] of Object.entries(override)) {
    out[key] = isTree(value) && isTree(out[key]) ? merge(out[key] as Tree, value) : value;
  }
  return out;
}

function readYaml(file: string): Tree {
  let parsed: unknown;
  try {
    parsed = parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(`${file}: ${(error as Error).message}`);
  }
  if (parsed == null) return {};
  if (!isTree(parsed)) throw new ConfigError(`${file}: the top level must be a mapping`);
  return parsed;
}

export interface LoadConfigOptions {
  configDir?: string;
  env?: NodeJS.ProcessEnv;
  /** Applied last; tests use it to point at their own database and port. */
  overrides?: Tree;
}

/**
 * default.yaml, then <NODE_ENV>.yaml, local.yaml and $TRADELOOP_CONFIG, then environment variables,
 * then `overrides`. Every invalid value is reported at once, by its path.
 */
export function loadConfig(options: LoadConfigOptions = {}): AppConfig {
  const env = options.env ?? process.env;
  const configDir = resolve(options.configDir ?? env.TRADELOOP_CONFIG_DIR ?? 'config');
  const defaultFile = join(configDir, 'default.yaml');
  if (!existsSync(defaultFile)) throw new ConfigError(`${defaultFile} not found (run from the project folder)`);

  let tree = readYaml(defaultFile);
  const extra = [env.NODE_ENV && join(configDir, `${env.NODE_ENV}.yaml`), join(configDir, 'local.yaml'), env.TRADELOOP_CONFIG];
  for (const file of extra) {
    if (file && existsSync(file)) tree = merge(tree, readYaml(file));
    else if (file && file === env.TRADELOOP_CONFIG) throw new ConfigError(`TRADELOOP_CONFIG: ${file} not found`);
  }
  for (const [name, path] of Object.entries(ENV_OVERRIDES)) {
    const value = env[name];
    if (value === undefined) continue;
    const patch: Tree = {};
    let node = patch;
    path.slice(0, -1).forEach((key) => (node = node[key] = {} as Tree));
    node[path[path.length - 1]] = value;
    tree = merge(tree, patch);
  }
  if (options.overrides) tree = merge(tree, options.overrides);

  const result = configSchema.safeParse(tree);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `  ${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new ConfigError(`invalid configuration:\n${problems.join('\n')}`);
  }
  return result.data;
}
