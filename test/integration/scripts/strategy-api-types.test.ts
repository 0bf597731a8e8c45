import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { contractsSource, renderStrategyTypes, strategyTypesFile } from '../../../apps/server/src/scripts/strategy-types.js';

describe('strategies/tradeloop.d.ts', () => {
  it('is what the contracts generate (run `npm run types:strategies` after changing libs/contracts/src/strategy-api.ts)', () => {
    expect(readFileSync(strategyTypesFile(), 'utf8')).toBe(renderStrategyTypes(contractsSource()));
  });

  it('declares the whole script API an author needs', () => {
    const types = renderStrategyTypes(contractsSource());
    for (const name of [
      'StrategyContext',
      'StrategyDefinition',
      'ScriptAlert',
      'ScriptQuote',
      'ScriptFill',
      'OrderOptions',
      'Alert',
      'OrderType',
    ]) {
      expect(types).toMatch(new RegExp(`export (interface|type) ${name}\\b`));
    }
    expect(types).toContain('declare function defineStrategy<');
  });
});
