import { Injectable } from '@nestjs/common';

/** "Now" for the P&L services; tests pin it to walk through trading days. */
@Injectable()
export class Clock {
  private pinned: number | null = null;

  now(): number {
    return this.pinned ?? Date.now();
  }

  /** Pins the time (null: follow the wall clock again). */
  pin(time: number | null): void {
    this.pinned = time;
  }
}
