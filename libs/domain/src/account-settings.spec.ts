import { describe, expect, it } from '@jest/globals';
import type { AccountSettingsSchema } from '@tradeloop/contracts';
import { accountFieldProblems, fieldApplies } from './account-settings.js';

const schema: AccountSettingsSchema = {
  properties: {
    environment: { type: 'string', enum: ['demo', 'live'], default: 'demo' },
    userName: { type: 'string', title: 'User name', maxLength: 8 },
    cid: { type: 'integer', minimum: 1 },
    apiUrl: { type: 'string', format: 'uri' },
    partner: { type: 'boolean' },
    deviceId: { type: 'string', showWhen: { environment: 'live' } },
    apiKey: { type: 'string', writeOnly: true },
  },
  required: ['userName', 'cid', 'deviceId', 'apiKey'],
};

describe('accountFieldProblems', () => {
  it('accepts a complete account', () => {
    expect(
      accountFieldProblems(schema, { settings: { environment: 'demo', userName: 'me', cid: 8, partner: false }, secrets: { apiKey: 'k' } }),
    ).toEqual([]);
  });

  it('names each missing, mistyped and out-of-bounds field', () => {
    expect(
      accountFieldProblems(schema, {
        settings: { environment: 'paper', userName: 'much-too-long', cid: 1.5, apiUrl: 'ftp://x', partner: 'yes' },
        secrets: {},
      }),
    ).toEqual([
      'settings.environment must be one of "demo", "live"',
      'settings.userName must be at most 8 characters',
      'settings.cid must be a whole number',
      'settings.apiUrl must be an http(s) address',
      'settings.partner must be true or false',
      'secrets.apiKey is required',
    ]);
    expect(accountFieldProblems(schema, { settings: { cid: 0 }, secrets: { apiKey: 'k' } })).toEqual([
      'settings.userName is required (User name)',
      'settings.cid must be at least 1',
    ]);
  });

  it('refuses a secret sent as a plain setting (it would be stored unsealed), and a setting sent as a secret', () => {
    expect(accountFieldProblems(schema, { settings: { userName: 'me', cid: 8, apiKey: 'k' }, secrets: { userName: 'x' } })).toEqual([
      'userName is not a secret: send it in settings',
      'apiKey is a secret: send it in secrets, where it is sealed, not in settings',
      'secrets.apiKey is required',
    ]);
  });

  it('requires a field shown only for another value only then, and takes a secret already kept', () => {
    const live = { environment: 'live', userName: 'me', cid: 8 };
    expect(accountFieldProblems(schema, { settings: live, secrets: {}, keptSecrets: ['apiKey'] })).toEqual([
      'settings.deviceId is required',
    ]);
    expect(fieldApplies(schema.properties['deviceId']!, { environment: 'demo' })).toBe(false);
    expect(fieldApplies(schema.properties['deviceId']!, live)).toBe(true);
  });
});
