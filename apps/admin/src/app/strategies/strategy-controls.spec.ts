import { exitsDraft, exitsInput, linkDrafts, linkInputs, newLink, riskDraft, riskInput } from './strategy-controls';

describe('links', () => {
  const saved = [
    { id: 'l1', accountId: 'acc-2', multiplier: 2, symbolOverride: 'MNQ1!', inverse: false, enabled: true },
    { id: 'l2', accountId: 'acc-3', multiplier: 1, symbolOverride: null, inverse: true, enabled: false },
  ];

  it('round-trips what the server holds', () => {
    expect(linkInputs(linkDrafts(saved))).toEqual([
      { accountId: 'acc-2', multiplier: 2, symbolOverride: 'MNQ1!', inverse: false, enabled: true },
      { accountId: 'acc-3', multiplier: 1, inverse: true, enabled: false },
    ]);
  });

  it('drops rows with no account, trims the override and leaves an empty multiplier to the server', () => {
    expect(
      linkInputs([
        { ...newLink(''), multiplier: 3 },
        { ...newLink('acc-4'), multiplier: null, symbolOverride: '  MES1! ' },
      ]),
    ).toEqual([{ accountId: 'acc-4', symbolOverride: 'MES1!', inverse: false, enabled: true }]);
  });

  it('starts with no links when the strategy has none', () => {
    expect(linkDrafts(undefined)).toEqual([]);
    expect(linkInputs([])).toEqual([]);
  });
});

describe('exits', () => {
  it('round-trips every kind of target and the stop management', () => {
    const exits = { takeProfit: { ticks: 40 }, stopLoss: { points: 5 }, breakEvenTicks: 8, trailingTicks: 12 };
    expect(exitsInput(exitsDraft(exits))).toEqual(exits);
    const other = { takeProfit: { percent: 1.5 }, stopLoss: { price: 24900 } };
    expect(exitsInput(exitsDraft(other))).toEqual(other);
  });

  it('is null (no default bracket) when nothing is set, and keeps only what is', () => {
    expect(exitsInput(exitsDraft(null))).toBeNull();
    expect(exitsInput({ ...exitsDraft(null), stopLoss: 20 })).toEqual({ stopLoss: { ticks: 20 } });
  });

  it('shows ticks as the kind of an empty target', () => {
    expect(exitsDraft(null)).toEqual({
      takeProfitKind: 'ticks',
      takeProfit: null,
      stopLossKind: 'ticks',
      stopLoss: null,
      breakEvenTicks: null,
      trailingTicks: null,
    });
  });
});

describe('risk', () => {
  it('round-trips every limit', () => {
    const risk = {
      maxPositionSize: 3,
      maxOrderQuantity: 2,
      maxOrdersPerMinute: 10,
      maxDailyLoss: 500,
      maxDailyProfit: 1500,
      tradingWindow: { start: '09:30', end: '15:55' },
      flattenAt: '15:55',
      timeZone: 'America/New_York',
    };
    expect(riskInput(riskDraft(risk))).toEqual(risk);
  });

  it('is null when nothing is set', () => {
    expect(riskInput(riskDraft(null))).toBeNull();
    expect(riskInput({ ...riskDraft(null), timeZone: '   ' })).toBeNull();
  });

  it('sends a half-filled trading window as typed, for the server to say what is missing', () => {
    expect(riskInput({ ...riskDraft(null), windowStart: '09:30' })).toEqual({ tradingWindow: { start: '09:30', end: '' } });
  });

  it('keeps a limit of 0 as typed (the server refuses it in words) rather than dropping it', () => {
    expect(riskInput({ ...riskDraft(null), maxDailyLoss: 0 })).toEqual({ maxDailyLoss: 0 });
  });
});
