import { Column, Entity, PrimaryColumn } from 'typeorm';
import { TimeColumn } from '../database/columns.js';

/**
 * An account's prop-firm rules and what they must remember across a restart: the rules as the
 * trader wrote them (dollars, checked again on load), the preset they came from, and the rules'
 * state (the drawdown's high and floor, the day's opening balance, closed days, locks in force),
 * plain JSON as `AccountState` is.
 */
@Entity('account_rule_sets')
export class AccountRuleSet {
  @PrimaryColumn({ type: 'varchar', length: 36 }) accountId!: string;
  @Column({ type: 'varchar', length: 100, nullable: true }) preset!: string | null;
  /** `AccountRulesInput` as JSON. */
  @Column({ type: 'text' }) rules!: string;
  /** `AccountState` as JSON; null until the account is first watched. */
  @Column({ type: 'text', nullable: true }) state!: string | null;
  @TimeColumn() updatedAt!: number;
}
