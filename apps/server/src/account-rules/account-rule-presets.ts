import { Inject, Injectable, Logger } from '@nestjs/common';
import type { AccountRulePresetView } from '@tradeloop/contracts';
import { parseAccountRulesFile } from '@tradeloop/domain';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';

/** Largest preset file read: a preset is a page of YAML. */
const MAX_PRESET_BYTES = 64 * 1024;

/**
 * The firm presets (`accountRules.presetsDir`, one YAML file per firm plan), read at start and
 * checked like any rules: a file with a mistake is left out and the log says why.
 */
@Injectable()
export class AccountRulePresets {
  private presets: AccountRulePresetView[] | null = null;
  private readonly console = new Logger('AccountRules');

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  list(): AccountRulePresetView[] {
    return (this.presets ??= this.load());
  }

  get(id: string): AccountRulePresetView | undefined {
    return this.list().find((preset) => preset.id === id);
  }

  private load(): AccountRulePresetView[] {
    const dir = resolve(this.config.accountRules.presetsDir);
    let names: string[];
    try {
      names = readdirSync(dir).filter((name) => /^[a-z0-9][a-z0-9._-]{0,98}\.ya?ml$/i.test(name));
    } catch (error) {
      this.console.warn(`no account rule presets: ${(error as Error).message}`);
      return [];
    }
    const out: AccountRulePresetView[] = [];
    for (const name of names.sort()) {
      try {
        const text = readFileSync(join(dir, name), 'utf8');
        if (text.length > MAX_PRESET_BYTES) throw new Error(`larger than ${MAX_PRESET_BYTES} bytes`);
        const raw = parse(text) as unknown;
        const parsed = parseAccountRulesFile(raw);
        if (!parsed.ok) throw new Error(parsed.problems.slice(0, 5).join('; '));
        const { file } = parsed;
        out.push({
          id: name.replace(/\.ya?ml$/i, ''),
          firm: file.firm,
          plan: file.plan,
          asOf: file.asOf,
          sources: file.sources.map(({ title, url, publisher, read }) => ({ title, url, publisher, read })),
          unverified: file.unverified,
          notes: file.notes,
          // As written (dollars, defaults not filled in), so a copy reads like the file.
          rules: (raw as { rules: Record<string, unknown> }).rules,
        });
      } catch (error) {
        this.console.warn(`preset ${name} left out: ${(error as Error).message.slice(0, 500)}`);
      }
    }
    return out;
  }
}
