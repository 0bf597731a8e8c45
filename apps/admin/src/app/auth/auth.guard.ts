import { inject } from '@angular/core';
import { type CanActivateFn, Router } from '@angular/router';
import { map } from 'rxjs';
import { SessionService } from './session.service';

/** Pages need a session; without one the login page opens and comes back here afterwards. */
export const signedIn: CanActivateFn = (_route, state) => {
  const router = inject(Router);
  return inject(SessionService)
    .check()
    .pipe(map((ok) => ok || router.createUrlTree(['/login'], { queryParams: { next: state.url } })));
};
