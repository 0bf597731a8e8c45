import { maskWebhookUrl } from './webhook-url';

describe('maskWebhookUrl', () => {
  it('hides the token but for its last 4 characters', () => {
    expect(maskWebhookUrl('https://trade.example.com/webhooks/3q2xAbCdEfGhIjKlMnOpQrStUvWx0123')).toBe(
      `https://trade.example.com/webhooks/${'•'.repeat(28)}0123`,
    );
  });

  it('leaves text that is not a webhook URL alone', () => {
    expect(maskWebhookUrl('https://trade.example.com/')).toBe('https://trade.example.com/');
  });
});
