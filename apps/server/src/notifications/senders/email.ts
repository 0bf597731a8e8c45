import { createTransport, type Transporter } from 'nodemailer';
import type { SendOutcome } from '../delivery-policy.js';
import { emailContent } from '../render.js';
import { snippet, type ChannelSender, type SendInput } from './http.js';

export interface EmailTarget {
  host: string;
  port: number;
  security: 'starttls' | 'tls' | 'none';
  username?: string;
  password?: string;
  from: string;
  to: string[];
}

/** SMTP replies that a later try can fix (RFC 5321 4yz), the rest of 4yz included. */
const transient = (code: number) => code >= 400 && code < 500;

/** Email over SMTP with nodemailer: STARTTLS required by default, TLS on connect, or plain for a local relay. */
export class EmailSender implements ChannelSender {
  private readonly transport: Transporter;

  constructor(
    private readonly target: EmailTarget,
    tls?: { ca?: string },
  ) {
    this.transport = createTransport({
      host: target.host,
      port: target.port,
      secure: target.security === 'tls',
      requireTLS: target.security === 'starttls',
      ignoreTLS: target.security === 'none',
      auth: target.username ? { user: target.username, pass: target.password ?? '' } : undefined,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 20_000,
      ...(tls?.ca ? { tls: { ca: tls.ca } } : {}),
    });
  }

  async send({ message }: SendInput): Promise<SendOutcome> {
    const content = emailContent(message);
    try {
      await this.transport.sendMail({
        from: this.target.from,
        to: this.target.to,
        subject: content.subject,
        text: content.text,
        html: content.html,
      });
      return { ok: true };
    } catch (error) {
      const err = error as Error & { code?: string; responseCode?: number; response?: string };
      const said = snippet(err.response ?? err.message, [this.target.password ?? '']);
      if (err.code === 'EAUTH') return { ok: false, retry: false, reason: `the SMTP server refused the login: ${said}` };
      if (typeof err.responseCode === 'number') {
        return { ok: false, retry: transient(err.responseCode), reason: `the SMTP server answered ${err.responseCode}: ${said}` };
      }
      return { ok: false, retry: true, reason: `could not send through ${this.target.host}:${this.target.port}: ${said}` };
    }
  }

  close(): void {
    this.transport.close();
  }
}
