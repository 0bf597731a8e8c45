import { accountHelp } from './broker-help';

describe('accountHelp', () => {
  it('explains Tradovate’s device id for live accounts and how to get the device approved', () => {
    const help = accountHelp('tradovate')!;
    expect(help.settings).toContain('deviceId=');
    expect(help.secrets).toBe('password=…\nsec=…');
    const text = help.notes.join(' ');
    expect(text).toMatch(/Live accounts need deviceId/);
    expect(text).toMatch(/approve the new device in the e-mail Tradovate sends, or under Application Settings → My Devices/);
    expect(text).toMatch(/up to 64 characters/);
  });

  it('has nothing to explain for the paper broker', () => {
    expect(accountHelp('paper-broker')).toBeNull();
  });
});
