import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import type { AccountRulePresetView, AccountRulesInput, AccountRulesView } from '@tradeloop/contracts';
import { accountRulesSchema } from '@tradeloop/domain';
import type { Account } from '../accounts/account.entity.js';
import { AccountsReader } from '../accounts/accounts.reader.js';
import { LogsService } from '../logs/logs.service.js';
import { PnlStream } from '../pnl/pnl-stream.service.js';
import { AccountRulePresets } from './account-rule-presets.js';
import { AccountRulesStore } from './account-rules.store.js';
import { rulesView } from './account-rules.views.js';
import { AccountRulesWatcher } from './account-rules.watcher.js';

/** Setting, reading and removing an account's rules; presets by name. */
@Injectable()
export class AccountRulesService {
  constructor(
    private readonly accounts: AccountsReader,
    private readonly store: AccountRulesStore,
    private readonly presets: AccountRulePresets,
    private readonly watcher: AccountRulesWatcher,
    private readonly pnl: PnlStream,
    private readonly logs: LogsService,
  ) {}

  listPresets(): AccountRulePresetView[] {
    return this.presets.list();
  }

  async view(accountId: string): Promise<AccountRulesView> {
    await this.account(accountId);
    await this.store.ready();
    return rulesView(accountId, this.store.get(accountId));
  }

  /** A preset, rules written out, or a preset with some of its rules replaced; checked field by field. */
  async put(accountId: string, body: unknown): Promise<AccountRulesView> {
    const account = await this.account(accountId);
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      throw new BadRequestException('body must be an object with preset and/or rules');
    const input = body as AccountRulesInput & Record<string, unknown>;
    const extra = Object.keys(input).filter((key) => key !== 'preset' && key !== 'rules');
    if (extra.length)
      throw new BadRequestException(
        `unknown field(s) ${extra.map((k) => JSON.stringify(k.slice(0, 50))).join(', ')}: send preset and/or rules`,
      );
    if (input.preset === undefined && input.rules === undefined) throw new BadRequestException('send preset (a preset id) and/or rules');
    let base: Record<string, unknown> = {};
    if (input.preset !== undefined) {
      if (typeof input.preset !== 'string' || input.preset.length > 100)
        throw new BadRequestException('preset must be a preset id (string)');
      const preset = this.presets.get(input.preset);
      if (!preset) {
        const known = this.presets.list().map((p) => p.id);
        throw new BadRequestException(`preset: no preset "${input.preset}"; choose from ${known.join(', ') || '(none installed)'}`);
      }
      base = preset.rules;
    }
    if (input.rules !== undefined && (typeof input.rules !== 'object' || input.rules === null || Array.isArray(input.rules))) {
      throw new BadRequestException('rules must be an object (see the rules file format)');
    }
    const parsed = accountRulesSchema.safeParse({ ...base, ...(input.rules ?? {}) });
    if (!parsed.success) {
      const problems = parsed.error.issues
        .slice(0, 10)
        .map((issue) => `rules.${issue.path.join('.')}: ${issue.message}`.replace(/^rules\.:/, 'rules:'));
      throw new BadRequestException(problems.join('; '));
    }
    await this.store.ready();
    const realized = this.pnl.totals('account', accountId).realizedCents;
    await this.store.put(accountId, typeof input.preset === 'string' ? input.preset : null, parsed.data, realized);
    await this.logs.write({
      level: 'info',
      category: 'risk',
      message: `account "${account.name}": prop-firm rules set${typeof input.preset === 'string' ? ` from preset ${input.preset}` : ''}`,
    });
    await this.watcher.rulesChanged(accountId);
    return this.view(accountId);
  }

  async remove(accountId: string): Promise<AccountRulesView> {
    const account = await this.account(accountId);
    await this.store.ready();
    if (await this.store.remove(accountId)) {
      await this.logs.write({
        level: 'warn',
        category: 'risk',
        message: `account "${account.name}": prop-firm rules removed (locks lifted)`,
      });
    }
    return this.view(accountId);
  }

  private async account(id: string): Promise<Account> {
    const account = await this.accounts.byId(id);
    if (!account) throw new NotFoundException(`account ${id} not found`);
    return account;
  }
}
