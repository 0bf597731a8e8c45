import { HttpClient } from '@angular/common/http';
import { Injectable, inject, signal } from '@angular/core';
import { Router } from '@angular/router';
import type { LoginAnswer, LoginInput, SignedInView } from '@tradeloop/contracts';
import { type Observable, catchError, map, of, tap } from 'rxjs';

/** Who the admin shows as signed in. */
export type SignedIn = Pick<SignedInView, 'username' | 'scope'>;

/**
 * Who is signed in. The session itself is an httpOnly cookie the browser sends on its own; this
 * service only asks the server and remembers the answer.
 */
@Injectable({ providedIn: 'root' })
export class SessionService {
  private readonly http = inject(HttpClient);
  private readonly router = inject(Router);
  readonly user = signal<SignedIn | null>(null);

  /** True when the cookie still stands for a session. */
  check(): Observable<boolean> {
    if (this.user()) return of(true);
    return this.http.get<SignedInView>('/api/auth/me').pipe(
      tap((user) => this.user.set(user)),
      map(() => true),
      catchError(() => of(false)),
    );
  }

  login(username: string, password: string): Observable<SignedIn> {
    const body: LoginInput = { username, password };
    return (
      this.http
        .post<LoginAnswer>('/api/auth/login', body)
        // A password signs in as the admin; the token in the answer is not kept (the cookie is the session).
        .pipe(map(({ username: name }): SignedIn => ({ username: name, scope: 'admin' })))
        .pipe(tap((user) => this.user.set(user)))
    );
  }

  logout(): void {
    this.http.post('/api/auth/logout', {}).subscribe({ error: () => undefined, complete: () => undefined });
    this.signedOut();
  }

  /** The server no longer knows this session (expired, revoked): back to the login page. */
  signedOut(): void {
    this.user.set(null);
    const here = this.router.url;
    void this.router.navigate(['/login'], here && !here.startsWith('/login') ? { queryParams: { next: here } } : {});
  }
}
