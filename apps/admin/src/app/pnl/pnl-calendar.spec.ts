import { provideZonelessChangeDetection } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { PnlCalendar } from './pnl-calendar';
import type { PnlCalendar as CalendarData } from '@tradeloop/contracts';

const november: CalendarData = {
  month: '2026-11',
  scope: 'all',
  id: null,
  timeZone: 'America/New_York',
  dayStart: '18:00',
  days: [
    { date: '2026-11-03', pnl: 125.5, trades: 4 },
    { date: '2026-11-04', pnl: -80, trades: 1 },
  ],
  total: 45.5,
  trades: 5,
};

describe('PnlCalendar', () => {
  beforeEach(() => TestBed.configureTestingModule({ providers: [provideZonelessChangeDetection()] }));

  async function render(month: string, data: CalendarData | null) {
    const fixture = TestBed.createComponent(PnlCalendar);
    fixture.componentRef.setInput('month', month);
    fixture.componentRef.setInput('data', data);
    await fixture.whenStable();
    return { fixture, el: fixture.nativeElement as HTMLElement };
  }

  const day = (el: HTMLElement, date: string) => el.querySelector(`[data-date="${date}"]`) as HTMLButtonElement;

  it('colours each day with trades, shows its P&L and count, and the month total', async () => {
    const { el } = await render('2026-11', november);
    expect(el.querySelector('[data-testid="calendar-month"]')!.textContent).toBe('November 2026');
    expect(day(el, '2026-11-03').textContent).toContain('+$125.50');
    expect(day(el, '2026-11-03').textContent).toContain('4 trades');
    expect(day(el, '2026-11-03').classList).toContain('good');
    expect(day(el, '2026-11-04').textContent).toContain('−$80.00');
    expect(day(el, '2026-11-04').textContent).toContain('1 trade');
    expect(day(el, '2026-11-04').classList).toContain('bad');
    // A day without trades shows no number and cannot be opened.
    expect(day(el, '2026-11-05').textContent!.trim()).toBe('5');
    expect(day(el, '2026-11-05').disabled).toBe(true);
    expect(el.querySelector('[data-testid="calendar-total"]')!.textContent).toBe('+$45.50');
    expect(el.querySelectorAll('[data-testid="calendar-day"]')).toHaveLength(30);
  });

  it('asks for a clicked day and for the next and previous months', async () => {
    const { fixture, el } = await render('2026-12', null);
    fixture.componentRef.setInput('month', '2026-11');
    fixture.componentRef.setInput('data', november);
    await fixture.whenStable();
    const days: string[] = [];
    const months: string[] = [];
    fixture.componentInstance.daySelect.subscribe((d) => days.push(d));
    fixture.componentInstance.monthChange.subscribe((m) => months.push(m));
    day(el, '2026-11-04').click();
    (el.querySelector('[data-testid="calendar-next"]') as HTMLButtonElement).click();
    (el.querySelector('[data-testid="calendar-previous"]') as HTMLButtonElement).click();
    expect(days).toEqual(['2026-11-04']);
    expect(months).toEqual(['2026-12', '2026-10']);
  });

  it("shows no numbers from another month's data while a new month loads", async () => {
    const { el } = await render('2026-12', november);
    expect(el.querySelectorAll('.has-trades')).toHaveLength(0);
    expect(el.querySelector('[data-testid="calendar-total"]')!.textContent).toBe('—');
  });
});
