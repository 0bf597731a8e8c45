import type { AccountSettingsSchema } from '@tradeloop/contracts';
import { defaultValues, formFields, splitFields, visibleFields } from './account-form';

const schema: AccountSettingsSchema = {
  properties: {
    environment: { type: 'string', enum: ['demo', 'live'], default: 'demo' },
    username: { type: 'string', title: 'User name' },
    password: { type: 'string', writeOnly: true },
    cid: { type: 'integer' },
    deviceId: { type: 'string', showWhen: { environment: 'live' } },
    partner: { type: 'boolean', default: false },
  },
  required: ['username', 'password', 'cid', 'deviceId'],
};

describe('account form', () => {
  it('gives each field the control that edits it, secrets a password box', () => {
    expect(formFields(schema).map((f) => [f.name, f.control, f.required])).toEqual([
      ['environment', 'select', false],
      ['username', 'text', true],
      ['password', 'password', true],
      ['cid', 'number', true],
      ['deviceId', 'text', true],
      ['partner', 'checkbox', false],
    ]);
  });

  it('starts from the defaults, never with a secret', () => {
    expect(defaultValues(schema)).toEqual({ environment: 'demo', partner: false });
  });

  it('shows a field only for the value that needs it', () => {
    expect(visibleFields(schema, { environment: 'demo' }).map((f) => f.name)).not.toContain('deviceId');
    expect(visibleFields(schema, { environment: 'live' }).map((f) => f.name)).toContain('deviceId');
  });

  it('sends plain fields as typed settings and secret fields as secrets, leaving out empty and hidden ones', () => {
    const split = splitFields(schema, {
      environment: 'demo',
      username: ' me ',
      password: 's3cret',
      cid: '8',
      deviceId: 'stale',
      partner: true,
    });
    expect(split).toEqual({
      settings: { environment: 'demo', username: 'me', cid: 8, partner: true },
      secrets: { password: 's3cret' },
      problems: [],
    });
  });

  it('names what is missing or wrong before anything is sent', () => {
    expect(splitFields(schema, { environment: 'live', cid: 'x' }).problems).toEqual([
      'settings.username is required (User name)',
      'secrets.password is required',
      'settings.cid must be a number',
      'settings.deviceId is required',
    ]);
  });
});
