import type { NotificationEvent, NotificationMessage } from '../notification-events.js';

/** One notification for one channel: its words and the event it came from. */
export interface SendInput {
  message: NotificationMessage;
  event: NotificationEvent;
}
