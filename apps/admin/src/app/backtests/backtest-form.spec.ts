import { backtestRequest, type BacktestForm } from './backtest-form';

const form: BacktestForm = {
  strategy: 'breakout',
  ticker: ' NQ1! ',
  file: 'nq.csv',
  kind: 'bars',
  data: '',
  from: '2024-01-02',
  to: '',
  timeZone: '',
  commission: 2.5,
  spread: 0,
  marketFill: 'next',
  label: '',
  params: '{"lookback": 20}',
};

describe('backtestRequest', () => {
  it('names a history file by what it holds and keeps only what was filled in', () => {
    expect(backtestRequest(form)).toEqual({
      strategy: 'breakout',
      ticker: 'NQ1!',
      files: { bars: 'nq.csv' },
      from: '2024-01-02',
      commissionPerContract: 2.5,
      marketFill: 'next',
      params: { lookback: 20 },
    });
  });

  it('sends pasted data inline, in the field of its kind', () => {
    const request = backtestRequest({ ...form, file: '', kind: 'trades', data: 'Trade #,Type\n', params: '' });
    expect(request.trades).toBe('Trade #,Type\n');
    expect(request.files).toBeUndefined();
    expect(request.params).toEqual({});
  });

  it('says in words what the form is missing', () => {
    expect(() => backtestRequest({ ...form, ticker: ' ' })).toThrowError(/Ticker/);
    expect(() => backtestRequest({ ...form, file: '', data: '' })).toThrowError('History: choose a file or paste its contents');
    expect(() => backtestRequest({ ...form, params: '{lookback' })).toThrowError('Params: not JSON; write them like {"lookback": 20}');
    expect(() => backtestRequest({ ...form, params: '[1]' })).toThrowError('Params: a JSON object like {"lookback": 20}');
  });
});
